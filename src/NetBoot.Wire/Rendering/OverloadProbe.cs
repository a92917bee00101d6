namespace NetBoot.Wire.Rendering;

/// <summary>Finds option 52 in the options area of a raw message. The decoder consumes option 52 while merging
/// <c>file</c>/<c>sname</c> into the option list (RFC 2132 §9.3), so the renderer looks for it itself to say
/// that the message was overloaded.</summary>
public static class OverloadProbe
{
    private const int OptionsOffset = 240;
    private const byte Pad = 0;
    private const byte End = 255;
    private const byte OptionOverload = 52;

    /// <summary>The value of option 52 in the options area (after the cookie), if present and one byte long.</summary>
    public static bool TryFind(ReadOnlySpan<byte> message, out byte value)
    {
        value = 0;
        var i = OptionsOffset;
        while (i < message.Length)
        {
            var code = message[i];
            if (code == End)
            {
                return false;
            }
            if (code == Pad)
            {
                i++;
                continue;
            }
            if (i + 1 >= message.Length || i + 2 + message[i + 1] > message.Length)
            {
                return false;
            }
            if (code == OptionOverload && message[i + 1] == 1)
            {
                value = message[i + 2];
                return true;
            }
            i += 2 + message[i + 1];
        }
        return false;
    }
}

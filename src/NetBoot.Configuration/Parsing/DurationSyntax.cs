namespace NetBoot.Configuration.Parsing;

/// <summary>dnsmasq's lease-time syntax: digits with an optional <c>s/m/h/d/w</c> suffix (any case), or <c>infinite</c>.</summary>
internal static class DurationSyntax
{
    public const uint Infinite = 0xFFFF_FFFF;

    public static bool TryParseSeconds(string text, out uint seconds)
    {
        seconds = 0;
        if (text == "infinite")
        {
            seconds = Infinite;
            return true;
        }
        if (text.Length == 0)
        {
            return false;
        }
        var factor = char.ToLowerInvariant(text[^1]) switch
        {
            'w' => 7 * 24 * 3600,
            'd' => 24 * 3600,
            'h' => 3600,
            'm' => 60,
            's' => 1,
            _ => 0,
        };
        var digits = factor == 0 ? text : text[..^1];
        if (digits.Length == 0 || !digits.All(char.IsAsciiDigit) || !ulong.TryParse(digits, out var number))
        {
            return false;
        }
        seconds = (uint)Math.Min(number * (ulong)Math.Max(factor, 1), Infinite - 1);
        return true;
    }

    /// <summary>True when the text looks like a lease time (so dhcp-host reads a purely numeric "name" as one).</summary>
    public static bool IsLeaseTime(string text) => text != "infinite" && TryParseSeconds(text, out _);
}

using System.Globalization;

namespace NetBoot.Wire.Rendering;

/// <summary>Option 82 (RFC 3046): sub-options <c>code | len | data</c>, each on its own line.</summary>
public static class RelayAgentInformationRenderer
{
    public static void Render(RenderWriter writer, string head, ReadOnlySpan<byte> data)
    {
        ArgumentNullException.ThrowIfNull(writer);
        var lines = new List<string>();
        var i = 0;
        var damaged = false;
        while (i < data.Length)
        {
            if (i + 2 > data.Length || i + 2 + data[i + 1] > data.Length)
            {
                damaged = true;
                break;
            }
            var code = data[i];
            var value = data.Slice(i + 2, data[i + 1]);
            lines.Add(string.Create(CultureInfo.InvariantCulture, $"{code,3} {SubOptionName(code).PadRight(20)} {SubOptionValue(code, value)}"));
            i += 2 + data[i + 1];
        }
        writer.Line(head + ValueText.Plural(lines.Count, "sub-option")
            + (damaged ? " then damaged (a sub-option runs past the option): " + ValueText.Hex(data[i..]) : string.Empty));
        writer.Aligned(4, () =>
        {
            foreach (var line in lines)
            {
                writer.Line(line);
            }
        });
    }

    public static string SubOptionName(byte code) => code switch
    {
        1 => "circuit-id",            // RFC 3046 §3.1
        2 => "remote-id",             // RFC 3046 §3.2
        4 => "docsis-device-class",   // RFC 3256
        5 => "link-selection",        // RFC 3527
        6 => "subscriber-id",         // RFC 3993
        7 => "radius-attributes",     // RFC 4014
        8 => "authentication",        // RFC 4030
        9 => "vendor-specific",       // RFC 4243
        10 => "relay-flags",          // RFC 5010
        11 => "server-id-override",   // RFC 5107
        12 => "relay-id",             // RFC 6925
        151 => "vss-information",     // RFC 6607
        152 => "vss-control",         // RFC 6607
        _ => string.Create(CultureInfo.InvariantCulture, $"sub-option-{code}"),
    };

    private static string SubOptionValue(byte code, ReadOnlySpan<byte> value) => code switch
    {
        5 or 11 => ValueText.AddressList(value) ?? ValueText.Hex(value),
        _ => ValueText.TextOrHex(value),
    };
}

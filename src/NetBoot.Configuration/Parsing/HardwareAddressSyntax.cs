using System.Collections.Immutable;
using System.Globalization;

namespace NetBoot.Configuration.Parsing;

/// <summary>dnsmasq's MAC syntax: <c>aa:bb:cc:dd:ee:ff</c> or <c>aa-bb-…</c>, <c>*</c> for any byte, and an optional
/// ARP hardware type prefix (<c>06-aa:bb:…</c>, <c>parse_hex</c> with <c>mac_type</c>).</summary>
internal static class HardwareAddressSyntax
{
    public static bool TryParse(string text, out byte? hardwareType, out ImmutableArray<byte?> pattern)
    {
        hardwareType = null;
        pattern = [];
        var body = text;
        var dash = text.IndexOf('-', StringComparison.Ordinal);
        if (dash > 0 && text.Contains(':', StringComparison.Ordinal))
        {
            if (!byte.TryParse(text[..dash], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var type))
            {
                return false;
            }
            hardwareType = type;
            body = text[(dash + 1)..];
        }
        var parts = body.Split(':', '-');
        if (parts.Length is < 1 or > 16)
        {
            return false;
        }
        var bytes = ImmutableArray.CreateBuilder<byte?>(parts.Length);
        foreach (var part in parts)
        {
            if (part == "*")
            {
                bytes.Add(null);
                continue;
            }
            if (part.Length is 0 or > 2 || !byte.TryParse(part, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var b))
            {
                return false;
            }
            bytes.Add(b);
        }
        pattern = bytes.MoveToImmutable();
        return true;
    }
}

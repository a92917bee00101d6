using System.Globalization;
using System.Text;
using NetBoot.Wire.Net;
using NetBoot.Wire.Pxe;

namespace NetBoot.Wire.Rendering;

/// <summary>Values of the options that say who the client is: 61, 93, 94, 97, 81.</summary>
public static class ClientIdentityText
{
    /// <summary>Option 61 (RFC 2132 §9.14): a hardware type and address, or type 0 and an opaque id,
    /// or type 255 with IAID and DUID (RFC 4361 §6.1).</summary>
    public static string ClientIdentifier(ReadOnlySpan<byte> data)
    {
        if (data.Length < 2)
        {
            return DhcpOptionRenderer.BadLength(data, "at least 2");
        }
        var type = data[0];
        var rest = data[1..];
        return type switch
        {
            1 when rest.Length == 6 => "ethernet " + HardwareAddress.Ethernet(rest),
            0 => "type 0 (opaque) " + ValueText.TextOrHex(rest),
            255 when rest.Length >= 6 => string.Create(CultureInfo.InvariantCulture,
                $"RFC 4361 IAID {ValueText.Hex32(ValueText.UInt32(rest))}, DUID {ValueText.Hex(rest[4..])}"),
            _ => string.Create(CultureInfo.InvariantCulture, $"hardware type {type}, {ValueText.Hex(rest)}"),
        };
    }

    /// <summary>Option 97 (RFC 4578 §2.3): type 0 and a 16-byte GUID, shown in the byte order it was sent.</summary>
    public static string MachineIdentifier(ReadOnlySpan<byte> data)
    {
        if (data.Length != 17 || data[0] != 0)
        {
            return DhcpOptionRenderer.BadLength(data, "17 (type 0 + GUID)");
        }
        var guid = Convert.ToHexStringLower(data[1..]);
        return $"GUID {guid[..8]}-{guid[8..12]}-{guid[12..16]}-{guid[16..20]}-{guid[20..]}";
    }

    /// <summary>Option 94 (RFC 4578 §2.2): type 1 = UNDI, then the major and minor version.</summary>
    public static string NetworkInterfaceIdentifier(ReadOnlySpan<byte> data) =>
        data.Length == 3 && data[0] == 1
            ? string.Create(CultureInfo.InvariantCulture, $"UNDI {data[1]}.{data[2]}")
            : DhcpOptionRenderer.BadLength(data, "3 (type 1, major, minor)");

    /// <summary>Option 93 (RFC 4578 §2.1): 16-bit architecture types with their IANA names.</summary>
    public static string Architectures(ReadOnlySpan<byte> data)
    {
        if (data.IsEmpty || data.Length % 2 != 0)
        {
            return DhcpOptionRenderer.BadLength(data, "a multiple of 2");
        }
        var parts = new List<string>();
        for (var i = 0; i < data.Length; i += 2)
        {
            parts.Add(ArchitectureName(ValueText.UInt16(data[i..])));
        }
        return string.Join(", ", parts);
    }

    public static string ArchitectureName(ushort value) =>
        Enum.IsDefined((ClientArchitecture)value)
            ? string.Create(CultureInfo.InvariantCulture, $"{value} {(ClientArchitecture)value}")
            : string.Create(CultureInfo.InvariantCulture, $"{value} (unassigned)");

    /// <summary>Option 81 (RFC 4702 §2): flags, two obsolete RCODEs, then the name, in DNS wire form
    /// when the E flag is set, else ASCII.</summary>
    public static string Fqdn(ReadOnlySpan<byte> data)
    {
        if (data.Length < 3)
        {
            return DhcpOptionRenderer.BadLength(data, "at least 3");
        }
        var flags = data[0];
        var names = new List<string>();
        if ((flags & 0x01) != 0)
        {
            names.Add("S");
        }
        if ((flags & 0x02) != 0)
        {
            names.Add("O");
        }
        if ((flags & 0x04) != 0)
        {
            names.Add("E");
        }
        if ((flags & 0x08) != 0)
        {
            names.Add("N");
        }
        var nameBytes = data[3..];
        var name = (flags & 0x04) != 0
            ? DomainNameText.TryReadNames(nameBytes, out var list) ? string.Join(", ", list.Select(n => "\"" + n + "\"")) : ValueText.Hex(nameBytes)
            : nameBytes.IsEmpty ? "(empty)" : ValueText.Quoted(nameBytes);
        var flagText = names.Count > 0 ? string.Join(',', names) : "none";
        return string.Create(CultureInfo.InvariantCulture, $"flags {flagText} ({ValueText.Hex(data[..1])}), name {name}");
    }

    internal static string Latin1(ReadOnlySpan<byte> bytes) => Encoding.Latin1.GetString(bytes);
}

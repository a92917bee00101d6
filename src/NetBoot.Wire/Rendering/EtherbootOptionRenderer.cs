using System.Globalization;

namespace NetBoot.Wire.Rendering;

/// <summary>Option 175, iPXE's encapsulated options (iPXE <c>include/ipxe/dhcp.h</c>, <c>features.h</c>): the
/// feature flags 0x10–0x7f that dnsmasq configurations match with <c>dhcp-match=set:TAG,175,19</c>, the bus id
/// and the version. Shown so an administrator can see what a client's iPXE build can do.</summary>
public static class EtherbootOptionRenderer
{
    private const byte FirstFeature = 0x10;
    private const byte LastFeature = 0x7f;
    private const byte BusId = 177;
    private const byte Version = 235;
    private const byte BusTypePci = 1;

    public static void Render(RenderWriter writer, string head, ReadOnlySpan<byte> data)
    {
        ArgumentNullException.ThrowIfNull(writer);
        var features = new List<string>();
        var others = new List<string>();
        var count = 0;
        var i = 0;
        while (i < data.Length)
        {
            if (i + 2 > data.Length || i + 2 + data[i + 1] > data.Length)
            {
                DhcpOptionRenderer.RenderHex(writer, head, data.ToArray(), "not iPXE sub-options (a length runs past the option)");
                return;
            }
            var code = data[i];
            var value = data.Slice(i + 2, data[i + 1]);
            count++;
            if (code is >= FirstFeature and <= LastFeature)
            {
                features.Add(value.Length == 1 && value[0] == 1 ? FeatureName(code) : $"{FeatureName(code)} ({ValueText.Hex(value)})");
            }
            else
            {
                others.Add(SubOptionText(code, value));
            }
            i += 2 + data[i + 1];
        }
        writer.Line(head + "iPXE, " + ValueText.Plural(count, "sub-option"));
        writer.Aligned(head.Length, () =>
        {
            foreach (var line in others)
            {
                writer.Line(line);
            }
            if (features.Count > 0)
            {
                writer.Line("features " + string.Join(", ", features));
            }
        });
    }

    private static string SubOptionText(byte code, ReadOnlySpan<byte> value) => code switch
    {
        // Bus type 1 = PCI: vendor and device ids.
        BusId when value.Length == 5 && value[0] == BusTypePci => string.Create(CultureInfo.InvariantCulture,
            $"bus-id PCI {ValueText.UInt16(value[1..]):x4}:{ValueText.UInt16(value[3..]):x4}"),
        Version when value.Length == 3 => string.Create(CultureInfo.InvariantCulture, $"version {value[0]}.{value[1]}.{value[2]}"),
        1 when value.Length == 1 => string.Create(CultureInfo.InvariantCulture, $"priority {(sbyte)value[0]}"),
        8 when value.Length == 1 => string.Create(CultureInfo.InvariantCulture, $"keep-san {value[0]}"),
        9 when value.Length == 1 => string.Create(CultureInfo.InvariantCulture, $"skip-san-boot {value[0]}"),
        176 when value.Length == 1 => string.Create(CultureInfo.InvariantCulture, $"no-pxedhcp {value[0]}"),
        _ => string.Create(CultureInfo.InvariantCulture, $"sub-option {code}: {ValueText.TextOrHex(value)}"),
    };

    private static string FeatureName(byte code) => code switch
    {
        0x10 => "pxe-ext",
        0x11 => "iscsi",
        0x12 => "aoe",
        0x13 => "http",
        0x14 => "https",
        0x15 => "tftp",
        0x16 => "ftp",
        0x17 => "dns",
        0x18 => "bzimage",
        0x19 => "multiboot",
        0x1a => "slam",
        0x1b => "srp",
        0x20 => "nbi",
        0x21 => "pxe",
        0x22 => "elf",
        0x23 => "comboot",
        0x24 => "efi",
        0x25 => "fcoe",
        0x26 => "vlan",
        0x27 => "menu",
        0x28 => "sdi",
        0x29 => "nfs",
        _ => string.Create(CultureInfo.InvariantCulture, $"feature-{code}"),
    };
}

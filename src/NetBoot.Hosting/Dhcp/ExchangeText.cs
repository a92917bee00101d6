using System.Globalization;
using NetBoot.Engine;
using NetBoot.Wire.Dhcp;
using NetBoot.Wire.Pxe;

namespace NetBoot.Hosting.Dhcp;

/// <summary>What the client asked, for the end of the one-line exchange log:
/// <c>DHCPDISCOVER on 67, arch 7 X64Uefi, PXEClient:Arch:00007:UNDI:003000</c>.</summary>
internal static class ExchangeText
{
    public static string Asked(DhcpMessage request, ushort localPort)
    {
        var parts = new List<string>(4)
        {
            string.Create(CultureInfo.InvariantCulture, $"{MessageName(request.MessageType)} on {localPort}"),
        };
        var architectures = request.Options.ClientArchitectures;
        if (!architectures.IsDefaultOrEmpty)
        {
            var first = architectures[0];
            var name = Enum.IsDefined((ClientArchitecture)first) ? ((ClientArchitecture)first).ToString() : "unknown";
            parts.Add(string.Create(CultureInfo.InvariantCulture, $"arch {first} {name}"));
        }
        if (localPort == DhcpRequest.PxePort && BootItem(request) is { } item)
        {
            parts.Add(string.Create(CultureInfo.InvariantCulture, $"boot item 0x{item.Type:x4} layer {item.Layer}"));
        }
        if (request.Options.TryGetString(DhcpOptionCode.VendorClassIdentifier, out var vendorClass))
        {
            parts.Add(vendorClass);
        }
        return string.Join(", ", parts);
    }

    private static string MessageName(DhcpMessageType? type) =>
        type is { } t ? "DHCP" + t.ToString().ToUpperInvariant() : "BOOTP";

    private static PxeBootItem? BootItem(DhcpMessage request) =>
        request.Options.TryGet(DhcpOptionCode.VendorSpecificInformation, out var data)
        && PxeVendorOptions.TryDecode(data.AsSpan(), out var subOptions, out _)
        && PxeVendorOptions.TryGetBootItem(subOptions, out var item)
            ? item
            : null;
}

using System.Globalization;
using NetBoot.Engine;
using NetBoot.Wire.Dhcp;
using NetBoot.Wire.Pxe;
using NetBoot.Wire.Rendering;

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
        if (OptionText(request, DhcpOptionCode.VendorClassIdentifier) is { } vendorClass)
        {
            parts.Add(vendorClass);
        }
        return string.Join(", ", parts);
    }

    /// <summary>A text option the client sent (60, 77, 12…), escaped for the log (<see cref="LogText"/>): a newline or
    /// an ESC in it cannot start a forged line. Trailing NULs (Windows terminates its strings) are left out.</summary>
    public static string? OptionText(DhcpMessage request, DhcpOptionCode code) =>
        request.Options.TryGet(code, out var data) ? LogText.Escape(ValueText.TrimTrailingNuls(data.AsSpan())) : null;

    private static string MessageName(DhcpMessageType? type) =>
        type is { } t ? "DHCP" + t.ToString().ToUpperInvariant() : "BOOTP";

    private static PxeBootItem? BootItem(DhcpMessage request) =>
        request.Options.TryGet(DhcpOptionCode.VendorSpecificInformation, out var data)
        && PxeVendorOptions.TryDecode(data.AsSpan(), out var subOptions, out _)
        && PxeVendorOptions.TryGetBootItem(subOptions, out var item)
            ? item
            : null;
}

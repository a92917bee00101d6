using NetBoot.Wire.Dhcp;
using NetBoot.Wire.Pxe;
using NetBoot.Wire.Rendering;

namespace NetBoot.Hosting.Dhcp;

/// <summary>The values of the one-line exchange log that are text (events 1100–1130): each goes into a field of its
/// own, so the line reads <c>[DHCPDISCOVER on 67, arch 7 X64Uefi, PXEClient:Arch:00007:UNDI:003000]</c> while a
/// structured sink sees MessageType, Port, ClientArchitecture, ArchitectureName and VendorClass apart.</summary>
internal static class ExchangeText
{
    /// <summary>A text option the client sent (60, 77, 12…), escaped for the log (<see cref="LogText"/>): a newline or
    /// an ESC in it cannot start a forged line. Trailing NULs (Windows terminates its strings) are left out.</summary>
    public static string? OptionText(DhcpMessage request, DhcpOptionCode code) =>
        request.Options.TryGet(code, out var data) ? LogText.Escape(ValueText.TrimTrailingNuls(data.AsSpan())) : null;

    /// <summary>dnsmasq's name of the message type: <c>DHCPDISCOVER</c>, or <c>BOOTP</c> without option 53.</summary>
    public static string MessageName(DhcpMessageType? type) =>
        type is { } t ? "DHCP" + t.ToString().ToUpperInvariant() : "BOOTP";

    /// <summary>The name of an option 93 value (RFC 4578 §2.1, IANA registry), <c>unknown</c> past the known ones.</summary>
    public static string ArchitectureName(ushort architecture) =>
        Enum.IsDefined((ClientArchitecture)architecture) ? ((ClientArchitecture)architecture).ToString() : "unknown";
}

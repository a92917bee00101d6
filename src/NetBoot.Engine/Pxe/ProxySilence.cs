using NetBoot.Wire.Net;
using NetBoot.Wire.Pxe;

namespace NetBoot.Engine.Pxe;

/// <summary>Why the proxy path (<see cref="DhcpEngine.Decide(DhcpRequest, Configuration.Model.ServerConfig)"/>: the
/// checks every request passes, then <see cref="ProxyDhcpResponder"/> and <see cref="BootServerResponder"/>) sends
/// nothing, finer than <see cref="NoReplyReason"/>, which names the drop for the counters.</summary>
public enum ProxySilenceReason
{
    /// <summary>DHCP is not served on the arrival interface (interface / except-interface / no-dhcp-interface).</summary>
    InterfaceNotServed,
    /// <summary>No dhcp-range for the network the request comes from (dnsmasq: "no address range available for DHCP
    /// request via eth0"); the relay's address when relayed.</summary>
    NoRangeForNetwork,
    /// <summary>The datagram is a BOOTREPLY.</summary>
    BootReply,
    /// <summary>htype / hlen give no hardware address NetBoot can tell clients apart by.</summary>
    UnusableHardwareAddress,
    /// <summary>BOOTP (no option 53): a proxy gives no address, which BOOTP needs.</summary>
    BootpNotProxied,
    /// <summary>No option 60: not a PXE client.</summary>
    NoVendorClass,
    /// <summary>Option 60 does not start with a PXE vendor (PXEClient, dhcp-pxe-vendor, HTTPClient).</summary>
    NotPxeVendorClass,
    /// <summary>No pxe-service or pxe-prompt is configured (dnsmasq CHANGELOG 2.51: no PXE processing at all).</summary>
    PxeNotEnabled,
    /// <summary>A PXE client without option 93: proxy DHCP answers only clients that say which boot file they can run.</summary>
    NoClientArchitecture,
    /// <summary>A DHCPREQUEST on 67 is for the server that leases addresses; a proxy answers requests on 4011 only.</summary>
    RequestOnServerPort,
    /// <summary>Not part of the proxy exchange (DHCPDISCOVER on 67, DHCPREQUEST on 4011).</summary>
    NotAProxyMessage,
    /// <summary>No dhcp-range with 'proxy' on the client's network (the relay's address when relayed).</summary>
    NoProxyRange,
    /// <summary>The proxy dhcp-range has tag: conditions this client does not meet (the relay's address when relayed).</summary>
    ProxyRangeTagsNotMet,
    /// <summary>dhcp-ignore / dhcp-host ignore matches the client (dnsmasq: "proxy-ignored").</summary>
    Ignored,
    /// <summary>A UEFI HTTP Boot client, and no dhcp-boot with an http:// URL for its tags.</summary>
    NoHttpBootUrl,
    /// <summary>The boot item asks for PXE BIS credentials (layer bit 15), which NetBoot does not support.</summary>
    BootIntegrityServices,
    /// <summary>No pxe-service has the asked boot item's type.</summary>
    NoServiceOfType,
    /// <summary>The pxe-service of the asked type has no boot file here (local boot, or another boot server).</summary>
    ServiceWithoutBootFile,
    /// <summary>The boot-server request comes from an address (ciaddr) in no dhcp-range served here.</summary>
    ClientAddressNotServed,
}

/// <summary>A request the proxy path does not answer, as the values its log line names (events 1101/1102 and the
/// variants with a value); the request itself gives the message type, the port, the interface and the client.</summary>
/// <param name="Address">The address the reason is about: the relay's (giaddr) for the range reasons of a relayed
/// request, the client's (ciaddr) for <see cref="ProxySilenceReason.ClientAddressNotServed"/>; 0.0.0.0 otherwise.</param>
/// <param name="BootItem">The asked boot item (option 43 sub-option 71), for the boot-server reasons.</param>
/// <param name="HardwareType">For <see cref="ProxySilenceReason.UnusableHardwareAddress"/>: <c>htype</c>.</param>
/// <param name="HardwareAddressLength">For <see cref="ProxySilenceReason.UnusableHardwareAddress"/>: <c>hlen</c>.</param>
public sealed record ProxySilence(
    ProxySilenceReason Reason,
    IPv4Address Address = default,
    PxeBootItem? BootItem = null,
    byte HardwareType = 0,
    byte HardwareAddressLength = 0)
{
    /// <summary>The counters' name of the drop.</summary>
    public NoReplyReason DropReason => Reason switch
    {
        ProxySilenceReason.InterfaceNotServed => NoReplyReason.NotForUs,
        ProxySilenceReason.NoRangeForNetwork or ProxySilenceReason.NoProxyRange or ProxySilenceReason.ProxyRangeTagsNotMet
            or ProxySilenceReason.ClientAddressNotServed => NoReplyReason.NoMatchingRange,
        ProxySilenceReason.BootReply or ProxySilenceReason.UnusableHardwareAddress => NoReplyReason.NotADhcpMessage,
        ProxySilenceReason.BootpNotProxied or ProxySilenceReason.NotAProxyMessage => NoReplyReason.UnsupportedMessageType,
        ProxySilenceReason.NoVendorClass or ProxySilenceReason.NotPxeVendorClass => NoReplyReason.NotAPxeClient,
        ProxySilenceReason.PxeNotEnabled => NoReplyReason.PxeNotEnabled,
        ProxySilenceReason.NoClientArchitecture => NoReplyReason.NoClientArchitecture,
        ProxySilenceReason.RequestOnServerPort => NoReplyReason.RequestOnServerPort,
        ProxySilenceReason.Ignored => NoReplyReason.Ignored,
        ProxySilenceReason.NoHttpBootUrl or ProxySilenceReason.NoServiceOfType or ProxySilenceReason.ServiceWithoutBootFile
            => NoReplyReason.NoBootService,
        ProxySilenceReason.BootIntegrityServices => NoReplyReason.BootIntegrityServicesNotSupported,
        _ => throw new ArgumentOutOfRangeException(nameof(Reason), Reason, "a proxy silence without a drop reason"),
    };

    /// <summary>The same in words, for the dashboard's "not answered: …".</summary>
    public string Describe()
    {
        var what = Reason switch
        {
            ProxySilenceReason.InterfaceNotServed => "DHCP is not served on this interface (interface / except-interface / no-dhcp-interface)",
            ProxySilenceReason.NoRangeForNetwork => "no address range available for DHCP request",
            ProxySilenceReason.BootReply => "the datagram is a BOOTREPLY, not a request",
            ProxySilenceReason.UnusableHardwareAddress => $"htype {HardwareType} hlen {HardwareAddressLength}: not a client NetBoot can tell apart",
            ProxySilenceReason.BootpNotProxied => "BOOTP request (no option 53) is not answered by proxy DHCP",
            ProxySilenceReason.NoVendorClass => "not a PXE client (no option 60)",
            ProxySilenceReason.NotPxeVendorClass => "not a PXE client (option 60 does not start with a PXE vendor)",
            ProxySilenceReason.PxeNotEnabled => "no pxe-service or pxe-prompt is configured",
            ProxySilenceReason.NoClientArchitecture => "PXE client sent no client architecture (option 93)",
            ProxySilenceReason.RequestOnServerPort => "DHCPREQUEST on 67 is for the DHCP server that leases addresses",
            ProxySilenceReason.NotAProxyMessage => "not part of the proxy DHCP exchange (DHCPDISCOVER on 67, DHCPREQUEST on 4011)",
            ProxySilenceReason.NoProxyRange => "no dhcp-range with 'proxy' on the client's network",
            ProxySilenceReason.ProxyRangeTagsNotMet => "the proxy dhcp-range has tag: conditions this client does not meet",
            ProxySilenceReason.Ignored => "matches dhcp-ignore (proxy-ignored)",
            ProxySilenceReason.NoHttpBootUrl => "HTTP boot client, and no dhcp-boot with an http:// URL for its tags",
            ProxySilenceReason.BootIntegrityServices => $"{BootItemText()} with BIS credentials (PXE BIS not supported)",
            ProxySilenceReason.NoServiceOfType => $"{BootItemText()}: no pxe-service has that type",
            ProxySilenceReason.ServiceWithoutBootFile => $"{BootItemText()}: no boot file here (local boot or another boot server)",
            ProxySilenceReason.ClientAddressNotServed => "boot file asked from an address in no dhcp-range served here",
            _ => Reason.ToString(),
        };
        return Address.IsZero ? what
            : Reason == ProxySilenceReason.ClientAddressNotServed ? $"{Address}: {what}"
            : $"{what} (via relay {Address})";
    }

    private string BootItemText() =>
        BootItem is { } item ? $"boot item 0x{item.Type:x4} layer {item.Layer}" : "boot item";
}

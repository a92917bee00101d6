using NetBoot.Interop.Tests.Lab;

namespace NetBoot.Interop.Tests.Uefi;

/// <summary>
/// An IPv6-only boot segment (no DHCPv4 anywhere): one server gives router advertisements (M flag), DHCPv6 leases
/// from <see cref="LabNetwork.Ipv6PoolStart"/>, option 59 boot URLs, TFTP and HTTP. The root holds Debian's
/// <c>ipxe.efi</c> and an iPXE script that prints a unique marker. Classification as in dnsmasq's documentation:
/// UEFI PXEv6 (vendor class <c>PXEClient</c>, arch 7) gets <c>tftp://…/ipxe.efi</c>, UEFI HTTP Boot (vendor class
/// <c>HTTPClient</c>, enterprise 343) <c>http://…/ipxe.efi</c>, iPXE (user class <c>iPXE</c>) the script URL.
/// </summary>
public sealed record Ipv6BootScenario(string Root, string ConfigPath, string Marker)
{
    public const int HttpPort = 8080;
    public const string Script = "boot.ipxe";
    public const string EfiBootFile = "ipxe.efi";

    private const string IpxeDirectory = "/usr/lib/ipxe";

    public static string TftpUrl => $"tftp://[{LabNetwork.ServerIpv6Address}]/{EfiBootFile}";

    public static string HttpBase => $"http://[{LabNetwork.ServerIpv6Address}]:{HttpPort}";

    /// <param name="dnsmasqSelfCheck">Write the configuration for dnsmasq 2.90 itself (the lab's self-check), which
    /// needs what NetBoot does on its own: option 16 echoed to HTTP Boot (EDK2 takes an HTTP offer only if option 16
    /// carries "HTTPClient" at byte 6; dnsmasq writes option 16 as length-prefixed strings without an enterprise
    /// number, so "xx" fills bytes 0 to 3 and the second string's length bytes 4 and 5). dnsmasq matches a DHCPv6
    /// vendor class only with its enterprise number (343, which EDK2 sends).</param>
    public static Ipv6BootScenario Create(string workDirectory, bool dnsmasqSelfCheck)
    {
        var root = Path.Combine(workDirectory, "root");
        Directory.CreateDirectory(root);
        File.Copy(Path.Combine(IpxeDirectory, EfiBootFile), Path.Combine(root, EfiBootFile));
        var marker = $"NETBOOT-IPV6-{Guid.NewGuid():N}"[..26];
        File.WriteAllText(Path.Combine(root, Script), $"""
            #!ipxe
            echo {marker}

            """);
        var config = Path.Combine(workDirectory, dnsmasqSelfCheck ? "dnsmasq.conf" : "netboot.conf");
        var http = dnsmasqSelfCheck
            ? "dhcp-option-force=tag:efi-http,option6:16,xx,HTTPClient"
            : $"http-port={HttpPort}";
        File.WriteAllText(config, $"""
            port=0
            log-dhcp
            dhcp-authoritative
            enable-ra
            dhcp-range={LabNetwork.Ipv6PoolStart},{LabNetwork.Ipv6PoolEnd},64,1h
            enable-tftp
            tftp-root={root}
            dhcp-userclass=set:ipxe,iPXE
            dhcp-vendorclass=set:efi-http,enterprise:343,HTTPClient
            {http}
            dhcp-option=tag:!ipxe,tag:!efi-http,option6:bootfile-url,{TftpUrl}
            dhcp-option=tag:!ipxe,tag:efi-http,option6:bootfile-url,{HttpBase}/{EfiBootFile}
            dhcp-option=tag:ipxe,option6:bootfile-url,{HttpBase}/{Script}

            """);
        return new Ipv6BootScenario(root, config, marker);
    }

    /// <summary>What <see cref="Servers.NetBootServer.Start"/> takes: only the configuration path is used.</summary>
    public LtspScenario AsServerScenario() => new(Root, ConfigPath, Marker);
}

using System.Collections.Immutable;
using NetBoot.Configuration.Model;
using NetBoot.Configuration.Parsing;
using NetBoot.Wire.Net;

namespace NetBoot.Hosting.Tests;

public class ServerNameResolutionTests
{
    private const string Hosts = """
        127.0.0.1   localhost
        # the boot servers
        192.168.1.20 ris.example.org ris   # Windows deployment
        ::1 ip6-localhost
        192.168.1.21 tftp1
        """;

    [Fact]
    public void Hosts_text_maps_names_and_aliases_to_their_first_ipv4_address()
    {
        var hosts = ServerNameResolution.ParseHosts(Hosts);
        Assert.Equal(IPv4Address.Parse("192.168.1.20"), hosts["ris"]);
        Assert.Equal(IPv4Address.Parse("192.168.1.20"), hosts["RIS.example.org"]);
        Assert.False(hosts.ContainsKey("ip6-localhost"));
    }

    [Fact]
    public void Pxe_service_and_dhcp_boot_names_become_addresses_and_unknown_names_are_warned_about()
    {
        var loaded = DnsmasqConfigReader.Parse("""
            dhcp-range=192.168.1.0,proxy
            pxe-service=x86PC,"Install windows",1,ris
            pxe-service=x86PC,"Other",pxelinux,nosuchhost
            dhcp-boot=pxelinux.0,bootserver,tftp1
            """, "test.conf");
        Assert.True(loaded.IsValid, string.Join("; ", loaded.Errors));

        var resolved = ServerNameResolution.Apply(loaded.Config!, ServerNameResolution.ParseHosts(Hosts));

        Assert.Equal("192.168.1.20", resolved.PxeServices[0].Server);
        Assert.Equal("nosuchhost", resolved.PxeServices[1].Server);
        Assert.Equal("192.168.1.21", resolved.BootFiles[0].ServerAddress);
        var warning = Assert.Single(resolved.Notices, n => n.Kind == ConfigNoticeKind.Warning && n.Directive == "pxe-service");
        Assert.Contains("'nosuchhost'", warning.Message, StringComparison.Ordinal);
        Assert.Equal(3, warning.Source.Line);
    }

    [Fact]
    public void Embedded_default_configuration_is_valid_and_serves_each_interface_subnet_by_proxy()
    {
        var interfaces = ImmutableArray.Create(
            new Net.HostInterface("lo", 1, 65536, true, [(IPv4Address.Parse("127.0.0.1"), IPv4Address.MaskFromPrefix(8))]),
            new Net.HostInterface("eth0", 2, 1500, false, [(IPv4Address.Parse("192.168.1.10"), IPv4Address.MaskFromPrefix(24))]));

        var loaded = DnsmasqConfigReader.Parse(DefaultConfiguration.Generate(interfaces, "/srv/netboot/tftpboot"), "embedded default");

        Assert.True(loaded.IsValid, string.Join("; ", loaded.Errors));
        var range = Assert.Single(loaded.Config!.Ranges);
        Assert.Equal(DhcpRangeMode.Proxy, range.Mode);
        Assert.Equal(IPv4Address.Parse("192.168.1.0"), range.Start);
        Assert.True(loaded.Config.Tftp.IsEnabled);
        Assert.Equal("/srv/netboot/tftpboot", loaded.Config.Tftp.Root);
        Assert.Contains(loaded.Config.PxeServices, s => s.Architecture == 0);
        Assert.Contains(loaded.Config.PxeServices, s => s.Architecture == 7);
    }
}

using NetBoot.Configuration.Parsing;
using NetBoot.Engine.Ra;
using NetBoot.Hosting.Ra;
using NetBoot.Wire.Net;

namespace NetBoot.Hosting.Tests.Ra;

public sealed class RouterAdvertisementSummaryTests
{
    private static readonly RaLinkState Eth0 = new("eth0", [0x52, 0x54, 0, 0x12, 0x34, 0x56], 1500, 64,
        [RaInterfaceAddress.Permanent(IPv6Address.Parse("fe80::1"), 64), RaInterfaceAddress.Permanent(IPv6Address.Parse("2001:db8:1::1"), 64)]);

    private static readonly RaLinkState Eth1 = new("eth1", [], 1500, 64, [RaInterfaceAddress.Permanent(IPv6Address.Parse("fe80::2"), 64)]);

    [Fact]
    public void Check_shows_the_RA_each_interface_would_send_or_why_none()
    {
        var config = DnsmasqConfigReader.Parse("ra-param=eth0,high,60\ndhcp-range=2001:db8:1::,ra-stateless,64,1h\ndhcp-option=option6:dns-server,[::]", "ra.conf").Config!;

        var text = RouterAdvertisementSummary.Render(config, [Eth1, Eth0]);

        Assert.Equal("""

            Router advertisements (planned from this host's interfaces now)
              eth0 from fe80::1: M=0 O=1 preference high, router lifetime 180 s, every 60 s at most, MTU 1500
                prefix 2001:db8:1::/64 on-link autonomous (SLAAC), valid 3600 s, preferred 3600 s
                RDNSS 2001:db8:1::1, lifetime 3600 s
              eth1: none (no dhcp-range with an RA mode matches an address of this interface (enable-ra is off))

            """.Replace("\r\n", "\n", StringComparison.Ordinal), text);
    }

    [Fact]
    public void Nothing_is_shown_when_no_RA_is_configured()
    {
        var config = DnsmasqConfigReader.Parse("dhcp-range=2001:db8:1::10,2001:db8:1::20", "ra.conf").Config!;

        Assert.Empty(RouterAdvertisementSummary.Render(config, [Eth0]));
    }
}

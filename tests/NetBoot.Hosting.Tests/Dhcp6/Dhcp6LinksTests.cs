using System.Net;
using NetBoot.Configuration.Model;
using NetBoot.Configuration.Parsing;
using NetBoot.Hosting.Dhcp6;
using NetBoot.Wire.Dhcp6;
using NetBoot.Wire.Net;

namespace NetBoot.Hosting.Tests.Dhcp6;

public sealed class Dhcp6LinksTests
{
    private static ServerConfig Config(string text)
    {
        var loaded = DnsmasqConfigReader.Parse("port=0\n" + text, "dhcp6.conf");
        Assert.True(loaded.IsValid, string.Join("; ", loaded.Errors));
        return loaded.Config!;
    }

    private static Ipv6Interface Nic(string name, int index, params string[] addresses) =>
        new(name, index, [.. addresses.Select(a => new Ipv6InterfaceAddress(IPv6Address.Parse(a.Split('/')[0]), int.Parse(a.Split('/')[1], System.Globalization.CultureInfo.InvariantCulture)))]);

    [Fact]
    public void Literal_range_is_on_the_interface_with_a_global_address_on_its_prefix()
    {
        var config = Config("dhcp-range=2001:db8:1::100,2001:db8:1::1ff,64,1h\ndhcp-range=2001:db8:2::100,2001:db8:2::1ff,64,1h");

        var link = Dhcp6Links.Build(config, Nic("eth1", 3, "fe80::1/64", "2001:db8:2::1/64"));

        Assert.NotNull(link);
        Assert.Equal("eth1", link.InterfaceName);
        Assert.Equal(IPv6Address.Parse("2001:db8:2::1"), link.ServerAddress);
        var range = Assert.Single(link.Ranges);
        Assert.Equal(IPv6Address.Parse("2001:db8:2::100"), range.Start);
    }

    [Fact]
    public void Interface_with_only_a_link_local_address_or_another_prefix_is_not_served()
    {
        var config = Config("dhcp-range=2001:db8:1::100,2001:db8:1::1ff,64,1h");

        Assert.Null(Dhcp6Links.Build(config, Nic("eth0", 2, "fe80::1/64")));
        Assert.Null(Dhcp6Links.Build(config, Nic("eth0", 2, "fe80::1/64", "2001:db8:9::1/64")));
    }

    [Fact]
    public void Constructor_range_takes_the_prefix_of_each_global_address_of_the_named_interface()
    {
        var config = Config("dhcp-range=::100,::1ff,constructor:eth*,64,1h");

        var link = Dhcp6Links.Build(config, Nic("eth0", 2, "fe80::1/64", "2001:db8:5::1/64", "2001:db8:5::2/64", "fd00:7::1/64"));

        Assert.NotNull(link);
        Assert.Equal(
            [("2001:db8:5::100", "2001:db8:5::1ff"), ("fd00:7::100", "fd00:7::1ff")],
            link.Ranges.Select(r => (r.Start.ToString(), r.End.ToString())));
        Assert.Null(Dhcp6Links.Build(config, Nic("wlan0", 4, "2001:db8:6::1/64")));
    }

    [Fact]
    public void Stateless_range_is_served_router_advertisement_only_range_is_not()
    {
        var stateless = Config("dhcp-range=2001:db8:1::,ra-stateless");
        var raOnly = Config("dhcp-range=2001:db8:1::,ra-only");

        Assert.True(Dhcp6Links.Serves(stateless));
        Assert.NotNull(Dhcp6Links.Build(stateless, Nic("eth0", 2, "2001:db8:1::1/64")));
        Assert.False(Dhcp6Links.Serves(raOnly));
        Assert.Null(Dhcp6Links.Build(raOnly, Nic("eth0", 2, "2001:db8:1::1/64")));
    }

    [Fact]
    public void Interface_left_out_by_except_interface_is_not_served()
    {
        var config = Config("dhcp-range=2001:db8:1::100,2001:db8:1::1ff,64,1h\nexcept-interface=eth0");

        Assert.Null(Dhcp6Links.Build(config, Nic("eth0", 2, "2001:db8:1::1/64")));
        Assert.NotNull(Dhcp6Links.Build(config, Nic("eth1", 3, "2001:db8:1::1/64")));
    }

    [Fact]
    public void Tentative_address_does_not_put_a_range_on_the_interface()
    {
        var config = Config("dhcp-range=2001:db8:1::100,2001:db8:1::1ff,64,1h");
        var nic = new Ipv6Interface("eth0", 2, [new Ipv6InterfaceAddress(IPv6Address.Parse("2001:db8:1::1"), 64, Tentative: true)]);

        Assert.Null(Dhcp6Links.Build(config, nic));
    }

    [Fact]
    public void Reply_to_a_client_goes_to_its_link_local_address_port_546_scoped_to_the_arrival_interface()
    {
        var solicit = new Dhcp6Message { Type = Dhcp6MessageType.Solicit, TransactionId = 1 };

        var destination = Dhcp6Links.ReplyDestination(solicit, new IPEndPoint(IPAddress.Parse("fe80::5054:ff:fe12:3456"), 546), 7);

        Assert.Equal(IPAddress.Parse("fe80::5054:ff:fe12:3456%7"), destination.Address);
        Assert.Equal(7, destination.Address.ScopeId);
        Assert.Equal(546, destination.Port);
    }

    [Fact]
    public void Relay_reply_goes_back_to_the_relay_agent_at_the_port_it_sent_from()
    {
        var relayed = new Dhcp6RelayMessage
        {
            Type = Dhcp6MessageType.RelayForward,
            LinkAddress = IPv6Address.Parse("2001:db8:1::1"),
            PeerAddress = IPv6Address.Parse("fe80::1"),
            Relayed = new Dhcp6Message { Type = Dhcp6MessageType.Solicit, TransactionId = 1 },
        };

        Assert.Equal(new IPEndPoint(IPAddress.Parse("2001:db8:ff::1"), 547),
            Dhcp6Links.ReplyDestination(relayed, new IPEndPoint(IPAddress.Parse("2001:db8:ff::1"), 547), 7));
        // RFC 8357: a relay agent on another port gets its answer there.
        Assert.Equal(4547, Dhcp6Links.ReplyDestination(relayed, new IPEndPoint(IPAddress.Parse("2001:db8:ff::1"), 4547), 7).Port);
    }

    [Fact]
    public void Relayed_message_gets_every_range_whatever_interface_the_relay_reached()
    {
        var config = Config("dhcp-range=2001:db8:1::100,2001:db8:1::1ff,64,1h\ndhcp-range=::100,::1ff,constructor:eth0,64,1h");
        var eth0 = Nic("eth0", 2, "2001:db8:5::1/64");
        var uplink = Nic("eth9", 9, "2001:db8:ff::2/64");
        var relayed = new Dhcp6RelayMessage
        {
            Type = Dhcp6MessageType.RelayForward,
            LinkAddress = IPv6Address.Parse("2001:db8:1::1"),
            PeerAddress = IPv6Address.Parse("fe80::1"),
            Relayed = new Dhcp6Message { Type = Dhcp6MessageType.Solicit, TransactionId = 1 },
        };

        var link = Dhcp6Links.ForRelay(config, relayed, uplink, [eth0, uplink]);

        Assert.NotNull(link);
        Assert.Equal("eth9", link.InterfaceName);
        Assert.Equal(IPv6Address.Parse("2001:db8:ff::2"), link.ServerAddress);
        Assert.Equal(["2001:db8:1::100", "2001:db8:5::100"], link.Ranges.Select(r => r.Start.ToString()));
    }

    [Fact]
    public void Relayed_message_without_a_global_link_address_and_a_direct_one_use_the_arrival_link()
    {
        var config = Config("dhcp-range=2001:db8:1::100,2001:db8:1::1ff,64,1h");
        var nic = Nic("eth0", 2, "2001:db8:1::1/64");
        var solicit = new Dhcp6Message { Type = Dhcp6MessageType.Solicit, TransactionId = 1 };
        var linkLocalRelay = new Dhcp6RelayMessage
        {
            Type = Dhcp6MessageType.RelayForward, LinkAddress = IPv6Address.Parse("fe80::1"), PeerAddress = IPv6Address.Parse("fe80::2"), Relayed = solicit,
        };

        Assert.Null(Dhcp6Links.ForRelay(config, solicit, nic, [nic]));
        Assert.Null(Dhcp6Links.ForRelay(config, linkLocalRelay, nic, [nic]));
    }

    [Fact]
    public void Server_duid_is_dhcp_duid_when_configured()
    {
        var configured = Duid.Enterprise(43793, [1, 2, 3, 4]);
        var nic = Nic("eth0", 2, "2001:db8:1::1/64") with { HardwareAddress = HardwareAddress.Ethernet([0x52, 0x54, 0, 1, 2, 3]) };

        Assert.Equal(configured, Dhcp6Links.ServerDuid(configured, [nic], [nic], DateTimeOffset.UnixEpoch));
    }

    [Fact]
    public void Server_duid_is_a_duid_llt_from_the_first_served_interface_mac()
    {
        var other = Nic("eth0", 2) with { HardwareAddress = HardwareAddress.Ethernet([0x52, 0x54, 0, 9, 9, 9]) };
        var served = Nic("eth1", 3, "2001:db8:1::1/64") with { HardwareAddress = HardwareAddress.Ethernet([0x52, 0x54, 0, 1, 2, 3]) };
        var now = new DateTimeOffset(2026, 12, 7, 0, 0, 0, TimeSpan.Zero);

        var duid = Dhcp6Links.ServerDuid(null, [served], [other, served], now);

        Assert.Equal(DuidType.LinkLayerPlusTime, duid.Type);
        Assert.True(duid.TryGetLinkLayerAddress(out var mac));
        Assert.Equal(served.HardwareAddress, mac);
        Assert.True(duid.TryGetTime(out var time));
        Assert.Equal(now, time);
    }

    [Fact]
    public void Server_duid_without_any_mac_is_a_duid_llt_from_a_locally_administered_address()
    {
        var duid = Dhcp6Links.ServerDuid(null, [], [Nic("lo", 1, "::1/128")], DateTimeOffset.UnixEpoch.AddYears(40));

        Assert.True(duid.TryGetLinkLayerAddress(out var mac));
        Assert.Equal(0x02, mac.Bytes[0] & 0x03);
    }
}

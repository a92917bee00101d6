using NetBoot.Hosting.Dhcp6;
using NetBoot.Wire.Dhcp6;
using NetBoot.Wire.Net;

namespace NetBoot.Hosting.Tests.Dhcp6;

public sealed class Ipv6InterfacesTests
{
    [Fact]
    public void If_inet6_lines_are_grouped_by_interface_with_prefix_length_and_dad_state()
    {
        const string Text = """
            00000000000000000000000000000001 01 80 10 80       lo
            fe80000000000000505400fffe123456 03 40 20 80     eth0
            20010db8000100000000000000000001 03 40 00 80     eth0
            20010db8000200000000000000000001 04 40 00 40     eth1
            20010db8000300000000000000000001 04 40 00 08     eth1
            garbage
            """;

        var interfaces = Ipv6Interfaces.Parse(Text);

        Assert.Equal(["lo", "eth0", "eth1"], interfaces.Select(i => i.Name));
        var eth0 = interfaces[1];
        Assert.Equal(3, eth0.Index);
        Assert.Equal(IPv6Address.Parse("fe80::5054:ff:fe12:3456"), eth0.LinkLocal);
        Assert.Equal([(IPv6Address.Parse("2001:db8:1::1"), 64)], eth0.Global.Select(a => (a.Address, a.PrefixLength)));
        // Tentative (0x40): listed, not usable; DAD failed (0x08): left out.
        var eth1 = Assert.Single(interfaces[2].Addresses);
        Assert.True(eth1.Tentative);
        Assert.Empty(interfaces[2].Global);
        Assert.Empty(interfaces[0].Global);
    }

    [Theory]
    [InlineData(Dhcp6MessageType.Solicit, "DHCPSOLICIT")]
    [InlineData(Dhcp6MessageType.Advertise, "DHCPADVERTISE")]
    [InlineData(Dhcp6MessageType.Reply, "DHCPREPLY")]
    [InlineData(Dhcp6MessageType.InformationRequest, "DHCPINFORMATION-REQUEST")]
    public void Message_names_are_dnsmasq_s(Dhcp6MessageType type, string name) => Assert.Equal(name, Dhcp6Text.MessageName(type));

    [Fact]
    public void Metric_names_are_lower_case_and_drawn_from_fixed_sets()
    {
        Assert.Equal("information-request", Dhcp6Text.MetricName(Dhcp6MessageType.InformationRequest));
        Assert.Equal("relay-forw", Dhcp6Text.MetricName(Dhcp6MessageType.RelayForward));
        Assert.Equal("no_matching_range", Dhcp6Text.MetricName(Engine.Dhcp6.Dhcp6DropReason.NoMatchingRange));
    }

    [Fact]
    public void Leases_are_counted_by_state_active_ones_only_every_state_present()
    {
        var now = DateTimeOffset.UnixEpoch.AddYears(50);
        var duid = Duid.LinkLayer(HardwareAddress.Ethernet([2, 0, 0, 0, 0, 1]));
        Engine.Dhcp6.Ipv6Lease Lease(string address, Engine.Dhcp6.Ipv6LeaseState state, int minutes) =>
            new(duid, 1, IPv6Address.Parse(address), TimeSpan.FromHours(1), TimeSpan.FromHours(1), now.AddMinutes(minutes), state);

        var counts = Dhcp6Text.CountByState(
            [Lease("2001:db8::1", Engine.Dhcp6.Ipv6LeaseState.Bound, 10), Lease("2001:db8::2", Engine.Dhcp6.Ipv6LeaseState.Bound, -1),
             Lease("2001:db8::3", Engine.Dhcp6.Ipv6LeaseState.Offered, 1)], now);

        Assert.Equal([("offered", 1L), ("bound", 1L), ("declined", 0L)], counts);
    }

    [Fact]
    public void Reply_reads_as_its_addresses_or_the_responder_summary_when_it_gives_none()
    {
        var address = new Dhcp6IaAddress(IPv6Address.Parse("2001:db8::5"), TimeSpan.FromHours(1), TimeSpan.FromHours(1), Dhcp6OptionList.Empty).ToOption();
        var given = new Dhcp6Message
        {
            Type = Dhcp6MessageType.Reply,
            Options = new Dhcp6OptionList([new Dhcp6IaNa(1, TimeSpan.Zero, TimeSpan.Zero, new Dhcp6OptionList([address])).ToOption()]),
        };
        var none = new Dhcp6Message { Type = Dhcp6MessageType.Reply };

        Assert.Equal("2001:db8::5", Dhcp6Text.Addresses(given, "Reply(eth0) 2001:db8::5"));
        Assert.Equal("release", Dhcp6Text.Addresses(none, "Reply(eth0) release"));
    }
}

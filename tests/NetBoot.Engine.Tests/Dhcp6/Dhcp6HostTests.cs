using NetBoot.Engine.Dhcp6;
using NetBoot.Wire.Dhcp6;
using NetBoot.Wire.Net;
using static NetBoot.Engine.Tests.Dhcp6.Dhcp6Harness;

namespace NetBoot.Engine.Tests.Dhcp6;

/// <summary><c>dhcp-host</c> with IPv6 addresses, as dnsmasq serves them.</summary>
public sealed class Dhcp6HostTests
{
    private const string Range = "dhcp-range=2001:db8:1::100,2001:db8:1::1ff,64,1h\n";

    private static Dhcp6Option Fqdn(string label) =>
        Dhcp6Option.Create(Dhcp6OptionCode.ClientFqdn, [0, (byte)label.Length, .. System.Text.Encoding.ASCII.GetBytes(label), 0]);

    private static Dhcp6Message Advertised(Dhcp6Harness harness, params Dhcp6Option[] extra) =>
        Reply(harness.Send(Message(Dhcp6MessageType.Solicit, [ClientId(), IaNa(1), .. extra])));

    [Theory]
    [InlineData("dhcp-host=id:00:03:00:01:52:54:00:00:00:01,[2001:db8:1::5]")]
    [InlineData("dhcp-host=52:54:00:00:00:01,[2001:db8:1::5]")]
    public void A_host_named_by_its_duid_or_by_the_mac_in_its_duid_ll_gets_its_address_on_the_prefix_outside_the_range(string host)
    {
        var harness = new Dhcp6Harness(Range + host);

        var address = AddressOf(Advertised(harness), 1);
        var bound = Reply(harness.Send(Message(Dhcp6MessageType.Request, ClientId(), ServerId(), IaNa(1, address))));
        harness.Now += TimeSpan.FromMinutes(40);
        var renewed = Reply(harness.Send(Message(Dhcp6MessageType.Renew, ClientId(), ServerId(), IaNa(1, address))));

        Assert.Equal(IPv6Address.Parse("2001:db8:1::5"), address);
        Assert.Equal(address, AddressOf(bound, 1));
        Assert.Equal(TimeSpan.FromHours(1), Assert.Single(SingleIa(renewed).Addresses).ValidLifetime);
        Assert.Equal(Ipv6LeaseState.Bound, Assert.Single(harness.Leases.All).State);
    }

    [Fact]
    public void A_host_named_only_by_name_matches_the_name_in_option_39()
    {
        var harness = new Dhcp6Harness(Range + "dhcp-host=laptop,[2001:db8:1::7]");

        Assert.Equal(IPv6Address.Parse("2001:db8:1::7"), AddressOf(Advertised(harness, Fqdn("laptop")), 1));
        Assert.InRange(AddressOf(Advertised(new Dhcp6Harness(Range + "dhcp-host=laptop,[2001:db8:1::7]"), Fqdn("desktop")), 1).Value,
            IPv6Address.Parse("2001:db8:1::100").Value, IPv6Address.Parse("2001:db8:1::1ff").Value);
    }

    [Fact]
    public void A_static_range_serves_its_hosts_and_nobody_else()
    {
        var config = "dhcp-range=2001:db8:1::,static,64,1h\ndhcp-host=52:54:00:00:00:01,[2001:db8:1::5]";

        Assert.Equal(IPv6Address.Parse("2001:db8:1::5"), AddressOf(Advertised(new Dhcp6Harness(config)), 1));
        var stranger = new Dhcp6Harness(config).Send(Message(Dhcp6MessageType.Solicit, ClientId(Duid.Enterprise(1, [9])), IaNa(1)));
        Assert.Equal(Dhcp6DropReason.NoMatchingRange, Assert.IsType<Dhcp6Drop>(stranger.Decision).Reason);
    }

    [Fact]
    public void A_host_part_alone_is_a_wildcard_on_a_constructor_range()
    {
        var harness = new Dhcp6Harness("dhcp-range=::100,::1ff,constructor:eth0,64,1h\ndhcp-host=52:54:00:00:00:01,[::5]");
        harness.Link = new Dhcp6Link("eth0", ServerAddress, [Dhcp6LinkRange.Constructed(harness.Config.Ipv6.Ranges[0], IPv6Address.Parse("2001:db8:1::1"))]);

        Assert.Equal(IPv6Address.Parse("2001:db8:1::5"), AddressOf(Advertised(harness), 1));
    }

    [Fact]
    public void An_address_reserved_for_another_host_is_never_given_from_the_pool()
    {
        var harness = new Dhcp6Harness("dhcp-range=2001:db8:1::100,2001:db8:1::100,64,1h\ndhcp-host=id:00:02:00:00:01:57:01,[2001:db8:1::100]");

        var reply = Advertised(harness);

        Assert.Equal(Dhcp6Status.NoAddrsAvail, reply.Options.StatusCode?.Code);
        Assert.Empty(harness.Leases.All);
    }

    [Fact]
    public void A_reserved_address_held_by_another_client_is_not_taken_from_it()
    {
        var harness = new Dhcp6Harness(Range + "dhcp-host=52:54:00:00:00:01,[2001:db8:1::5]");
        var other = Duid.Enterprise(1, [9]);
        harness.Leases.Apply([new Ipv6LeaseUpsert(new Ipv6Lease(other, 1, IPv6Address.Parse("2001:db8:1::5"), TimeSpan.FromHours(1), TimeSpan.FromHours(1), harness.Now.AddHours(1), Ipv6LeaseState.Bound))]);

        var address = AddressOf(Advertised(harness), 1);

        Assert.NotEqual(IPv6Address.Parse("2001:db8:1::5"), address);
    }

    [Fact]
    public void The_hosts_lease_time_and_ignore_apply()
    {
        var timed = new Dhcp6Harness(Range + "dhcp-host=52:54:00:00:00:01,[2001:db8:1::5],2h");
        var ignored = new Dhcp6Harness(Range + "dhcp-host=52:54:00:00:00:01,ignore");

        Assert.Equal(TimeSpan.FromHours(2), Assert.Single(SingleIa(Advertised(timed)).Addresses).ValidLifetime);
        var drop = Assert.IsType<Dhcp6Drop>(ignored.Send(Message(Dhcp6MessageType.Solicit, ClientId(), IaNa(1))).Decision);
        Assert.Equal(Dhcp6DropReason.IgnoredByHost, drop.Reason);
    }

    [Theory]
    [InlineData(new byte[] { 0, 6, (byte)'l', (byte)'a', (byte)'p', (byte)'t', (byte)'o', (byte)'p', 0 }, "laptop")]
    [InlineData(new byte[] { 0, 6, (byte)'l', (byte)'a', (byte)'p', (byte)'t', (byte)'o', (byte)'p' }, "laptop")]
    [InlineData(new byte[] { 0, 9, (byte)'l', (byte)'a' }, null)]
    [InlineData(new byte[] { 0, 2, (byte)'a', (byte)'.', 0 }, null)]
    [InlineData(new byte[] { 0 }, null)]
    public void The_client_name_is_the_first_label_of_option_39(byte[] data, string? name)
    {
        var message = Message(Dhcp6MessageType.Solicit, ClientId(), Dhcp6Option.Create(Dhcp6OptionCode.ClientFqdn, data));

        Assert.Equal(name, Dhcp6Hosts.ClientName(message));
    }
}

using System.Collections.Immutable;
using NetBoot.Configuration.Model;
using NetBoot.Configuration.Parsing;
using NetBoot.Engine.Ra;
using NetBoot.Wire.Icmp6;
using NetBoot.Wire.Net;

namespace NetBoot.Engine.Tests.Ra;

/// <summary>One case per rule of dnsmasq's radv.c (send_ra_alias, add_prefixes, calc_interval, calc_lifetime).</summary>
public sealed class RouterAdvertisementPlannerTests
{
    private static readonly ImmutableArray<byte> Mac = [0x52, 0x54, 0x00, 0x12, 0x34, 0x56];
    private static readonly IPv6Address LinkLocal = IPv6Address.Parse("fe80::5054:ff:fe12:3456");
    private static readonly TimeSpan Infinite = RaLifetime.Infinite;

    private static Ipv6Config Config(string text)
    {
        var result = DnsmasqConfigReader.Parse(text, "ra.conf");
        return (result.Config ?? throw new InvalidOperationException(string.Join("; ", result.Errors))).Ipv6;
    }

    private static RaLinkState Link(string name = "eth0", params RaInterfaceAddress[] global) =>
        new(name, Mac, 1500, 64, [RaInterfaceAddress.Permanent(LinkLocal, 64), .. global]);

    private static RaLinkState Eth0 => Link("eth0", RaInterfaceAddress.Permanent(IPv6Address.Parse("2001:db8:1::1"), 64));

    private static RouterAdvertisement Sent(string config, RaLinkState? link = null, Func<string, int?>? mtuOf = null)
    {
        var plan = RouterAdvertisementPlanner.Plan(Config(config), link ?? Eth0, mtuOf);
        Assert.True(plan.Sends, plan.NotSentReason?.Describe());
        Assert.Equal(LinkLocal, plan.Source);
        // Every plan encodes and decodes back to itself.
        Assert.True(NeighborDiscoveryDecoder.TryDecodeRouterAdvertisement(NeighborDiscoveryEncoder.Encode(plan.Message!), out var decoded, out var error), error.ToString());
        Assert.Equal(plan.Message, decoded);
        return plan.Message!;
    }

    private static PrefixInformation OnlyPrefix(RouterAdvertisement ra) => Assert.Single(ra.Prefixes);

    [Fact]
    public void Ra_only_advertises_the_prefix_on_link_and_autonomous_without_M_or_O()
    {
        var ra = Sent("dhcp-range=2001:db8:1::,ra-only");

        Assert.False(ra.IsManaged);
        Assert.False(ra.IsOtherConfiguration);
        var prefix = OnlyPrefix(ra);
        Assert.Equal(new PrefixInformation(IPv6Address.Parse("2001:db8:1::"), 64, true, true, Infinite, Infinite), prefix);
        Assert.Equal(TimeSpan.FromSeconds(1800), ra.RouterLifetime);
        Assert.Equal(RouterPreference.Medium, ra.Preference);
        Assert.Equal(1500u, ra.Mtu);
        Assert.Equal(Mac, ra.SourceLinkLayerAddress);
        Assert.Equal(64, ra.CurrentHopLimit);
        Assert.Empty(ra.DnsServers);
    }

    [Fact]
    public void Slaac_with_an_address_range_sets_M_and_O_and_the_A_flag()
    {
        var ra = Sent("dhcp-range=2001:db8:1::100,2001:db8:1::1ff,slaac,64,1h");

        Assert.True(ra.IsManaged);
        Assert.True(ra.IsOtherConfiguration);
        var prefix = OnlyPrefix(ra);
        Assert.True(prefix.IsAutonomous);
        Assert.Equal(TimeSpan.FromHours(1), prefix.ValidLifetime);
        Assert.Equal(TimeSpan.FromHours(1), prefix.PreferredLifetime);
    }

    [Fact]
    public void Ra_stateless_sets_O_only_and_the_A_flag()
    {
        var ra = Sent("dhcp-range=2001:db8:1::,ra-stateless");

        Assert.False(ra.IsManaged);
        Assert.True(ra.IsOtherConfiguration);
        Assert.True(OnlyPrefix(ra).IsAutonomous);
    }

    [Fact]
    public void Ra_names_advertises_like_ra_only()
    {
        var ra = Sent("dhcp-range=2001:db8:1::,ra-names");

        Assert.False(ra.IsManaged);
        Assert.True(OnlyPrefix(ra).IsAutonomous);
    }

    [Fact]
    public void A_plain_dhcp_range_is_advertised_only_under_enable_ra_with_M_and_O_and_no_A_flag()
    {
        Assert.False(RouterAdvertisementPlanner.Plan(Config("dhcp-range=2001:db8:1::100,2001:db8:1::1ff"), Eth0).Sends);

        var ra = Sent("enable-ra\ndhcp-range=2001:db8:1::100,2001:db8:1::1ff");

        Assert.True(ra.IsManaged);
        Assert.True(ra.IsOtherConfiguration);
        var prefix = OnlyPrefix(ra);
        Assert.True(prefix.IsOnLink);
        Assert.False(prefix.IsAutonomous);
    }

    [Fact]
    public void Off_link_clears_the_L_flag()
    {
        Assert.False(OnlyPrefix(Sent("dhcp-range=2001:db8:1::,ra-only,off-link")).IsOnLink);
    }

    [Fact]
    public void Ra_advrouter_sends_the_router_address_with_the_R_flag_and_the_interval_option()
    {
        var ra = Sent("dhcp-range=2001:db8:1::,ra-advrouter");

        var prefix = OnlyPrefix(ra);
        Assert.Equal(IPv6Address.Parse("2001:db8:1::1"), prefix.Prefix);
        Assert.Equal(0x20, prefix.OtherFlags);
        var interval = Assert.Single(ra.OtherOptions);
        Assert.Equal(7, (int)interval.Type);
        Assert.Equal(new byte[] { 0, 0, 0, 0x09, 0x27, 0xC0 }, interval.Data.ToArray()); // 600 000 ms
    }

    [Fact]
    public void A_constructor_range_advertises_the_interface_prefix()
    {
        var link = Link("eth0", RaInterfaceAddress.Permanent(IPv6Address.Parse("2001:db8:5:0:1::7"), 64));

        var ra = Sent("dhcp-range=::,constructor:eth*,ra-stateless", link);

        Assert.False(ra.IsManaged);
        Assert.True(ra.IsOtherConfiguration);
        Assert.Equal(new PrefixInformation(IPv6Address.Parse("2001:db8:5::"), 64, true, true, Infinite, Infinite), OnlyPrefix(ra));
    }

    [Fact]
    public void A_constructor_range_for_another_interface_advertises_nothing_here()
    {
        var plan = RouterAdvertisementPlanner.Plan(Config("dhcp-range=::,constructor:eth1,slaac"), Eth0);

        Assert.False(plan.Sends);
        Assert.Equal(RaNotSentReason.NoRaModeRangeMatches, plan.NotSentReason);
    }

    [Fact]
    public void A_constructor_range_takes_no_prefix_from_a_learnt_or_deprecated_address()
    {
        var learnt = RaInterfaceAddress.Permanent(IPv6Address.Parse("2001:db8:5::7"), 64) with { IsPermanent = false };
        var deprecated = RaInterfaceAddress.Permanent(IPv6Address.Parse("2001:db8:6::7"), 64) with { IsDeprecated = true };

        var plan = RouterAdvertisementPlanner.Plan(Config("dhcp-range=::,constructor:eth0,slaac"), Link("eth0", learnt, deprecated));

        Assert.False(plan.Sends);
    }

    [Fact]
    public void A_constructed_prefix_never_outlives_the_interface_address_it_came_from()
    {
        var dynamic = new RaInterfaceAddress(IPv6Address.Parse("2001:db8:5::7"), 64, TimeSpan.FromSeconds(1000), TimeSpan.FromSeconds(2000));

        var prefix = OnlyPrefix(Sent("dhcp-range=::,constructor:eth0,slaac,64,1h", Link("eth0", dynamic)));

        Assert.Equal(TimeSpan.FromSeconds(2000), prefix.ValidLifetime);
        Assert.Equal(TimeSpan.FromSeconds(1000), prefix.PreferredLifetime);
    }

    [Fact]
    public void A_written_lease_time_is_floored_at_three_RA_intervals()
    {
        // The lease minimum is 120 s; with ra-param's 100 s interval the prefix lives 300 s.
        var prefix = OnlyPrefix(Sent("ra-param=eth0,100\ndhcp-range=2001:db8:1::,slaac,64,2m"));

        Assert.Equal(TimeSpan.FromSeconds(300), prefix.ValidLifetime);
        Assert.Equal(TimeSpan.FromSeconds(300), prefix.PreferredLifetime);
    }

    [Fact]
    public void Deprecated_advertises_preferred_lifetime_zero()
    {
        var prefix = OnlyPrefix(Sent("dhcp-range=2001:db8:1::,slaac,64,deprecated"));

        Assert.Equal(Infinite, prefix.ValidLifetime);
        Assert.Equal(TimeSpan.Zero, prefix.PreferredLifetime);
    }

    [Fact]
    public void Ra_param_high_and_low_set_the_router_preference()
    {
        Assert.Equal(RouterPreference.High, Sent("ra-param=eth0,high,60\ndhcp-range=2001:db8:1::,slaac").Preference);
        Assert.Equal(RouterPreference.Low, Sent("ra-param=eth*,low,60\ndhcp-range=2001:db8:1::,slaac").Preference);
        Assert.Equal(RouterPreference.Medium, Sent("ra-param=eth1,high,60\ndhcp-range=2001:db8:1::,slaac").Preference);
    }

    [Fact]
    public void Ra_param_written_last_wins()
    {
        var ra = Sent("ra-param=eth*,high,60\nra-param=eth0,low,60\ndhcp-range=2001:db8:1::,slaac");

        Assert.Equal(RouterPreference.Low, ra.Preference);
    }

    [Theory]
    [InlineData("", 600, 1800)]
    [InlineData("ra-param=eth0,60", 60, 180)]
    [InlineData("ra-param=eth0,2", 4, 12)]
    [InlineData("ra-param=eth0,5000", 1800, 5400)]
    [InlineData("ra-param=eth0,60,0", 60, 0)]
    [InlineData("ra-param=eth0,60,10", 60, 60)]
    [InlineData("ra-param=eth0,60,20000", 60, 9000)]
    [InlineData("ra-param=eth0,0,100", 600, 600)]
    public void Ra_param_interval_and_router_lifetime_follow_dnsmasq_bounds(string param, int interval, int lifetime)
    {
        var config = Config(param + "\ndhcp-range=2001:db8:1::,slaac");
        var plan = RouterAdvertisementPlanner.Plan(config, Eth0);

        Assert.Equal(TimeSpan.FromSeconds(interval), plan.Interval);
        Assert.Equal(TimeSpan.FromSeconds(lifetime), plan.Message!.RouterLifetime);
    }

    [Fact]
    public void Ra_param_mtu_sets_omits_or_borrows_the_MTU_option()
    {
        Assert.Equal(1400u, Sent("ra-param=eth0,mtu:1400,60\ndhcp-range=2001:db8:1::,slaac").Mtu);
        Assert.Null(Sent("ra-param=eth0,mtu:off,60\ndhcp-range=2001:db8:1::,slaac").Mtu);
        Assert.Equal(9000u, Sent("ra-param=eth0,mtu:eth1,60\ndhcp-range=2001:db8:1::,slaac", mtuOf: n => n == "eth1" ? 9000 : null).Mtu);
    }

    [Fact]
    public void Rdnss_comes_only_from_option6_dns_server_with_this_server_substituted()
    {
        Assert.Empty(Sent("dhcp-range=2001:db8:1::,slaac").DnsServers);

        var ra = Sent("dhcp-range=2001:db8:1::,slaac\ndhcp-option=option6:dns-server,[::],[2001:db8::53],[fe80::]\ndhcp-option=option6:domain-search,lab.example");

        var rdnss = Assert.Single(ra.DnsServers);
        Assert.Equal([IPv6Address.Parse("2001:db8:1::1"), IPv6Address.Parse("2001:db8::53"), LinkLocal], rdnss.Servers.ToArray());
        Assert.Equal(Infinite, rdnss.Lifetime);
        Assert.Equal(["lab.example"], Assert.Single(ra.SearchLists).Domains.ToArray());
    }

    [Fact]
    public void An_option_tagged_with_the_interface_name_wins_over_an_untagged_one()
    {
        var ra = Sent("dhcp-range=2001:db8:1::,slaac\ndhcp-option=option6:dns-server,[2001:db8::1]\ndhcp-option=tag:eth0,option6:dns-server,[2001:db8::2]");

        Assert.Equal([IPv6Address.Parse("2001:db8::2")], Assert.Single(ra.DnsServers).Servers.ToArray());
    }

    [Fact]
    public void Nothing_is_sent_without_a_link_local_address()
    {
        var link = new RaLinkState("eth0", Mac, 1500, 64, [RaInterfaceAddress.Permanent(IPv6Address.Parse("2001:db8:1::1"), 64)]);

        var plan = RouterAdvertisementPlanner.Plan(Config("dhcp-range=2001:db8:1::,slaac"), link);

        Assert.False(plan.Sends);
        Assert.Equal(RaNotSentReason.NoLinkLocalAddress, plan.NotSentReason);
    }

    [Fact]
    public void Nothing_is_sent_without_enable_ra_or_an_RA_mode()
    {
        var plan = RouterAdvertisementPlanner.Plan(Config("dhcp-range=2001:db8:1::100,2001:db8:1::1ff"), Eth0);

        Assert.False(plan.Sends);
        Assert.Equal(RaNotSentReason.NotEnabled, plan.NotSentReason);
    }

    [Fact]
    public void A_prefix_with_two_addresses_on_the_interface_is_advertised_once()
    {
        var link = Link("eth0", RaInterfaceAddress.Permanent(IPv6Address.Parse("2001:db8:1::1"), 64), RaInterfaceAddress.Permanent(IPv6Address.Parse("2001:db8:1::2"), 64));

        Assert.Single(Sent("dhcp-range=2001:db8:1::,slaac", link).Prefixes);
    }

    [Fact]
    public void The_flags_byte_carries_O_and_the_high_preference()
    {
        var bytes = NeighborDiscoveryEncoder.Encode(Sent("ra-param=eth0,high,60\ndhcp-range=2001:db8:1::,ra-stateless"));

        Assert.Equal(0x40 | 0x08, bytes[5]);
    }
}

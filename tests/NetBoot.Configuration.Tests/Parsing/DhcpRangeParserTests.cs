using NetBoot.Configuration.Model;
using NetBoot.Wire.Net;

namespace NetBoot.Configuration.Tests.Parsing;

public class DhcpRangeParserTests
{
    private static DhcpRangeConfig Range(string value) => Assert.Single(ConfigAssert.Valid("dhcp-range=" + value).Ranges);

    [Fact]
    public void Proxy_range_has_start_equal_end_and_default_lease()
    {
        var range = Range("192.168.1.0,proxy");
        Assert.Equal(DhcpRangeMode.Proxy, range.Mode);
        Assert.Equal(IPv4Address.Parse("192.168.1.0"), range.Start);
        Assert.Equal(range.Start, range.End);
        Assert.Null(range.Netmask);
        Assert.Equal(TimeSpan.FromHours(1), range.LeaseTime);
    }

    [Fact]
    public void Ltsp_proxy_range_with_set_tag_and_netmask()
    {
        var range = Range("set:proxy,192.168.0.0,proxy,255.255.255.0");
        Assert.Equal("proxy", range.SetTag);
        Assert.Equal(DhcpRangeMode.Proxy, range.Mode);
        Assert.Equal(IPv4Address.Parse("255.255.255.0"), range.Netmask);
    }

    [Fact]
    public void Dynamic_range_with_netmask_and_lease()
    {
        var range = Range("192.0.2.100,192.0.2.150,255.255.255.0,1h");
        Assert.Equal(DhcpRangeMode.Dynamic, range.Mode);
        Assert.Equal(IPv4Address.Parse("192.0.2.150"), range.End);
        Assert.Equal(IPv4Address.Parse("255.255.255.0"), range.Netmask);
        Assert.Equal(TimeSpan.FromHours(1), range.LeaseTime);
    }

    [Fact]
    public void Broadcast_follows_the_netmask()
    {
        var range = Range("10.0.0.10,10.0.0.20,255.255.255.0,10.0.0.255,12h");
        Assert.Equal(IPv4Address.Parse("10.0.0.255"), range.Broadcast);
        Assert.Equal(TimeSpan.FromHours(12), range.LeaseTime);
    }

    [Theory]
    [InlineData("8h", 8 * 3600)]
    [InlineData("45m", 45 * 60)]
    [InlineData("2d", 2 * 86400)]
    [InlineData("1w", 7 * 86400)]
    [InlineData("3600", 3600)]
    [InlineData("600S", 600)]
    [InlineData("30", 120)] // dnsmasq raises leases under two minutes to 120 s
    public void Lease_time_suffixes(string lease, int seconds) =>
        Assert.Equal(TimeSpan.FromSeconds(seconds), Range("10.0.0.10,10.0.0.20," + lease).LeaseTime);

    [Fact]
    public void Infinite_lease_is_null() => Assert.Null(Range("10.0.0.10,10.0.0.20,infinite").LeaseTime);

    [Fact]
    public void Start_after_end_is_swapped()
    {
        var range = Range("10.0.0.20,10.0.0.10");
        Assert.Equal(IPv4Address.Parse("10.0.0.10"), range.Start);
        Assert.Equal(IPv4Address.Parse("10.0.0.20"), range.End);
    }

    [Fact]
    public void Static_mode()
    {
        var range = Range("192.168.67.0,static");
        Assert.Equal(DhcpRangeMode.Static, range.Mode);
    }

    [Fact]
    public void Tag_filters_and_legacy_bare_set_tag()
    {
        var range = Range("tag:eth1,tag:!known,lan,10.0.0.10,10.0.0.20");
        Assert.Equal("lan", range.SetTag);
        Assert.Equal([new TagCondition("eth1", false), new TagCondition("known", true)], range.Filter.Conditions.ToArray());
    }

    [Fact]
    public void Tag_that_looks_like_an_address_is_bad_dhcp_range_with_hint()
    {
        // dnsmasq parity: NethServer/dev#5208, "bad dhcp-range at line 77 of /etc/dnsmasq.conf"
        var error = ConfigAssert.Error("dhcp-range=e0,192.168.1.100,192.168.1.150", "bad dhcp-range");
        Assert.Contains("use set:e0", error.Hint, StringComparison.Ordinal);
    }

    [Fact]
    public void Set_e0_is_the_fix_for_the_tag_gotcha() =>
        Assert.Equal("e0", Range("set:e0,192.168.1.100,192.168.1.150").SetTag);

    [Theory]
    [InlineData("192.168.1.0")]
    [InlineData("proxy")]
    [InlineData("10.0.0.1,banana")]
    [InlineData("10.0.0.300,10.0.0.5")]
    [InlineData("10.0.0.1,10.0.0.9,12x")]
    [InlineData("10.0.0.1,10.0.0.9,255.255.255.0,10.0.0.255,1h,extra")]
    public void Malformed_ranges_are_bad_dhcp_range(string value) =>
        ConfigAssert.Error("dhcp-range=" + value, "bad dhcp-range");

    [Fact]
    public void Proxy_range_with_an_end_address_is_bad_dhcp_range_with_hint()
    {
        var error = ConfigAssert.Error("dhcp-range=192.168.1.10,192.168.1.20,proxy", "bad dhcp-range");
        Assert.Contains("proxy", error.Hint, StringComparison.Ordinal);
    }

    [Fact]
    public void Two_set_tags_is_only_one_tag_allowed() =>
        ConfigAssert.Error("dhcp-range=set:a,set:b,10.0.0.1,10.0.0.9", "only one tag allowed");

    [Fact]
    public void Range_not_within_the_netmask_is_inconsistent() =>
        ConfigAssert.Error("dhcp-range=10.0.0.1,10.0.1.9,255.255.255.0", "inconsistent DHCP range");

    [Fact]
    public void Ipv6_router_advertisement_range_is_parsed_apart_with_a_not_served_notice()
    {
        var config = ConfigAssert.Valid("dhcp-range=::,constructor:eth0,ra-only");
        Assert.Empty(config.Ranges);
        Assert.Single(config.Ipv6.Ranges);
        Assert.Equal(ConfigNoticeKind.NotInEffect, Assert.Single(config.Notices).Kind);
    }

    [Fact]
    public void Ipv6_dhcp_range_is_parsed_apart_and_served_without_a_notice()
    {
        var config = ConfigAssert.Valid("dhcp-range=tag:lan,1234::2,1234::500,64,12h");
        Assert.Empty(config.Ranges);
        Assert.Single(config.Ipv6.Ranges);
        Assert.Empty(config.Notices);
    }
}

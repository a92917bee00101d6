using System.Text;
using NetBoot.Configuration.Model;
using NetBoot.Configuration.Summary;
using NetBoot.Wire.Dhcp6;
using NetBoot.Wire.Icmp6;
using NetBoot.Wire.Net;

namespace NetBoot.Configuration.Tests.Ipv6;

/// <summary>dnsmasq's IPv6 grammar (option.c, HAVE_DHCP6): parsed into <see cref="Ipv6Config"/>; only what asks for
/// router advertisements is noticed as not served.</summary>
public sealed class Ipv6DirectiveTests
{
    private static Dhcp6RangeConfig Range(string line) => Assert.Single(ConfigAssert.Valid(line).Ipv6.Ranges);

    [Fact]
    public void Range_with_start_and_end_leases_addresses_for_a_day_by_default()
    {
        var range = Range("dhcp-range=set:v6,2001:db8::100,2001:db8::1ff");

        Assert.Equal(IPv6Address.Parse("2001:db8::100"), range.Start);
        Assert.Equal(IPv6Address.Parse("2001:db8::1ff"), range.End);
        Assert.Equal(Dhcp6RangeModes.Dhcp, range.Modes);
        Assert.Equal(64, range.PrefixLength);
        Assert.Equal(TimeSpan.FromDays(1), range.LeaseTime);
        Assert.Equal("v6", range.SetTag);
        Assert.True(range.LeasesAddresses);
    }

    [Fact]
    public void Constructor_template_with_modes_prefix_and_lease_is_read_in_dnsmasq_order()
    {
        var range = Range("dhcp-range=tag:lab,::1,::400,constructor:eth*,ra-names,slaac,64,12h");

        Assert.Equal("eth*", range.ConstructorInterface);
        Assert.Equal(IPv6Address.Parse("::400"), range.End);
        Assert.Equal(Dhcp6RangeModes.Dhcp | Dhcp6RangeModes.RaNames | Dhcp6RangeModes.RouterAdvertisement, range.Modes);
        Assert.Equal(TimeSpan.FromHours(12), range.LeaseTime);
        Assert.False(range.Filter.IsEmpty);
    }

    [Theory]
    [InlineData("dhcp-range=::,constructor:eth0,ra-stateless", Dhcp6RangeModes.RaStateless | Dhcp6RangeModes.Dhcp | Dhcp6RangeModes.RouterAdvertisement)]
    [InlineData("dhcp-range=::,constructor:eth0,ra-only", Dhcp6RangeModes.RouterAdvertisement)]
    [InlineData("dhcp-range=2001:db8::,ra-advrouter,off-link", Dhcp6RangeModes.RouterAdvertisement | Dhcp6RangeModes.RaAdvertiseRouter | Dhcp6RangeModes.OffLink)]
    [InlineData("dhcp-range=2001:db8::,static", Dhcp6RangeModes.Static | Dhcp6RangeModes.Dhcp)]
    [InlineData("dhcp-range=2001:db8::10,2001:db8::20,deprecated", Dhcp6RangeModes.Dhcp | Dhcp6RangeModes.Deprecated)]
    public void Every_mode_word_sets_its_flags(string line, Dhcp6RangeModes modes) => Assert.Equal(modes, Range(line).Modes);

    [Fact]
    public void Unspecified_start_without_constructor_is_stateless_on_any_interface()
    {
        var range = Range("dhcp-range=::");
        Assert.Equal(0, range.PrefixLength);
        Assert.Contains("stateless DHCPv6 on any interface", ConfigSummary.Render(ConfigAssert.Valid("dhcp-range=::")));
    }

    [Fact]
    public void Swapped_addresses_are_put_in_order_and_short_leases_raised_to_two_minutes()
    {
        var range = Range("dhcp-range=2001:db8::20,2001:db8::10,30s");
        Assert.Equal(IPv6Address.Parse("2001:db8::10"), range.Start);
        Assert.Equal(TimeSpan.FromMinutes(2), range.LeaseTime);
        Assert.Null(Range("dhcp-range=2001:db8::20,2001:db8::30,infinite").LeaseTime);
    }

    [Theory]
    [InlineData("dhcp-range=2001:db8::,ra-only,80", "prefix length must be exactly 64 for RA subnets")]
    [InlineData("dhcp-range=::1,::400,constructor:eth0,96", "prefix length must be exactly 64 for subnet constructors")]
    [InlineData("dhcp-range=2001:db8::1,2001:db8::9,48", "prefix length must be at least 64")]
    [InlineData("dhcp-range=2001:db8::1,2001:db8:1::9", "inconsistent DHCPv6 range")]
    [InlineData("dhcp-range=2001:db8::1,constructor:eth0", "prefix must be zero with \"constructor:\" argument")]
    [InlineData("dhcp-range=2001:db8::1,2001:db8::9,whenever", "bad dhcp-range")]
    [InlineData("dhcp-range=2001:db8::1,2001:db8::9,1h,slaac", "bad dhcp-range")]
    public void Invalid_ranges_are_refused_with_dnsmasq_words_and_a_hint(string line, string message) =>
        ConfigAssert.Error("# IPv6\n" + line, message, line: 2);

    [Theory]
    [InlineData("dhcp-range=[2001:db8::1],[2001:db8::9]")]
    [InlineData("dhcp-range=fe80::1%eth0,fe80::9%eth0")]
    [InlineData("dhcp-range=2001:db8::1,[2001:db8::9]")]
    public void Bracketed_or_zoned_range_addresses_are_refused_not_crashed_on(string line) =>
        Assert.False(string.IsNullOrEmpty(ConfigAssert.SingleError(line).Hint));

    [Fact]
    public void Parsed_ipv6_lines_get_no_not_served_notice()
    {
        var config = ConfigAssert.Valid("dhcp-range=2001:db8::10,2001:db8::20\nenable-ra\ndhcp-option=option6:dns-server,[2001:db8::53]");
        Assert.DoesNotContain(config.Notices, n => n.Kind == ConfigNoticeKind.NotInEffect);
        Assert.True(config.Ipv6.EnableRouterAdvertisements);
        Assert.Empty(config.Ranges);
    }

    [Fact]
    public void Check_of_an_ipv6_only_configuration_says_dhcpv6_clients_are_answered()
    {
        var summary = ConfigSummary.Render(ConfigAssert.Valid("dhcp-range=2001:db8::100,2001:db8::1ff,64,1h"));

        Assert.Contains("none for IPv4: no DHCPv4 or PXE client will be answered (DHCPv6 clients are: see IPv6)", summary);
        Assert.Contains("IPv6 (DHCPv6 and router advertisements)", summary);
    }

    [Fact]
    public void Ra_param_reads_mtu_preference_interval_and_lifetime()
    {
        var config = ConfigAssert.Valid("ra-param=eth0,mtu:1280,low,60,1200\nra-param=eth1,mtu:eth0,high,15\nra-param=eth2,mtu:off,30");
        var (first, second, third) = (config.Ipv6.RouterAdvertisementParams[0], config.Ipv6.RouterAdvertisementParams[1], config.Ipv6.RouterAdvertisementParams[2]);

        Assert.Equal(("eth0", 1280, RouterPreference.Low, TimeSpan.FromSeconds(60), TimeSpan.FromSeconds(1200)),
            (first.Interface, first.Mtu!.Value, first.Preference, first.Interval, first.RouterLifetime!.Value));
        Assert.Equal(("eth0", RouterPreference.High, (TimeSpan?)null), (second.MtuInterface, second.Preference, second.RouterLifetime));
        Assert.True(third.IsMtuOff);
    }

    [Theory]
    [InlineData("ra-param=eth0")]
    [InlineData("ra-param=eth0,mtu:1000,60")]
    [InlineData("ra-param=eth0,often")]
    [InlineData("ra-param=eth0,60,1200,9")]
    // dnsmasq parity: "off" is a value of mtu: only; ra-param=<iface>,off fails its atoi_check ("bad RA-params").
    [InlineData("ra-param=eth0,off")]
    public void Bad_ra_params_are_refused(string line) => ConfigAssert.Error(line, "bad RA-params");

    [Theory]
    [InlineData("dhcp-range=2001:db8::,slaac", false)]
    [InlineData("dhcp-range=2001:db8::,slaac,64,deprecated", false)]
    [InlineData("dhcp-range=2001:db8::,slaac,64,2h", true)]
    [InlineData("dhcp-range=2001:db8::,slaac,infinite", true)]
    public void A_written_lease_time_is_marked_for_the_advertised_lifetimes(string line, bool isSet) =>
        Assert.Equal(isSet, Assert.Single(ConfigAssert.Valid(line).Ipv6.Ranges).IsLeaseTimeSet);

    [Fact]
    public void Quiet_ra_and_enable_ra_are_read()
    {
        var ipv6 = ConfigAssert.Valid("quiet-ra\nenable-ra").Ipv6;

        Assert.True(ipv6.QuietRouterAdvertisements);
        Assert.True(ipv6.SendsRouterAdvertisements);
    }

    [Fact]
    public void Dhcp_duid_makes_a_duid_en()
    {
        var duid = ConfigAssert.Valid("dhcp-duid=43793,01:02:03:04").Ipv6.ServerDuid!.Value;
        Assert.Equal(DuidType.EnterpriseNumber, duid.Type);
        Assert.Equal("00:02:00:00:ab:11:01:02:03:04", duid.ToString());
        ConfigAssert.Error("dhcp-duid=acme,01:02", "bad DUID");
        ConfigAssert.Error("dhcp-duid=43793", "bad DUID");
    }

    [Fact]
    public void Boot_options_are_encoded_and_the_server_address_placeholder_is_kept()
    {
        var options = ConfigAssert.Valid(
            "dhcp-option=tag:efi6,option6:bootfile-url,tftp://[::]/ipxe.efi\n"
            + "dhcp-option=option6:bootfile-param,\"console=ttyS0\",ip=dhcp\n"
            + "dhcp-option=option6:dns-server,[2001:db8::53],[2001:db8::54]\n"
            + "dhcp-option=option6:domain-search,lab.example\n"
            + "dhcp-option=option6:information-refresh-time,1h\n"
            + "dhcp-option=option6:136,01:02").Ipv6.Options;

        Assert.Equal(6, options.Length);
        Assert.Equal(Dhcp6OptionCode.BootfileUrl, options[0].Code);
        Assert.True(options[0].UsesServerAddress);
        Assert.Equal(["tftp://[::]/ipxe.efi"], options[0].Values.ToArray());
        Assert.False(options[0].Filter.IsEmpty);
        Assert.Equal(Dhcp6OpaqueItems.BootfileParameters(["console=ttyS0", "ip=dhcp"]).Data.ToArray(), options[1].Data!.Value.ToArray());
        Assert.Equal(32, options[2].Data!.Value.Length);
        Assert.Equal("\u0003lab\u0007example\0", Encoding.Latin1.GetString(options[3].Data!.Value.AsSpan()));
        Assert.Equal(new byte[] { 0, 0, 0x0e, 0x10 }, options[4].Data!.Value.ToArray());
        Assert.Equal(new byte[] { 1, 2 }, options[5].Data!.Value.ToArray());
    }

    [Fact]
    public void Dns_server_placeholder_defers_the_data_to_the_reply()
    {
        var option = Assert.Single(ConfigAssert.Valid("dhcp-option=option6:dns-server,[::]").Ipv6.Options);
        Assert.True(option.UsesServerAddress);
    }

    [Theory]
    [InlineData("dhcp-option=option6:no-such-option,1", "bad dhcp-option")]
    [InlineData("dhcp-option=option6:client-id,01", "bad dhcp-option")]
    [InlineData("dhcp-option=option6:70000,01", "bad dhcp-option")]
    [InlineData("dhcp-option=option6:dns-server,[2001:db8::zz]", "bad IPv6 address")]
    [InlineData("dhcp-option=option6:domain-search,a..b", "bad domain in dhcp-option")]
    [InlineData("dhcp-option=vendor:PXEClient,option6:59,x", "bad dhcp-option")]
    public void Bad_dhcpv6_options_are_refused(string line, string message) => ConfigAssert.Error(line, message);

    [Fact]
    public void Dhcp_match_on_client_architecture_and_vendor_class_enterprise()
    {
        var config = ConfigAssert.Valid(
            "dhcp-match=set:efi-x86_64,option6:61,7\n"
            + "dhcp-match=set:pxe6,option6:16\n"
            + "dhcp-vendorclass=set:pxe,enterprise:343,PXEClient");

        var arch = config.Ipv6.Matches[0];
        Assert.Equal(("efi-x86_64", Dhcp6OptionCode.ClientArchitectureType, DhcpMatchKind.IntegerElement), (arch.SetTag, arch.Code, arch.Value!.Kind));
        Assert.Null(config.Ipv6.Matches[1].Value);
        var vendor = Assert.Single(config.Ipv6.VendorClasses);
        Assert.Equal((343u, "PXEClient"), (vendor.EnterpriseNumber, Encoding.UTF8.GetString(vendor.Pattern.AsSpan())));
        Assert.Empty(config.Matches);
    }

    [Fact]
    public void Dhcp_host_keeps_an_ipv6_address_and_a_duid_client_id()
    {
        var host = Assert.Single(ConfigAssert.Valid("dhcp-host=id:00:01:00:01:31:e0:0b:d6:52:54:00:c0:ff:02,[2001:db8::5],pxe6").Hosts);
        Assert.Equal(IPv6Address.Parse("2001:db8::5"), host.Ipv6Address);
        Assert.True(Duid.TryRead(host.ClientIds.Single().AsSpan(), out var duid));
        Assert.Equal(DuidType.LinkLayerPlusTime, duid.Type);
        ConfigAssert.Error("dhcp-host=52:54:00:c0:ff:02,[2001:db8::zz]", "bad IPv6 address");
    }

    [Fact]
    public void Dhcp_host_takes_an_ipv6_host_part_after_a_mac_and_an_ipv6_address_after_a_name()
    {
        var hosts = ConfigAssert.Valid("dhcp-host=52:54:00:c0:ff:02,[::5]\ndhcp-host=laptop,[2001:db8::7],2h").Hosts;

        Assert.Equal(IPv6Address.Parse("::5"), hosts[0].Ipv6Address);
        Assert.Single(hosts[0].HardwareAddresses);
        Assert.Equal(("laptop", IPv6Address.Parse("2001:db8::7"), TimeSpan.FromHours(2)), (hosts[1].HostName, hosts[1].Ipv6Address, hosts[1].LeaseTime));
        Assert.True(hosts[1].HardwareAddresses.IsDefaultOrEmpty && hosts[1].ClientIds.IsDefaultOrEmpty);
    }

    [Fact]
    public void Check_lists_ranges_router_advertisements_and_boot_options()
    {
        var summary = ConfigSummary.Render(ConfigAssert.Valid(
            "dhcp-range=::,constructor:eth0,ra-stateless\n"
            + "dhcp-range=2001:db8::100,2001:db8::1ff,slaac,12h\n"
            + "enable-ra\n"
            + "ra-param=eth0,high,30,900\n"
            + "dhcp-option=option6:bootfile-url,http://[::]/boot.efi\n"
            + "dhcp-match=set:efi6,option6:61,7"));

        Assert.Contains("IPv6 (DHCPv6 and router advertisements)", summary);
        Assert.Contains("range :: constructed on eth0  stateless DHCPv6 (options only) with RA, SLAAC addresses", summary);
        Assert.Contains("range 2001:db8::100-2001:db8::1ff/64  DHCPv6 leases of 43200 s, RA with SLAAC too", summary);
        Assert.Contains("router advertisements on eth0: every 30 s, router lifetime 900 s, preference high", summary);
        Assert.Contains("option6 bootfile-url (59) = http://[::]/boot.efi  ([::] = this server's address on the client's link)", summary);
        Assert.Contains("efi6 <- dhcp-match option6 61 has element 7", summary.Replace("client-arch", "61", StringComparison.Ordinal));
    }
}

using NetBoot.Configuration.Model;
using NetBoot.Wire.Net;

namespace NetBoot.Configuration.Tests.Parsing;

public class DhcpHostParserTests
{
    private static DhcpHostConfig Host(string value) => Assert.Single(ConfigAssert.Valid("dhcp-host=" + value).Hosts);

    [Fact]
    public void Mac_address_name_and_infinite_lease()
    {
        var host = Host("00:20:e0:3b:13:af,192.168.67.111,thin01,infinite");
        Assert.Equal([(byte?)0x00, 0x20, 0xe0, 0x3b, 0x13, 0xaf], host.HardwareAddresses.Single().Bytes.ToArray());
        Assert.Equal(IPv4Address.Parse("192.168.67.111"), host.Address);
        Assert.Equal("thin01", host.HostName);
        Assert.True(host.IsInfinite);
    }

    [Fact]
    public void Tokens_in_any_order_with_tags_and_ids()
    {
        var host = Host("set:thin,thin02,id:01:52:54:00:12:34:56,52:54:00:12:34:56,tag:eth1,12h,192.168.67.112");
        Assert.Equal(["thin"], host.SetTags.ToArray());
        Assert.Equal([new TagCondition("eth1", false)], host.Filter.Conditions.ToArray());
        Assert.Equal(ConfigAssert.Bytes(1, 0x52, 0x54, 0, 0x12, 0x34, 0x56), host.ClientIds.Single().ToArray());
        Assert.Equal(TimeSpan.FromHours(12), host.LeaseTime);
        Assert.Equal("thin02", host.HostName);
    }

    [Fact]
    public void Wildcard_mac_bytes_several_macs_and_ignore()
    {
        var host = Host("b8:27:eb:*:*:*,dc:a6:32:00:00:01,ignore");
        Assert.Equal(2, host.HardwareAddresses.Length);
        Assert.Null(host.HardwareAddresses[0].Bytes[3]);
        Assert.True(host.IsIgnored);
    }

    [Fact]
    public void Client_id_star_and_text_id()
    {
        Assert.True(Host("id:*,00:11:22:33:44:55").IgnoresClientId);
        Assert.Equal("client"u8.ToArray(), Host("id:client,10.0.0.9").ClientIds.Single().ToArray());
    }

    [Fact]
    public void Purely_numeric_name_is_a_lease_time()
    {
        var host = Host("00:11:22:33:44:55,3600");
        Assert.Null(host.HostName);
        Assert.Equal(TimeSpan.FromHours(1), host.LeaseTime);
    }

    [Fact]
    public void Duplicate_address_is_an_error_on_the_second_line()
    {
        var error = ConfigAssert.Error(
            "dhcp-host=00:11:22:33:44:55,10.0.0.5\ndhcp-host=00:11:22:33:44:66,10.0.0.5",
            "duplicate dhcp-host IP address 10.0.0.5", 2);
        Assert.Contains("line 1", error.Hint, StringComparison.Ordinal);
    }

    [Fact]
    public void Dash_only_mac_is_a_host_name_as_in_dnsmasq() =>
        Assert.Equal("aa-bb-cc-dd-ee-ff", Host("aa-bb-cc-dd-ee-ff,10.0.0.5").HostName);

    [Fact]
    public void Arp_type_prefix_is_accepted() =>
        Assert.Equal(6, Host("06-00:11:22:33:44:55,10.0.0.5").HardwareAddresses.Single().Length);

    [Fact]
    public void Second_address_on_a_line_replaces_the_first_with_a_warning()
    {
        var config = ConfigAssert.Valid("dhcp-host=00:11:22:33:44:55,10.0.0.5,10.0.0.6");
        Assert.Equal("10.0.0.6", config.Hosts[0].Address.ToString());
        Assert.Contains(config.Notices, n => n.Kind == ConfigNoticeKind.Warning);
    }

    [Fact]
    public void Two_names_is_an_error() =>
        ConfigAssert.Error("dhcp-host=00:11:22:33:44:55,alpha,beta", "DHCP host has multiple names");

    [Fact]
    public void Illegal_name_is_bad_dhcp_host_name() =>
        ConfigAssert.Error("dhcp-host=00:11:22:33:44:55,bad!name", "bad DHCP host name");

    [Fact]
    public void Bad_mac_is_bad_hex_constant() =>
        ConfigAssert.Error("dhcp-host=00:11:22:33:44:zz,10.0.0.5", "bad hex constant");
}

using NetBoot.Configuration.Model;

namespace NetBoot.Configuration.Tests.Parsing;

public class DhcpOptionParserTests
{
    private static DhcpOptionConfig Option(string line) => Assert.Single(ConfigAssert.Valid(line).Options);

    private static byte[] Value(string line) => Option(line).Value.ToArray();

    [Fact]
    public void Vendor_pxeclient_6_2b_is_decimal_2_in_one_byte_not_hex_2b()
    {
        // spec §1.10: the trailing b is a size letter; the folklore reading 0x2b is wrong for dnsmasq.
        var option = Option("dhcp-option=vendor:PXEClient,6,2b");
        Assert.Equal("PXEClient", option.VendorClass);
        Assert.Equal(6, option.Code);
        Assert.Equal(ConfigAssert.Bytes(0x02), option.Value.ToArray());
    }

    [Theory]
    [InlineData("dhcp-option=200,5", new byte[] { 5 })]
    [InlineData("dhcp-option=200,300", new byte[] { 0x01, 0x2c })]
    [InlineData("dhcp-option=200,70000", new byte[] { 0x00, 0x01, 0x11, 0x70 })]
    [InlineData("dhcp-option=200,5s", new byte[] { 0, 5 })]
    [InlineData("dhcp-option=200,5i", new byte[] { 0, 0, 0, 5 })]
    [InlineData("dhcp-option=200,300b", new byte[] { 0x2c })]
    [InlineData("dhcp-option=26,1500", new byte[] { 0x05, 0xdc })]
    [InlineData("dhcp-option=option:mtu,9", new byte[] { 0, 9 })]
    [InlineData("dhcp-option=23,64", new byte[] { 64 })]
    public void Integers_take_the_known_width_else_the_smallest_unless_a_size_letter_says(string line, byte[] expected) =>
        Assert.Equal(expected, Value(line));

    [Theory]
    [InlineData("dhcp-option=43,01:02:0a:ff", new byte[] { 1, 2, 0x0a, 0xff })]
    [InlineData("dhcp-option=200,1:2", new byte[] { 1, 2 })]
    [InlineData("dhcp-option=200,de:ad:be:ef", new byte[] { 0xde, 0xad, 0xbe, 0xef })]
    public void Hex_with_colons_is_bytes(string line, byte[] expected) => Assert.Equal(expected, Value(line));

    [Fact]
    public void Address_lists_and_the_zero_placeholder()
    {
        var option = Option("dhcp-option=option:dns-server,0.0.0.0,8.8.8.8,208.67.222.222");
        Assert.Equal(6, option.Code);
        Assert.Equal(ConfigAssert.Bytes(0, 0, 0, 0, 8, 8, 8, 8, 208, 67, 222, 222), option.Value.ToArray());
        Assert.True(option.HasServerAddressPlaceholder);
        Assert.False(Option("dhcp-option=3,192.168.67.1").HasServerAddressPlaceholder);
    }

    [Fact]
    public void Router_by_name()
    {
        var option = Option("dhcp-option=option:router,192.168.67.1");
        Assert.Equal(3, option.Code);
        Assert.Equal(ConfigAssert.Bytes(192, 168, 67, 1), option.Value.ToArray());
    }

    [Fact]
    public void Classless_route_uses_rfc3442_descriptors() =>
        Assert.Equal(ConfigAssert.Bytes(8, 10, 192, 168, 1, 1), Value("dhcp-option=121,10.0.0.0/8,192.168.1.1"));

    [Theory]
    [InlineData("dhcp-option=17,/opt/ltsp/i386", "/opt/ltsp/i386")]
    [InlineData("dhcp-option=option:root-path,10.0.0.1:/srv/nfs", "10.0.0.1:/srv/nfs")]
    [InlineData("dhcp-option=66,\"1.2.3.4\"", "1.2.3.4")]
    [InlineData("dhcp-option=67,\"123\"", "123")]
    [InlineData("dhcp-option=200,hello world", "hello world")]
    [InlineData("dhcp-option=200,a,b", "a,b")]
    [InlineData("dhcp-option-force=tag:efihttp,60,HTTPClient", "HTTPClient")]
    [InlineData("dhcp-option=17,1234", "1234")]
    public void Strings_and_names(string line, string expected) =>
        Assert.Equal(expected, System.Text.Encoding.UTF8.GetString(Value(line)));

    [Fact]
    public void Domain_search_is_rfc1035_encoded() =>
        Assert.Equal(ConfigAssert.Bytes(3, (byte)'l', (byte)'a', (byte)'n', 0), Value("dhcp-option=option:domain-search,lan"));

    [Fact]
    public void Option_with_no_value_is_empty() => Assert.Empty(Value("dhcp-option=3"));

    [Fact]
    public void Tags_vendor_encap_and_vi_encap()
    {
        var config = ConfigAssert.Valid("""
            dhcp-option=tag:bios,tag:!ipxe,17,/x
            dhcp-option=encap:175,190,user
            dhcp-option=vi-encap:3561,1,"abc"
            dhcp-option=vendor:,6,8
            dhcp-option=set:legacy,3,10.0.0.1
            """);
        Assert.Equal("tag:bios,tag:!ipxe", config.Options[0].Filter.ToString());
        Assert.Equal((byte)175, config.Options[1].EncapsulatingOption);
        Assert.Equal(190, config.Options[1].Code);
        Assert.Equal(3561u, config.Options[2].VendorIdentifyingEnterprise);
        Assert.Equal("", config.Options[3].VendorClass);
        Assert.Equal("tag:legacy", config.Options[4].Filter.ToString());
    }

    [Fact]
    public void Directive_kind_is_recorded()
    {
        var config = ConfigAssert.Valid("dhcp-option=3,10.0.0.1\ndhcp-option-force=208,f1:00:74:7e\ndhcp-option-pxe=17,/srv");
        Assert.Equal(
            [DhcpOptionDirective.Normal, DhcpOptionDirective.Force, DhcpOptionDirective.Pxe],
            config.Options.Select(o => o.Directive));
    }

    [Theory]
    [InlineData("dhcp-option=3,router")]
    [InlineData("dhcp-option=3,10")]
    public void Address_options_need_addresses(string line) => ConfigAssert.Error(line, "bad IP address");

    [Theory]
    [InlineData("dhcp-option=option:router,1.2.3.4,5")]
    [InlineData("dhcp-option=200,1.2.3")]
    [InlineData("dhcp-option=3,10.0.0")]
    public void Each_address_of_a_list_must_be_a_dotted_quad(string line) => ConfigAssert.Error(line, "bad IPv4 address");

    [Theory]
    [InlineData("dhcp-option=tag:x")]
    [InlineData("dhcp-option=option:no-such-option,1")]
    [InlineData("dhcp-option=300,1")]
    [InlineData("dhcp-option=0,1")]
    [InlineData("dhcp-option=option:hostname,foo")]
    public void Bad_option_heads(string line) => ConfigAssert.Error(line, "bad dhcp-option");

    [Fact]
    public void Bad_hex_is_bad_hex_constant() => ConfigAssert.Error("dhcp-option=200,1:2:345", "bad hex constant");

    [Fact]
    public void Too_long_options_are_refused()
    {
        ConfigAssert.Error("dhcp-option=200," + new string('x', 256), "dhcp-option too long");
        ConfigAssert.Valid("dhcp-option=200," + new string('x', 255));
        ConfigAssert.Error("dhcp-option=vendor:PXEClient,200," + new string('x', 254), "dhcp-option too long");
        ConfigAssert.Error("dhcp-option=vi-encap:1,2," + new string('x', 251), "dhcp-option too long");
    }

    [Fact]
    public void Vendor_options_are_refused_in_dhcp_option_pxe() =>
        ConfigAssert.Error("dhcp-option-pxe=vendor:PXEClient,6,2b", "No vendor-encap options allowed in dhcp-option-pxe");

    [Fact]
    public void Numbered_internal_option_is_kept_with_a_warning()
    {
        var config = ConfigAssert.Valid("dhcp-option=51,3600");
        Assert.Single(config.Options);
        Assert.Equal(ConfigNoticeKind.Warning, Assert.Single(config.Notices).Kind);
    }

    [Fact]
    public void Duplicate_option_for_the_same_tags_warns()
    {
        var config = ConfigAssert.Valid("dhcp-option=3,10.0.0.1\ndhcp-option=3,10.0.0.2\ndhcp-option=tag:x,3,10.0.0.3");
        var warning = Assert.Single(config.Notices, n => n.Message.StartsWith("duplicate", StringComparison.Ordinal));
        Assert.Equal(ConfigNoticeKind.Warning, warning.Kind);
        Assert.Equal(2, warning.Source.Line);
    }

    [Fact]
    public void Quoted_commas_stay_inside_a_string_value() =>
        Assert.Equal("/path with, comma"u8.ToArray(), Value("dhcp-option=17,\"/path with, comma\""));

    [Fact]
    public void Seconds_options_take_time_suffixes() =>
        Assert.Equal(ConfigAssert.Bytes(0, 0, 0x07, 0x08), Value("dhcp-option=option:T1,30m"));

    [Fact]
    public void Client_arch_option_is_two_bytes() =>
        Assert.Equal(ConfigAssert.Bytes(0, 7), Value("dhcp-option-force=93,7"));

    [Fact]
    public void Server_ip_address_pseudo_option_is_kept() =>
        Assert.Equal(255, Option("dhcp-option=option:server-ip-address,192.168.1.10").Code);

    [Fact]
    public void Encapsulated_zero_address_is_not_a_placeholder() =>
        Assert.False(Option("dhcp-option=encap:175,8,0.0.0.0").HasServerAddressPlaceholder);
}

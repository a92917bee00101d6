using NetBoot.Configuration.Model;

namespace NetBoot.Configuration.Tests.Parsing;

public class ClassifierParserTests
{
    [Fact]
    public void Client_arch_match_compares_two_byte_elements()
    {
        var match = Assert.Single(ConfigAssert.Valid("dhcp-match=set:efi-x86_64,option:client-arch,7").Matches);
        Assert.Equal("efi-x86_64", match.SetTag);
        Assert.Equal(93, match.OptionCode);
        Assert.Equal(DhcpMatchKind.IntegerElement, match.Value!.Kind);
        Assert.Equal(2, match.Value.ElementWidth);
        Assert.Equal(ConfigAssert.Bytes(0, 7), match.Value.Bytes.ToArray());
    }

    [Fact]
    public void Ipxe_feature_match_is_a_one_byte_element_of_option_175()
    {
        var match = Assert.Single(ConfigAssert.Valid("dhcp-match=set:ipxe-http,175,19").Matches);
        Assert.Equal(175, match.OptionCode);
        Assert.Equal(1, match.Value!.ElementWidth);
        Assert.Equal(ConfigAssert.Bytes(19), match.Value.Bytes.ToArray());
    }

    [Fact]
    public void Match_without_value_tests_presence() =>
        Assert.Null(Assert.Single(ConfigAssert.Valid("dhcp-match=set:ipxe,175").Matches).Value);

    [Fact]
    public void Hex_match_with_wildcards()
    {
        var value = Assert.Single(ConfigAssert.Valid("dhcp-match=set:x,77,01:*:02").Matches).Value!;
        Assert.Equal(DhcpMatchKind.HexPattern, value.Kind);
        Assert.Equal([false, true, false], value.Wildcards.ToArray());
        Assert.Equal(ConfigAssert.Bytes(1, 0, 2), value.Bytes.ToArray());
    }

    [Fact]
    public void String_match_is_a_substring()
    {
        var value = Assert.Single(ConfigAssert.Valid("dhcp-match=set:hp,60,HP-Client").Matches).Value!;
        Assert.Equal(DhcpMatchKind.Substring, value.Kind);
    }

    [Fact]
    public void Vi_encap_match()
    {
        var match = Assert.Single(ConfigAssert.Valid("dhcp-match=set:cisco,vi-encap:9").Matches);
        Assert.Equal(9u, match.VendorIdentifyingEnterprise);
    }

    [Theory]
    [InlineData("dhcp-match=set:a,tag:b,175")]
    [InlineData("dhcp-match=set:a,vendor:PXEClient,6")]
    public void Tags_or_vendor_in_a_match_are_illegal(string line) => ConfigAssert.Error(line, "illegal dhcp-match");

    [Fact]
    public void Match_without_option_is_bad() => ConfigAssert.Error("dhcp-match=set:a", "bad dhcp-match");

    [Fact]
    public void Vendor_and_user_classes()
    {
        var config = ConfigAssert.Valid("dhcp-vendorclass=set:efihttp,HTTPClient\ndhcp-userclass=set:ipxe,iPXE");
        Assert.Equal("efihttp", config.VendorClasses[0].SetTag);
        Assert.Equal("HTTPClient"u8.ToArray(), config.VendorClasses[0].Pattern.ToArray());
        Assert.Equal("ipxe", config.UserClasses[0].SetTag);
        Assert.Equal("iPXE"u8.ToArray(), config.UserClasses[0].Pattern.ToArray());
    }

    [Fact]
    public void Relay_agent_ids_take_hex_or_text()
    {
        var config = ConfigAssert.Valid("dhcp-circuitid=set:port1,00:01:02\ndhcp-remoteid=set:r,switch-7\ndhcp-subscrid=set:s,abc\ndhcp-circuitid=set:p2,0a0b");
        Assert.Equal(ConfigAssert.Bytes(0, 1, 2), config.CircuitIdMatches[0].Pattern.ToArray());
        Assert.Equal(ConfigAssert.Bytes(0x0a, 0x0b), config.CircuitIdMatches[1].Pattern.ToArray());
        Assert.Equal(ConfigAssert.Bytes(0xab, 0x0c), config.SubscriberIdMatches[0].Pattern.ToArray()); // parse_hex pairs from the left
        Assert.Equal("switch-7"u8.ToArray(), config.RemoteIdMatches[0].Pattern.ToArray());
        Assert.Equal("s", config.SubscriberIdMatches[0].SetTag);
    }

    [Fact]
    public void Mac_match_with_wildcards()
    {
        var mac = Assert.Single(ConfigAssert.Valid("dhcp-mac=set:rpi,b8:27:eb:*:*:*").MacMatches);
        Assert.Equal("rpi", mac.SetTag);
        Assert.Equal([(byte?)0xb8, 0x27, 0xeb, null, null, null], mac.Pattern.ToArray());
    }

    [Fact]
    public void Bad_mac_match_is_bad_hex_constant() => ConfigAssert.Error("dhcp-mac=set:x,b8:27:zz", "bad hex constant");

    [Fact]
    public void Tag_if_sets_and_conditions()
    {
        var tagIf = Assert.Single(ConfigAssert.Valid("tag-if=set:ipxe,tag:ipxe-http,tag:ipxe-menu,tag:!ipxe-efi").TagIfs);
        Assert.Equal(["ipxe"], tagIf.SetTags.ToArray());
        Assert.Equal("tag:ipxe-http,tag:ipxe-menu,tag:!ipxe-efi", tagIf.Filter.ToString());
    }

    [Theory]
    [InlineData("tag-if=tag:a")]
    [InlineData("tag-if=set:a,b")]
    [InlineData("tag-if=set:")]
    public void Malformed_tag_if_is_bad_tag_if(string line) => ConfigAssert.Error(line, "bad tag-if");

    [Fact]
    public void Dhcp_ignore_takes_tags_and_bare_words()
    {
        var ignore = Assert.Single(ConfigAssert.Valid("dhcp-ignore=tag:!known,guest").Ignores);
        Assert.Equal("tag:!known,tag:guest", ignore.Filter.ToString());
    }

    [Fact]
    public void Reply_delay_with_tag()
    {
        var (filter, delay) = Assert.Single(ConfigAssert.Valid("dhcp-reply-delay=tag:slowfw,2").ReplyDelays);
        Assert.Equal("tag:slowfw", filter.ToString());
        Assert.Equal(TimeSpan.FromSeconds(2), delay);
    }

    [Fact]
    public void Bad_reply_delay() => ConfigAssert.Error("dhcp-reply-delay=soon", "bad dhcp-reply-delay");

    [Fact]
    public void Tag_tested_but_never_set_warns_once()
    {
        var config = ConfigAssert.Valid("""
            dhcp-range=10.0.0.0,proxy
            dhcp-userclass=set:ipxe,iPXE
            dhcp-boot=tag:iPXE,boot.ipxe
            dhcp-boot=tag:ipxe,tag:!known,tag:eth*,other.ipxe
            pxe-service=tag:iPXE,x86PC,"Menu",undionly
            """);
        var warning = Assert.Single(config.Notices);
        Assert.Equal(ConfigNoticeKind.Warning, warning.Kind);
        Assert.Contains("'iPXE'", warning.Message, StringComparison.Ordinal);
        Assert.Equal(3, warning.Source.Line);
    }

    [Fact]
    public void Interface_names_count_as_set_tags() =>
        Assert.DoesNotContain(ConfigAssert.Valid("interface=eth1\ndhcp-boot=tag:eth1,pxelinux.0").Notices, n => n.Message.Contains("never set", StringComparison.Ordinal));
}

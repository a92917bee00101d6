using NetBoot.Configuration.Model;
using NetBoot.Configuration.Parsing;
using NetBoot.Wire.Dhcp;
using static NetBoot.Engine.Tests.DecisionAssert;
using static NetBoot.Engine.Tests.TestRequests;

namespace NetBoot.Engine.Tests.Pxe;

/// <summary>Spec §1.11 from configuration text: tags from the interface name, <c>known</c>, <c>dhcp-vendorclass</c>
/// and <c>tag-if</c>, used as filters on <c>pxe-prompt</c>, <c>dhcp-option-pxe</c>, <c>pxe-service</c> and
/// <c>dhcp-boot</c>; and the NetBoot directives <c>http-root</c>, <c>http-port</c>, <c>pxe-uefi-direct</c>.</summary>
public class TagFilterRuleTests
{
    private const string Base = """
        dhcp-range=192.168.1.0,proxy
        pxe-service=X86PC,"Local",0
        """;

    private static ServerConfig Parse(string text)
    {
        var loaded = DnsmasqConfigReader.Parse(Base + "\n" + text, "rules.conf");
        Assert.True(loaded.IsValid, string.Join("; ", loaded.Errors.Select(e => e.ToString())));
        return loaded.Config!;
    }

    private static string Option43(string config, DhcpMessage? discover = null) =>
        Hex(Option(Reply(DhcpEngine.Decide(On67(discover ?? Discover(0)), Parse(config))), DhcpOptionCode.VendorSpecificInformation));

    [Fact]
    public void Interface_name_tag_selects_the_prompt()
    {
        var hex = Option43("pxe-prompt=tag:eth1,\"Other\",1\npxe-prompt=tag:eth0,\"Here\",2");

        Assert.Contains("0A0502" + Convert.ToHexString("Here"u8), hex, StringComparison.Ordinal);
        Assert.DoesNotContain(Convert.ToHexString("Other"u8), hex, StringComparison.Ordinal);
    }

    [Fact]
    public void Known_host_tag_selects_the_service()
    {
        var config = "dhcp-host=52:54:00:c0:ff:01,set:lab\npxe-service=tag:known,tag:lab,X86PC,\"Lab image\",lab.0";

        var hex = Option43(config);
        var stranger = Option43(config, Discover(0) with { ClientHardwareAddressField = [0x52, 0x54, 0, 0, 0, 9, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0] });

        Assert.Contains(Convert.ToHexString("Lab image"u8), hex, StringComparison.Ordinal);
        Assert.DoesNotContain(Convert.ToHexString("Lab image"u8), stranger, StringComparison.Ordinal);
    }

    [Fact]
    public void Tag_if_chain_over_vendorclass_selects_dhcp_option_pxe_and_dhcp_boot()
    {
        var config = Parse("""
            dhcp-vendorclass=set:undi2,UNDI:002001
            tag-if=set:modern,tag:undi2
            tag-if=set:both,tag:modern,tag:eth0
            dhcp-option-pxe=tag:both,option:root-path,/srv/root
            dhcp-option-pxe=tag:!both,option:root-path,/never
            dhcp-boot=tag:both,pxelinux.0
            dhcp-boot=fallback.0
            """);

        var offer = Reply(DhcpEngine.Decide(On67(Discover(0)), config));

        Assert.Contains("both", offer.Tags);
        Assert.Equal("/srv/root", System.Text.Encoding.ASCII.GetString(Option(offer, DhcpOptionCode.RootPath).AsSpan()));
        Assert.Equal("pxelinux.0", offer.Message.BootFileName);
    }

    [Fact]
    public void Dhcp_ignore_by_tag_drops_the_uefi_client_only()
    {
        var config = Parse("dhcp-match=set:efi,option:client-arch,7\ndhcp-ignore=tag:efi");

        Silent(DhcpEngine.Decide(On67(Discover(7)), config), NoReplyReason.Ignored);
        Reply(DhcpEngine.Decide(On67(Discover(0)), config));
    }

    [Fact]
    public void Http_directives_enable_the_http_server_with_its_root_and_port()
    {
        var both = Parse("tftp-root=/srv/tftp\nhttp-root=/srv/http\nhttp-port=8080");
        var portOnly = Parse("tftp-root=/srv/tftp\nhttp-port=8081");
        var none = Parse("tftp-root=/srv/tftp");

        Assert.True(both.Http.IsEnabled);
        Assert.Equal(("/srv/http", 8080), (both.Http.EffectiveRoot(both.Tftp), both.Http.Port));
        Assert.Equal(("/srv/tftp", 8081), (portOnly.Http.EffectiveRoot(portOnly.Tftp), portOnly.Http.Port));
        Assert.False(none.Http.IsEnabled);
    }

    [Theory]
    [InlineData("http-port=0", "bad http-port")]
    [InlineData("http-port=http", "bad http-port")]
    [InlineData("pxe-uefi-direct=ipxe.efi", "bad pxe-uefi-direct")]
    public void Bad_http_boot_directives_are_errors_with_the_line(string line, string message)
    {
        var loaded = DnsmasqConfigReader.Parse(Base + "\n" + line, "rules.conf");

        var error = Assert.Single(loaded.Errors);
        Assert.Equal($"{message} at line 3 of rules.conf", error.ToString().Split(Environment.NewLine)[0]);
    }

    [Fact]
    public void Uefi_direct_without_tags_applies_to_all_and_with_tags_keeps_them()
    {
        var config = Parse("pxe-uefi-direct\npxe-uefi-direct=tag:hp,tag:!lab");

        Assert.Equal(2, config.UefiDirectOffers.Length);
        Assert.True(config.UefiDirectOffers[0].Filter.IsEmpty);
        Assert.Equal("tag:hp,tag:!lab", config.UefiDirectOffers[1].Filter.ToString());
    }
}

using NetBoot.Configuration.Model;
using NetBoot.Configuration.Parsing;
using NetBoot.Wire.Dhcp;
using NetBoot.Wire.Net;
using static NetBoot.Engine.Tests.DecisionAssert;
using static NetBoot.Engine.Tests.TestRequests;

namespace NetBoot.Engine.Tests.Pxe;

/// <summary>Issue 5 from configuration text to reply: the UEFI flow (spec §1.4), <c>pxe-uefi-direct</c>, iPXE
/// chainloading to HTTP, UEFI HTTP Boot ("HTTPClient") and the Raspberry Pi menu text (spec §1.7).</summary>
public class UefiHttpBootTests
{
    private static readonly IPv4Address Local = IPv4Address.Parse("192.168.1.10");

    private const string Lab = """
        port=0
        dhcp-range=192.168.1.0,proxy
        dhcp-match=set:efi-x86_64,option:client-arch,7
        dhcp-match=set:efi-x86_64,option:client-arch,9
        dhcp-match=set:ipxe,175
        dhcp-userclass=set:ipxe,iPXE
        dhcp-vendorclass=set:efi-http,HTTPClient
        dhcp-mac=set:rpi,b8:27:eb:*:*:*
        pxe-service=tag:rpi,X86PC,"Raspberry Pi Boot   ",unused
        pxe-service=tag:!ipxe,tag:!rpi,X86PC,"Network boot (BIOS)",undionly.kpxe
        pxe-service=tag:!ipxe,tag:efi-x86_64,X86-64_EFI,"Network boot (UEFI)",ipxe.efi
        dhcp-boot=tag:ipxe,http://192.168.1.10:8080/boot.ipxe
        dhcp-boot=tag:efi-http,http://192.168.1.10:8080/ipxe.efi
        """;

    private static ServerConfig Parse(string text)
    {
        var loaded = DnsmasqConfigReader.Parse(text, "issue5.conf");
        Assert.True(loaded.IsValid, string.Join("; ", loaded.Errors.Select(e => e.ToString())));
        return loaded.Config!;
    }

    private static DhcpMessage HttpDiscover(ushort architecture = 16) =>
        Discover(architecture, vendorClass: $"HTTPClient:Arch:{architecture:00000}:UNDI:003001");

    // Spec §1.4 byte level: UEFI on 67 = 53 OFFER, 54 self, 60 "PXEClient", 97 echoed; siaddr = self; nothing else.
    [Fact]
    public void Uefi_offer_on_67_is_byte_for_byte_53_54_60_97_with_siaddr_and_empty_file()
    {
        var reply = Reply(DhcpEngine.Decide(On67(Discover(7)), Parse(Lab)));

        var bytes = DhcpMessageEncoder.Encode(reply.Message);
        Assert.Equal(2, bytes[0]);
        Assert.Equal(Local.ToBytes(), bytes[20..24]);
        Assert.All(bytes[108..236], b => Assert.Equal(0, b));
        var options = Convert.ToHexString(bytes.AsSpan(240));
        Assert.StartsWith(
            "350102" + "3604C0A8010A" + "3C09" + Convert.ToHexString("PXEClient"u8) + "6111" + Convert.ToHexString(MachineId) + "FF",
            options, StringComparison.Ordinal);
        Assert.True(bytes.Length >= 300);
    }

    // Spec §1.4 step 4: one matching service for the arch ⇒ the 4011 ACK carries file/sname/siaddr, no 43.
    [Fact]
    public void Uefi_ack_on_4011_with_a_single_service_is_byte_for_byte_file_sname_siaddr_without_option_43()
    {
        var reply = Reply(DhcpEngine.Decide(On4011(ProxyRequest(7)), Parse(Lab)));

        var bytes = DhcpMessageEncoder.Encode(reply.Message);
        Assert.Equal(Local.ToBytes(), bytes[20..24]);
        Assert.Equal("192.168.1.10", System.Text.Encoding.ASCII.GetString(bytes, 44, 12));
        Assert.Equal("ipxe.efi", System.Text.Encoding.ASCII.GetString(bytes, 108, 8));
        Assert.Equal(0, bytes[116]);
        Assert.StartsWith("350105" + "3604C0A8010A" + "3C09", Convert.ToHexString(bytes.AsSpan(240)), StringComparison.Ordinal);
        Assert.Equal(new byte[] { 53, 54, 60, 97 }, OptionCodes(reply));
    }

    // The usual two dhcp-match lines: firmware sending 9 (EBC) for x64 still gets the x64 service.
    [Theory]
    [InlineData(7)]
    [InlineData(9)]
    public void Both_client_arch_lines_tag_x64_firmware(ushort architecture)
    {
        var config = Parse(Lab.Replace("X86-64_EFI,\"Network", "tag:efi-x86_64,7,\"Network", StringComparison.Ordinal)
            + "\npxe-service=tag:efi-x86_64,9,\"Network boot (UEFI, arch 9)\",ipxe.efi");

        var ack = Reply(DhcpEngine.Decide(On4011(ProxyRequest(architecture)), config));

        Assert.Contains("efi-x86_64", ack.Tags);
        Assert.Equal("ipxe.efi", ack.Message.BootFileName);
    }

    // ARM64 UEFI (arch 11, qemu-system-aarch64 + AAVMF is too slow under TCG for CI): the same flow, its own service.
    [Fact]
    public void Arm64_uefi_is_redirected_to_4011_and_gets_its_own_service_there()
    {
        var config = Parse(Lab + "\ndhcp-match=set:efi-arm64,option:client-arch,11\npxe-service=tag:efi-arm64,ARM64_EFI,\"ARM64\",grubaa64.efi");

        var offer = Reply(DhcpEngine.Decide(On67(Discover(11)), config));
        var ack = Reply(DhcpEngine.Decide(On4011(ProxyRequest(11)), config));

        Assert.Equal(new byte[] { 53, 54, 60, 97 }, OptionCodes(offer));
        Assert.Equal(Local, offer.Message.ServerAddress);
        Assert.Contains("efi-arm64", ack.Tags);
        Assert.Equal("grubaa64.efi", ack.Message.BootFileName);
        Assert.Equal("192.168.1.10", ack.Message.ServerName);
    }

    [Fact]
    public void Several_uefi_services_give_a_menu_on_4011_and_the_boot_item_is_served()
    {
        var config = Parse(Lab + "\npxe-service=X86-64_EFI,\"Shell\",shellx64.efi");

        var ack = Reply(DhcpEngine.Decide(On4011(ProxyRequest(7)), config));
        var item = Reply(DhcpEngine.Decide(On4011(BootServerRequest(7, 0x8003)), config));

        var menu = Hex(Option(ack, DhcpOptionCode.VendorSpecificInformation));
        Assert.Contains(Convert.ToHexString("Network boot (UEFI)"u8), menu, StringComparison.Ordinal);
        Assert.Contains(Convert.ToHexString("Shell"u8), menu, StringComparison.Ordinal);
        Assert.Equal(string.Empty, ack.Message.BootFileName);
        Assert.Equal("shellx64.efi", item.Message.BootFileName);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(7)]
    public void Ipxe_detected_by_user_class_gets_the_script_url_instead_of_the_rom(ushort architecture)
    {
        var offer = Reply(DhcpEngine.Decide(On67(AsIpxe(Discover(architecture))), Parse(Lab)));

        Assert.Contains("ipxe", offer.Tags);
        Assert.Equal("http://192.168.1.10:8080/boot.ipxe", offer.Message.BootFileName);
    }

    // iPXE's dhcp_has_pxeopts() ignores a ProxyDHCP answer with a file but siaddr 0 ("Nothing to boot", seen in
    // the BIOS interop lab), so a URL boot file without a server gets this server as siaddr.
    [Fact]
    public void Bios_ipxe_given_a_url_gets_siaddr_on_67_and_4011_so_ipxe_accepts_the_proxy_answer()
    {
        var offer = Reply(DhcpEngine.Decide(On67(AsIpxe(Discover(0))), Parse(Lab)));
        var ack = Reply(DhcpEngine.Decide(On4011(AsIpxe(ProxyRequest(0))), Parse(Lab)));
        var tftp = Reply(DhcpEngine.Decide(On67(AsIpxe(Discover(0))), Parse(Lab.Replace("http://192.168.1.10:8080/boot.ipxe", "boot.ipxe", StringComparison.Ordinal))));

        Assert.Equal(Local, offer.Message.ServerAddress);
        Assert.Equal(Local, ack.Message.ServerAddress);
        Assert.Equal(IPv4Address.Any, tftp.Message.ServerAddress);
    }

    [Fact]
    public void Ipxe_detected_by_option_175_alone_gets_the_script_url()
    {
        var discover = With(Discover(0), DhcpOptionCode.EtherbootEncapsulated, [0x13, 0x01, 0x01]);

        var offer = Reply(DhcpEngine.Decide(On67(discover), Parse(Lab)));

        Assert.Contains("ipxe", offer.Tags);
        Assert.Equal("http://192.168.1.10:8080/boot.ipxe", offer.Message.BootFileName);
        // Discovery control 8: no menu item applies to iPXE, so it uses the file of the offer (no loop).
        Assert.StartsWith("060108", Hex(Option(offer, DhcpOptionCode.VendorSpecificInformation)), StringComparison.Ordinal);
    }

    [Fact]
    public void Pxe_rom_without_ipxe_marks_gets_the_rom_menu_not_the_script()
    {
        var offer = Reply(DhcpEngine.Decide(On67(Discover(0)), Parse(Lab)));

        Assert.DoesNotContain("ipxe", offer.Tags);
        Assert.Equal(string.Empty, offer.Message.BootFileName);
        Assert.Contains(Convert.ToHexString("Network boot (BIOS)"u8), Hex(Option(offer, DhcpOptionCode.VendorSpecificInformation)), StringComparison.Ordinal);
    }

    // UEFI HTTP Boot: option 60 "HTTPClient" echoed, the URL as boot file, siaddr self, no option 43.
    [Theory]
    [InlineData(16)]
    [InlineData(19)]
    public void Http_boot_client_gets_httpclient_echoed_and_a_url(ushort architecture)
    {
        var offer = Reply(DhcpEngine.Decide(On67(HttpDiscover(architecture)), Parse(Lab)));

        Assert.Equal("HTTPClient", System.Text.Encoding.ASCII.GetString(Option(offer, DhcpOptionCode.VendorClassIdentifier).AsSpan()));
        Assert.Equal("http://192.168.1.10:8080/ipxe.efi", offer.Message.BootFileName);
        Assert.Equal(new byte[] { 53, 54, 60, 97 }, OptionCodes(offer));
        Assert.Equal(ReplyDestination.BroadcastOn(2, 68), offer.Destination);
        Assert.Contains("efi-http", offer.Tags);
    }

    [Fact]
    public void Http_boot_client_without_a_url_for_its_tags_is_not_answered()
    {
        var config = Parse(Lab.Replace("dhcp-boot=tag:efi-http,http://192.168.1.10:8080/ipxe.efi", "dhcp-boot=tag:efi-http,ipxe.efi", StringComparison.Ordinal));

        Silent(DhcpEngine.Decide(On67(HttpDiscover()), config), NoReplyReason.NoBootService);
    }

    [Fact]
    public void Http_boot_client_is_not_answered_when_pxe_is_not_enabled()
    {
        var config = Parse("dhcp-range=192.168.1.0,proxy\ndhcp-boot=http://192.168.1.10/ipxe.efi");

        Silent(DhcpEngine.Decide(On67(HttpDiscover()), config), NoReplyReason.PxeNotEnabled);
    }

    // pxe-uefi-direct: firmware that never asks 4011 gets 43 = {6: 8}, siaddr and the file in the OFFER.
    [Fact]
    public void Uefi_direct_offer_carries_discovery_control_8_siaddr_and_the_single_service_file()
    {
        var config = Parse(Lab + "\ndhcp-mac=set:hp,52:54:00:*:*:*\npxe-uefi-direct=tag:hp");

        var offer = Reply(DhcpEngine.Decide(On67(Discover(7)), config));

        Assert.Equal("060108FF", Hex(Option(offer, DhcpOptionCode.VendorSpecificInformation)));
        Assert.Equal("ipxe.efi", offer.Message.BootFileName);
        Assert.Equal(Local, offer.Message.ServerAddress);
        Assert.Equal(new byte[] { 53, 54, 60, 97, 43 }, OptionCodes(offer));
    }

    [Fact]
    public void Uefi_direct_offer_uses_dhcp_boot_when_no_service_matches()
    {
        var config = Parse("dhcp-range=192.168.1.0,proxy\npxe-prompt=\"PXE\",0\ndhcp-boot=bootx64.efi\npxe-uefi-direct");

        var offer = Reply(DhcpEngine.Decide(On67(Discover(7)), config));

        Assert.Equal("bootx64.efi", offer.Message.BootFileName);
        Assert.Equal("060108FF", Hex(Option(offer, DhcpOptionCode.VendorSpecificInformation)));
    }

    [Fact]
    public void Uefi_direct_offer_is_only_for_matching_tags_and_only_on_67()
    {
        var config = Parse(Lab + "\npxe-uefi-direct=tag:hp");

        var offer = Reply(DhcpEngine.Decide(On67(Discover(7)), config));
        var ack = Reply(DhcpEngine.Decide(On4011(ProxyRequest(7)), Parse(Lab + "\npxe-uefi-direct")));

        Assert.False(offer.Message.Options.Contains(DhcpOptionCode.VendorSpecificInformation));
        Assert.Equal(string.Empty, offer.Message.BootFileName);
        Assert.False(ack.Message.Options.Contains(DhcpOptionCode.VendorSpecificInformation));
        Assert.Equal("ipxe.efi", ack.Message.BootFileName);
    }

    [Fact]
    public void Uefi_direct_without_any_boot_file_keeps_the_4011_redirect()
    {
        var config = Parse(Lab + "\npxe-service=X86-64_EFI,\"Shell\",shellx64.efi\npxe-uefi-direct");

        var offer = Reply(DhcpEngine.Decide(On67(Discover(7)), config));

        Assert.False(offer.Message.Options.Contains(DhcpOptionCode.VendorSpecificInformation));
        Assert.Equal(Local, offer.Message.ServerAddress);
    }

    [Fact]
    public void Bios_client_is_not_affected_by_uefi_direct()
    {
        var config = Parse(Lab + "\npxe-uefi-direct");

        var offer = Reply(DhcpEngine.Decide(On67(Discover(0)), config));

        Assert.Contains("0916" + "8001" + "13" + Convert.ToHexString("Network boot (BIOS)"u8),
            Hex(Option(offer, DhcpOptionCode.VendorSpecificInformation)), StringComparison.Ordinal);
        Assert.Equal(string.Empty, offer.Message.BootFileName);
    }

    // Spec §1.7: the Pi bootloader wants "Raspberry Pi Boot" in option 43's menu; selected here by its MAC prefix.
    [Fact]
    public void Raspberry_pi_selected_by_mac_gets_raspberry_pi_boot_in_option_43()
    {
        var pi = Discover(0) with
        {
            ClientHardwareAddressField = [0xb8, 0x27, 0xeb, 0x12, 0x34, 0x56, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
        };

        var offer = Reply(DhcpEngine.Decide(On67(pi), Parse(Lab)));

        Assert.Contains("rpi", offer.Tags);
        var option43 = Hex(Option(offer, DhcpOptionCode.VendorSpecificInformation));
        Assert.Contains("09" + "17" + "8000" + "14" + Convert.ToHexString("Raspberry Pi Boot   "u8), option43, StringComparison.Ordinal);
        Assert.DoesNotContain(Convert.ToHexString("Network boot (BIOS)"u8), option43, StringComparison.Ordinal);
    }
}

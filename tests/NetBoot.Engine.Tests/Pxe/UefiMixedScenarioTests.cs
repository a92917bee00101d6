using NetBoot.Configuration.Model;
using NetBoot.Wire.Dhcp;
using NetBoot.Wire.Net;
using static NetBoot.Engine.Tests.DecisionAssert;
using static NetBoot.Engine.Tests.TestRequests;

namespace NetBoot.Engine.Tests.Pxe;

/// <summary>testdata/examples/uefi-mixed.conf, built by hand, answered for each kind of client:
/// <code>
/// 6  dhcp-range=192.168.1.0,proxy
/// 7  dhcp-match=set:efi-x86_64,option:client-arch,7
/// 8  dhcp-match=set:efi-x86_64,option:client-arch,9
/// 9  dhcp-userclass=set:ipxe,iPXE
/// 10 pxe-prompt="Booting in 5 s, F8 for menu", 5
/// 11 pxe-service=tag:!ipxe,X86PC, "Network boot (BIOS)", undionly.kpxe
/// 12 pxe-service=tag:!ipxe,X86-64_EFI, "Network boot (UEFI)", ipxe.efi
/// 13 pxe-service=X86PC, "Boot from local disk", 0
/// 15 dhcp-boot=tag:ipxe,http://192.168.1.10:8080/boot.ipxe
/// </code></summary>
public class UefiMixedScenarioTests
{
    private const string Script = "http://192.168.1.10:8080/boot.ipxe";
    private static readonly IPv4Address Local = IPv4Address.Parse("192.168.1.10");

    private static readonly ServerConfig Config = new()
    {
        Ranges = [TestConfigs.ProxyRange("192.168.1.0", 6)],
        Matches =
        [
            ArchMatch(7, 7),
            ArchMatch(9, 8),
        ],
        UserClasses = [new DhcpClassMatchConfig { SetTag = "ipxe", Pattern = [.. "iPXE"u8], Source = TestConfigs.Line(9) }],
        PxePrompts = [new PxePromptConfig { Text = "Booting in 5 s, F8 for menu", Timeout = 5, Source = TestConfigs.Line(10) }],
        PxeServices =
        [
            TestConfigs.Service(0, "Network boot (BIOS)", 0x8000, "undionly.kpxe", filter: TestConfigs.Tags("!ipxe"), line: 11),
            TestConfigs.Service(7, "Network boot (UEFI)", 0x8001, "ipxe.efi", filter: TestConfigs.Tags("!ipxe"), line: 12),
            TestConfigs.Service(0, "Boot from local disk", 0, line: 13),
        ],
        BootFiles = [new DhcpBootConfig { FileName = Script, Filter = TestConfigs.Tags("ipxe"), Source = TestConfigs.Line(15) }],
    };

    private static DhcpMatchConfig ArchMatch(byte architecture, int line) => new()
    {
        SetTag = "efi-x86_64",
        OptionCode = (byte)DhcpOptionCode.ClientSystemArchitecture,
        Value = new DhcpMatchValue { Kind = DhcpMatchKind.IntegerElement, Bytes = [0, architecture], ElementWidth = 2 },
        Source = TestConfigs.Line(line),
    };

    [Fact]
    public void Bios_pxe_rom_gets_the_two_item_bios_menu_and_no_file()
    {
        var reply = Reply(DhcpEngine.Decide(On67(Discover(0)), Config));

        Assert.Equal(
            "060103" + "0807800001C0A8010A"
            + "09" + "2D" + "800013" + Convert.ToHexString("Network boot (BIOS)"u8) + "000014" + Convert.ToHexString("Boot from local disk"u8)
            + "0A1C05" + Convert.ToHexString("Booting in 5 s, F8 for menu"u8) + "FF",
            Hex(Option(reply, DhcpOptionCode.VendorSpecificInformation)));
        Assert.Equal(string.Empty, reply.Message.BootFileName);
    }

    [Fact]
    public void Uefi_x64_firmware_is_redirected_to_4011_and_there_gets_ipxe_efi_directly()
    {
        var offer = Reply(DhcpEngine.Decide(On67(Discover(7)), Config));
        var ack = Reply(DhcpEngine.Decide(On4011(ProxyRequest(7)), Config));

        Assert.Contains("efi-x86_64", offer.Tags);
        Assert.False(offer.Message.Options.Contains(DhcpOptionCode.VendorSpecificInformation));
        Assert.Equal(Local, offer.Message.ServerAddress);
        Assert.Equal(string.Empty, offer.Message.BootFileName);
        Assert.Equal("ipxe.efi", ack.Message.BootFileName);
        Assert.Equal("192.168.1.10", ack.Message.ServerName);
        Assert.False(ack.Message.Options.Contains(DhcpOptionCode.VendorSpecificInformation));
    }

    [Fact]
    public void Uefi_firmware_reporting_arch_9_has_no_menu_item_and_gets_discovery_control_8_on_4011()
    {
        var ack = Reply(DhcpEngine.Decide(On4011(ProxyRequest(9)), Config));

        Assert.Contains("efi-x86_64", ack.Tags);
        Assert.Equal("060108" + "0A1C05", Hex(Option(ack, DhcpOptionCode.VendorSpecificInformation))[..12]);
        Assert.Equal(string.Empty, ack.Message.BootFileName);
    }

    [Fact]
    public void Ipxe_on_bios_gets_the_script_url_and_only_the_untagged_local_item()
    {
        var reply = Reply(DhcpEngine.Decide(On67(AsIpxe(Discover(0))), Config));

        Assert.Equal(Script, reply.Message.BootFileName);
        // NetBoot deviation (dnsmasq sends 0): a URL boot file gets siaddr, which iPXE requires of a ProxyDHCP answer.
        Assert.Equal(Local, reply.Message.ServerAddress);
        Assert.Equal(
            "060103" + "0917" + "000014" + Convert.ToHexString("Boot from local disk"u8) + "0A1C05",
            Hex(Option(reply, DhcpOptionCode.VendorSpecificInformation))[..62]);
    }

    [Fact]
    public void Ipxe_on_uefi_gets_the_script_url_in_the_offer_since_no_uefi_item_matches()
    {
        var reply = Reply(DhcpEngine.Decide(On67(AsIpxe(Discover(7))), Config));

        Assert.Equal(Script, reply.Message.BootFileName);
        Assert.Equal(Local, reply.Message.ServerAddress);
        Assert.False(reply.Message.Options.Contains(DhcpOptionCode.VendorSpecificInformation));
    }

    [Fact]
    public void Two_nic_server_answers_proxy_on_the_public_side_only()
    {
        var config = TestConfigs.Ltsp() with
        {
            Ranges =
            [
                TestConfigs.ProxyRange("192.168.1.0", 12),
                new DhcpRangeConfig { Start = IPv4Address.Parse("192.168.67.20"), End = IPv4Address.Parse("192.168.67.250"), Source = TestConfigs.Line(14) },
            ],
        };
        var privateSide = new ArrivalInterface("eth1", 3, IPv4Address.Parse("192.168.67.1"), IPv4Address.Parse("255.255.255.0"));

        Reply(DhcpEngine.Decide(On67(Discover(0)), config));
        Silent(DhcpEngine.Decide(On67(Discover(0), privateSide), config), NoReplyReason.NoMatchingRange);
    }
}

using NetBoot.Configuration.Model;
using NetBoot.Engine.Pxe;
using NetBoot.Wire.Dhcp;
using NetBoot.Wire.Net;
using static NetBoot.Engine.Tests.DecisionAssert;
using static NetBoot.Engine.Tests.TestRequests;

namespace NetBoot.Engine.Tests.Pxe;

/// <summary>One test per row of spec §1.3 and the proxy rules of §1.4 / §5.</summary>
public class ProxyDhcpResponderTests
{
    private static readonly IPv4Address Local = IPv4Address.Parse("192.168.1.10");

    // §1.3 row 1: DHCPDISCOVER on 67 from a PXE client with option 93 on a proxy net → proxy OFFER.
    [Fact]
    public void Discover_from_bios_client_is_answered_with_a_broadcast_proxy_offer()
    {
        var reply = Reply(DhcpEngine.Decide(On67(Discover(0)), TestConfigs.Ltsp()));

        Assert.Equal(DhcpMessageType.Offer, reply.Message.MessageType);
        Assert.Equal(IPv4Address.Any, reply.Message.YourAddress);
        Assert.Equal(IPv4Address.Any, reply.Message.ClientAddress);
        Assert.True(reply.Message.IsBroadcast);
        Assert.Equal(ReplyDestination.BroadcastOn(2, 68), reply.Destination);
        Assert.Equal(ReplyAnswer.Proxy(0), reply.Answer);
        Assert.Equal(0x491fb553u, reply.Message.TransactionId);
        Assert.Equal(Client, reply.Message.ClientHardwareAddress);
        Assert.Equal(Local.ToBytes(), Option(reply, DhcpOptionCode.ServerIdentifier).ToArray());
        Assert.Equal("PXEClient"u8.ToArray(), Option(reply, DhcpOptionCode.VendorClassIdentifier).ToArray());
    }

    // §1.3 row 2: DHCPREQUEST on 67 is for the real DHCP server.
    [Fact]
    public void Request_on_port_67_is_not_answered()
    {
        var request = Discover(0) with { Options = Discover(0).Options.With(DhcpOptionCode.DhcpMessageType, [(byte)DhcpMessageType.Request]) };

        Silent(DhcpEngine.Decide(On67(request), TestConfigs.Ltsp()), NoReplyReason.RequestOnServerPort);
    }

    // §1.3 row 3: ProxyDHCPREQUEST on 4011 (no 71) → DHCPACK with the same content, yiaddr 0, to ciaddr at the source port.
    [Fact]
    public void Proxy_request_on_4011_is_acknowledged_with_the_offer_content()
    {
        var config = TestConfigs.Ltsp();
        var offer = Reply(DhcpEngine.Decide(On67(Discover(0)), config));

        var ack = Reply(DhcpEngine.Decide(On4011(ProxyRequest(0)) with { SourcePort = 1234 }, config));

        Assert.Equal(DhcpMessageType.Ack, ack.Message.MessageType);
        Assert.Equal(IPv4Address.Any, ack.Message.YourAddress);
        Assert.Equal(IPv4Address.Parse("192.168.1.90"), ack.Message.ClientAddress);
        Assert.Equal(new ReplyDestination(IPv4Address.Parse("192.168.1.90"), 1234, false, 2), ack.Destination);
        Assert.Equal(Hex(Option(offer, DhcpOptionCode.VendorSpecificInformation)), Hex(Option(ack, DhcpOptionCode.VendorSpecificInformation)));
        Assert.Equal(offer.Message.BootFileName, ack.Message.BootFileName);
        Assert.Equal(ReplyKind.Proxy, ack.Answer.Kind);
    }

    [Fact]
    public void Ipxe_proxy_request_on_4011_is_answered_for_bios_too()
    {
        var ack = Reply(DhcpEngine.Decide(On4011(AsIpxe(ProxyRequest(0))), TestConfigs.Ltsp()));

        Assert.Equal(DhcpMessageType.Ack, ack.Message.MessageType);
        Assert.True(ack.Message.Options.Contains(DhcpOptionCode.VendorSpecificInformation));
    }

    // §1.3 row 5: dhcp-ignore drops the client ("proxy-ignored").
    [Fact]
    public void Client_matching_dhcp_ignore_gets_no_proxy_offer()
    {
        var config = TestConfigs.Ltsp() with
        {
            MacMatches = [new DhcpMacMatchConfig { SetTag = "banned", Pattern = [0x52, 0x54, 0x00, null, null, null], Source = TestConfigs.Line(30) }],
            Ignores = [new DhcpIgnoreConfig { Filter = TestConfigs.Tags("banned"), Source = TestConfigs.Line(31) }],
        };

        var noReply = Silent(DhcpEngine.Decide(On67(Discover(0)), config), NoReplyReason.Ignored);
        Assert.Equal(ProxySilenceReason.Ignored, noReply.Proxy?.Reason);
        Assert.Contains("proxy-ignored", noReply.Describe(), StringComparison.Ordinal);
    }

    // §1.3 row 6: BOOTP (no option 53) on a proxy net.
    [Fact]
    public void Bootp_request_is_not_answered_by_a_proxy()
    {
        var bootp = Discover(0) with { Options = Discover(0).Options.Without(DhcpOptionCode.DhcpMessageType) };

        Silent(DhcpEngine.Decide(On67(bootp), TestConfigs.Ltsp()), NoReplyReason.UnsupportedMessageType);
    }

    [Fact]
    public void Client_without_pxe_vendor_class_is_not_answered()
    {
        var noReply = Silent(DhcpEngine.Decide(On67(Discover(0, vendorClass: "MSFT 5.0")), TestConfigs.Ltsp()), NoReplyReason.NotAPxeClient);

        Assert.Equal(ProxySilenceReason.NotPxeVendorClass, noReply.Proxy?.Reason);
    }

    [Fact]
    public void Configured_pxe_vendor_is_accepted_by_prefix_and_echoed_in_option_60()
    {
        var config = TestConfigs.Ltsp() with { PxeVendors = ["PXEClient", "HW-Client"] };

        var reply = Reply(DhcpEngine.Decide(On67(Discover(0, vendorClass: "HW-Client:Arch:00000")), config));

        Assert.Equal("HW-Client"u8.ToArray(), Option(reply, DhcpOptionCode.VendorClassIdentifier).ToArray());
    }

    // §5 anchor 6: missing option 93 ⇒ no proxy reply.
    [Fact]
    public void Discover_without_client_architecture_is_not_answered()
    {
        Silent(DhcpEngine.Decide(On67(Discover(0, withArchitecture: false)), TestConfigs.Ltsp()), NoReplyReason.NoClientArchitecture);
    }

    // §5 anchor 6: no pxe-service/pxe-prompt ⇒ no proxy replies, even with dhcp-boot and a proxy range.
    [Fact]
    public void Proxy_range_without_pxe_service_or_prompt_answers_nothing()
    {
        var config = TestConfigs.Ltsp() with { PxeServices = [], PxePrompts = [] };

        Silent(DhcpEngine.Decide(On67(Discover(0)), config), NoReplyReason.PxeNotEnabled);
    }

    [Fact]
    public void Pxe_prompt_alone_enables_proxy_replies()
    {
        var config = TestConfigs.Ltsp() with { PxeServices = [] };

        Reply(DhcpEngine.Decide(On67(Discover(0)), config));
    }

    [Fact]
    public void Arrival_on_a_network_without_a_range_is_not_answered()
    {
        var decision = DhcpEngine.Decide(On67(Discover(0), Eth0("10.0.0.1")), TestConfigs.Ltsp());

        var noReply = Silent(decision, NoReplyReason.NoMatchingRange);
        Assert.Equal(new ProxySilence(ProxySilenceReason.NoRangeForNetwork), noReply.Proxy);
        Assert.Equal("no address range available for DHCP request", noReply.Describe());
    }

    [Fact]
    public void Proxy_range_whose_tag_filter_does_not_match_is_not_used()
    {
        var config = TestConfigs.Ltsp() with { Ranges = [TestConfigs.ProxyRange("192.168.1.0", 12, filter: TestConfigs.Tags("lab"))] };

        var noReply = Silent(DhcpEngine.Decide(On67(Discover(0)), config), NoReplyReason.NoMatchingRange);

        Assert.Equal(ProxySilenceReason.ProxyRangeTagsNotMet, noReply.Proxy?.Reason);
    }

    [Fact]
    public void Dynamic_range_without_proxy_is_not_served_by_the_proxy_responder()
    {
        var config = TestConfigs.Ltsp() with
        {
            Ranges = [new DhcpRangeConfig { Start = IPv4Address.Parse("192.168.1.50"), End = IPv4Address.Parse("192.168.1.99"), Source = TestConfigs.Line(12) }],
        };

        Silent(DhcpEngine.Decide(On67(Discover(0)), config), NoReplyReason.NoMatchingRange);
    }

    [Fact]
    public void Range_set_tag_selects_tagged_services()
    {
        var config = TestConfigs.Ltsp() with
        {
            Ranges = [TestConfigs.ProxyRange("192.168.1.0", 12, setTag: "proxy")],
            PxeServices = [TestConfigs.Service(0, "Only via proxy", 0x8000, "p", filter: TestConfigs.Tags("proxy"))],
        };

        var reply = Reply(DhcpEngine.Decide(On67(Discover(0)), config));

        Assert.Contains("proxy", reply.Tags);
        Assert.Contains(Convert.ToHexString("Only via proxy"u8), Hex(Option(reply, DhcpOptionCode.VendorSpecificInformation)), StringComparison.Ordinal);
    }

    // §5 anchor 5: exactly 53, 54, 60, 97, 43; never 17/66/67 even when configured.
    [Fact]
    public void Proxy_offer_carries_only_53_54_60_97_and_43()
    {
        var config = TestConfigs.Ltsp() with
        {
            Options =
            [
                .. TestConfigs.Ltsp().Options,
                new DhcpOptionConfig { Code = 66, Value = TestConfigs.Ascii("192.168.1.10"), Directive = DhcpOptionDirective.Force, Source = TestConfigs.Line(20) },
                new DhcpOptionConfig { Code = 67, Value = TestConfigs.Ascii("pxelinux.0"), Source = TestConfigs.Line(21) },
            ],
        };

        var reply = Reply(DhcpEngine.Decide(On67(Discover(0)), config));

        Assert.Equal(new byte[] { 53, 54, 60, 97, 43 }, OptionCodes(reply));
    }

    [Fact]
    public void Option_97_is_echoed_only_when_it_is_17_bytes()
    {
        var reply16 = Reply(DhcpEngine.Decide(On67(Discover(0, uuid: new byte[16])), TestConfigs.Ltsp()));
        var reply17 = Reply(DhcpEngine.Decide(On67(Discover(0)), TestConfigs.Ltsp()));
        var none = Reply(DhcpEngine.Decide(On67(Discover(0, uuid: [])), TestConfigs.Ltsp()));

        Assert.False(reply16.Message.Options.Contains(DhcpOptionCode.ClientMachineIdentifier));
        Assert.False(none.Message.Options.Contains(DhcpOptionCode.ClientMachineIdentifier));
        Assert.Equal(MachineId, Option(reply17, DhcpOptionCode.ClientMachineIdentifier).ToArray());
    }

    [Fact]
    public void Dhcp_option_pxe_options_follow_option_43()
    {
        var config = TestConfigs.Ltsp() with
        {
            Options =
            [
                .. TestConfigs.Ltsp().Options,
                new DhcpOptionConfig { Code = 209, Value = TestConfigs.Ascii("pxelinux.cfg/lab"), Directive = DhcpOptionDirective.Pxe, Source = TestConfigs.Line(20) },
            ],
        };

        var reply = Reply(DhcpEngine.Decide(On67(Discover(0)), config));

        Assert.Equal(new byte[] { 53, 54, 60, 97, 43, 209 }, OptionCodes(reply));
    }

    // §5 anchor 4: UEFI on 67 gets no option 43 and siaddr = this server, for every UEFI architecture.
    [Theory]
    [InlineData(6)]
    [InlineData(7)]
    [InlineData(9)]
    [InlineData(11)]
    public void Discover_from_uefi_client_is_answered_without_option_43(ushort architecture)
    {
        var reply = Reply(DhcpEngine.Decide(On67(Discover(architecture)), TestConfigs.Ltsp()));

        Assert.Equal(new byte[] { 53, 54, 60, 97 }, OptionCodes(reply));
        Assert.Equal(Local, reply.Message.ServerAddress);
        Assert.Equal(ReplyDestination.BroadcastOn(2, 68), reply.Destination);
    }

    [Fact]
    public void Uefi_without_matching_service_gets_dhcp_boot_file_on_67_and_4011()
    {
        var config = TestConfigs.Ltsp();

        var offer = Reply(DhcpEngine.Decide(On67(Discover(7)), config));
        var ack = Reply(DhcpEngine.Decide(On4011(ProxyRequest(7)), config));

        Assert.Equal("/ltsp/i386/pxelinux.0", offer.Message.BootFileName);
        Assert.Equal("/ltsp/i386/pxelinux.0", ack.Message.BootFileName);
        // On 4011 the menu is sent; no item for arch 7 → discovery control 8 (use the file in the offer).
        Assert.Equal("060108", Hex(Option(ack, DhcpOptionCode.VendorSpecificInformation))[..6]);
    }

    // §5 anchor 4: a single matching UEFI service ⇒ the 4011 ACK carries file/sname/siaddr and no option 43.
    [Fact]
    public void Uefi_with_a_single_service_gets_file_sname_and_siaddr_on_4011_without_option_43()
    {
        var config = TestConfigs.Ltsp() with
        {
            PxeServices = [.. TestConfigs.Ltsp().PxeServices, TestConfigs.Service(7, "UEFI", 0x8001, "grub/bootx64")],
        };

        var offer = Reply(DhcpEngine.Decide(On67(Discover(7)), config));
        var ack = Reply(DhcpEngine.Decide(On4011(ProxyRequest(7)), config));

        Assert.Equal(string.Empty, offer.Message.BootFileName);
        Assert.Equal(Local, offer.Message.ServerAddress);
        Assert.Equal(new byte[] { 53, 54, 60, 97 }, OptionCodes(ack));
        Assert.Equal("grub/bootx64.0", ack.Message.BootFileName);
        Assert.Equal("192.168.1.10", ack.Message.ServerName);
        Assert.Equal(Local, ack.Message.ServerAddress);
    }

    [Fact]
    public void Uefi_single_service_with_a_dotted_basename_and_own_server_keeps_the_name()
    {
        var config = TestConfigs.Ltsp() with
        {
            PxeServices = [TestConfigs.Service(9, "UEFI", 0x8000, "ipxe.efi", server: "192.168.1.20")],
        };

        var ack = Reply(DhcpEngine.Decide(On4011(ProxyRequest(9)), config));

        Assert.Equal("ipxe.efi", ack.Message.BootFileName);
        Assert.Equal("192.168.1.20", ack.Message.ServerName);
        Assert.Equal(IPv4Address.Parse("192.168.1.20"), ack.Message.ServerAddress);
    }

    // §5 anchor 4: several matching services ⇒ the 4011 ACK carries the menu.
    [Fact]
    public void Uefi_with_several_services_gets_the_menu_on_4011()
    {
        var config = TestConfigs.Ltsp() with
        {
            PxeServices = [TestConfigs.Service(7, "One", 0x8000, "one"), TestConfigs.Service(7, "Two", 0x8001, "two")],
        };

        var ack = Reply(DhcpEngine.Decide(On4011(ProxyRequest(7)), config));

        Assert.Equal(new byte[] { 53, 54, 60, 97, 43 }, OptionCodes(ack));
        Assert.Equal(Local, ack.Message.ServerAddress);
        Assert.Contains("09", Hex(Option(ack, DhcpOptionCode.VendorSpecificInformation)), StringComparison.Ordinal);
    }

    // §5 anchor 7: CSA numbers are the option 93 values (x86-64_EFI = 7, BC_EFI = 9); any integer is allowed.
    [Theory]
    [InlineData(7, 7, true)]
    [InlineData(7, 9, false)]
    [InlineData(9, 9, true)]
    [InlineData(41, 41, true)]
    public void Menu_items_are_shown_only_to_their_client_architecture(ushort csa, ushort clientArchitecture, bool shown)
    {
        var config = TestConfigs.Ltsp() with { PxeServices = [TestConfigs.Service(csa, "Item", 1, server: "192.168.1.30")] };

        var ack = Reply(DhcpEngine.Decide(On4011(ProxyRequest(clientArchitecture)), config));

        var option43 = Hex(Option(ack, DhcpOptionCode.VendorSpecificInformation));
        Assert.Equal(shown, option43.Contains("0907000104", StringComparison.Ordinal));
    }

    [Fact]
    public void Tagged_dhcp_boot_wins_over_untagged_and_the_last_matching_line_wins()
    {
        var config = TestConfigs.Ltsp() with
        {
            UserClasses = [new DhcpClassMatchConfig { SetTag = "ipxe", Pattern = [.. "iPXE"u8], Source = TestConfigs.Line(1) }],
            BootFiles =
            [
                new DhcpBootConfig { FileName = "tagged-first", Filter = TestConfigs.Tags("ipxe"), Source = TestConfigs.Line(2) },
                new DhcpBootConfig { FileName = "untagged-early", Source = TestConfigs.Line(3) },
                new DhcpBootConfig { FileName = "tagged-last", Filter = TestConfigs.Tags("ipxe"), ServerAddress = "192.168.1.5", Source = TestConfigs.Line(4) },
                new DhcpBootConfig { FileName = "untagged-late", Source = TestConfigs.Line(5) },
            ],
        };

        var ipxe = Reply(DhcpEngine.Decide(On67(AsIpxe(Discover(0))), config));
        var plain = Reply(DhcpEngine.Decide(On67(Discover(0)), config));

        Assert.Equal("tagged-last", ipxe.Message.BootFileName);
        Assert.Equal(IPv4Address.Parse("192.168.1.5"), ipxe.Message.ServerAddress);
        Assert.Equal("untagged-late", plain.Message.BootFileName);
        Assert.Equal(IPv4Address.Any, plain.Message.ServerAddress);
    }

    [Fact]
    public void Relayed_discover_is_answered_to_the_relay_on_port_67()
    {
        var relayed = Discover(0) with { RelayAgentAddress = IPv4Address.Parse("10.1.2.1") };
        var config = TestConfigs.Ltsp() with { Ranges = [TestConfigs.ProxyRange("10.1.2.0", 12, netmask: "255.255.255.0")] };

        var reply = Reply(DhcpEngine.Decide(On67(relayed), config));

        Assert.Equal(new ReplyDestination(IPv4Address.Parse("10.1.2.1"), 67, false, 2), reply.Destination);
        Assert.Equal(IPv4Address.Parse("10.1.2.1"), reply.Message.RelayAgentAddress);
        // The server identifier is still the arrival interface's address.
        Assert.Equal(Local.ToBytes(), Option(reply, DhcpOptionCode.ServerIdentifier).ToArray());
    }

    [Fact]
    public void Server_identifier_is_the_arrival_interface_address()
    {
        var config = TestConfigs.Ltsp() with { Ranges = [TestConfigs.ProxyRange("172.16.0.0", 12, netmask: "255.255.0.0")] };
        var arrival = new ArrivalInterface("lan1", 7, IPv4Address.Parse("172.16.5.4"), IPv4Address.Parse("255.255.0.0"));

        var reply = Reply(DhcpEngine.Decide(On67(Discover(7), arrival), config));

        Assert.Equal(IPv4Address.Parse("172.16.5.4").ToBytes(), Option(reply, DhcpOptionCode.ServerIdentifier).ToArray());
        Assert.Equal(IPv4Address.Parse("172.16.5.4"), reply.Message.ServerAddress);
        Assert.Equal(7, reply.Destination.InterfaceIndex);
        Assert.Contains("lan1", reply.Tags);
    }

    [Fact]
    public void Decision_lists_the_tags_of_the_request()
    {
        var config = TestConfigs.PxeLab();

        var reply = Reply(DhcpEngine.Decide(On67(AsIpxe(Discover(0)), TestConfigs.Br0()), config));

        Assert.Equal(new[] { "br0", "ipxe" }, reply.Tags.ToArray());
    }

    [Fact]
    public void Interface_excluded_by_configuration_is_not_served()
    {
        var config = TestConfigs.Ltsp() with { Interfaces = new InterfaceConfig { Include = ["eth1"] } };

        Silent(DhcpEngine.Decide(On67(Discover(0)), config), NoReplyReason.NotForUs);
    }

    [Fact]
    public void Boot_reply_from_a_client_is_rejected()
    {
        var reply = Discover(0) with { Operation = BootOperation.BootReply };

        Silent(DhcpEngine.Decide(On67(reply), TestConfigs.Ltsp()), NoReplyReason.NotADhcpMessage);
    }
}

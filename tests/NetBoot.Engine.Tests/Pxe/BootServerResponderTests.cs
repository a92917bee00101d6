using NetBoot.Configuration.Model;
using NetBoot.Engine.Pxe;
using NetBoot.Wire.Dhcp;
using NetBoot.Wire.Net;
using NetBoot.Wire.Pxe;
using static NetBoot.Engine.Tests.DecisionAssert;
using static NetBoot.Engine.Tests.TestRequests;

namespace NetBoot.Engine.Tests.Pxe;

/// <summary>Spec §1.6 and §5 anchor 3: a request naming a boot item (43/71) gets the item's boot file.</summary>
public class BootServerResponderTests
{
    private static readonly IPv4Address ClientAddress = IPv4Address.Parse("192.168.1.90");

    [Fact]
    public void Boot_item_request_on_4011_gets_the_basename_with_the_layer_suffix()
    {
        var reply = Reply(DhcpEngine.Decide(On4011(BootServerRequest(0, 0x8000)), TestConfigs.Ltsp()));

        Assert.Equal(DhcpMessageType.Ack, reply.Message.MessageType);
        Assert.Equal("/ltsp/i386/pxelinux.0", reply.Message.BootFileName);
        Assert.Equal(ReplyAnswer.BootServer(new PxeBootItem(0x8000, 0), 0), reply.Answer);
        Assert.Equal(ClientAddress, reply.Message.YourAddress);
        Assert.Equal(IPv4Address.Any, reply.Message.ClientAddress);
        Assert.Equal(IPv4Address.Parse("192.168.1.10"), reply.Message.ServerAddress);
        Assert.Equal(new ReplyDestination(ClientAddress, 68, false, 2), reply.Destination);
    }

    [Fact]
    public void Boot_item_is_echoed_in_option_43_before_the_configured_sub_options()
    {
        var reply = Reply(DhcpEngine.Decide(On4011(BootServerRequest(0, 0x8000, layer: 1)), TestConfigs.Ltsp()));

        var option43 = Hex(Option(reply, DhcpOptionCode.VendorSpecificInformation));
        // 71 = {0x8000, layer 1}, then pxe-prompt (line 8) and vendor:PXEClient,6,2b (line 6) in reverse order, END.
        Assert.Equal("470480000001" + "0A1703" + Convert.ToHexString("Press F8 for boot menu"u8) + "060102" + "FF", option43);
        Assert.Equal("/ltsp/i386/pxelinux.1", reply.Message.BootFileName);
        Assert.Equal(new byte[] { 53, 54, 60, 97, 43 }, OptionCodes(reply));
    }

    [Fact]
    public void Basename_with_a_dot_is_used_as_is()
    {
        var config = TestConfigs.Ltsp() with { PxeServices = [TestConfigs.Service(7, "iPXE", 0x8000, "ltsp/snponly.efi")] };

        var reply = Reply(DhcpEngine.Decide(On4011(BootServerRequest(7, 0x8000)), config));

        Assert.Equal("ltsp/snponly.efi", reply.Message.BootFileName);
    }

    [Fact]
    public void Service_with_its_own_server_sends_the_client_there()
    {
        var config = TestConfigs.Ltsp() with { PxeServices = [TestConfigs.Service(0, "Remote", 0x8000, "remote", server: "192.168.1.20")] };

        var reply = Reply(DhcpEngine.Decide(On4011(BootServerRequest(0, 0x8000)), config));

        Assert.Equal(IPv4Address.Parse("192.168.1.20"), reply.Message.ServerAddress);
    }

    [Fact]
    public void Service_is_found_by_type_only_whatever_the_architecture_and_tags()
    {
        var config = TestConfigs.Ltsp() with
        {
            PxeServices = [TestConfigs.Service(0, "BIOS only", 0x8000, "bios", filter: TestConfigs.Tags("never"))],
        };

        var reply = Reply(DhcpEngine.Decide(On4011(BootServerRequest(7, 0x8000)), config));

        Assert.Equal("bios.0", reply.Message.BootFileName);
    }

    [Fact]
    public void Boot_item_request_on_port_67_is_answered_too()
    {
        var reply = Reply(DhcpEngine.Decide(On67(BootServerRequest(0, 0x8000)), TestConfigs.Ltsp()));

        Assert.Equal("/ltsp/i386/pxelinux.0", reply.Message.BootFileName);
        // Port 67 without giaddr and broadcast flag: unicast to yiaddr at the client port, via an ARP entry.
        Assert.Equal(new ReplyDestination(ClientAddress, 68, false, 2) { RequiresArpEntry = true }, reply.Destination);
    }

    [Fact]
    public void Boot_item_inform_is_answered_like_a_request()
    {
        var reply = Reply(DhcpEngine.Decide(On4011(BootServerRequest(0, 0x8000, messageType: DhcpMessageType.Inform)), TestConfigs.Ltsp()));

        Assert.Equal(DhcpMessageType.Ack, reply.Message.MessageType);
    }

    [Fact]
    public void Boot_integrity_services_layer_is_not_answered()
    {
        var noReply = Silent(DhcpEngine.Decide(On4011(BootServerRequest(0, 0x8000, layer: 0x8000)), TestConfigs.Ltsp()),
            NoReplyReason.BootIntegrityServicesNotSupported);

        Assert.Equal(new ProxySilence(ProxySilenceReason.BootIntegrityServices, BootItem: new PxeBootItem(0x8000, 0x8000)), noReply.Proxy);
    }

    [Fact]
    public void Local_boot_item_has_no_file_and_is_not_answered()
    {
        var noReply = Silent(DhcpEngine.Decide(On4011(BootServerRequest(0, 0)), TestConfigs.Ltsp()), NoReplyReason.NoBootService);

        Assert.Equal(new ProxySilence(ProxySilenceReason.ServiceWithoutBootFile, BootItem: new PxeBootItem(0, 0)), noReply.Proxy);
    }

    [Fact]
    public void Unknown_boot_item_type_is_not_answered()
    {
        var noReply = Silent(DhcpEngine.Decide(On4011(BootServerRequest(0, 0x8009)), TestConfigs.Ltsp()), NoReplyReason.NoBootService);

        Assert.Equal(new ProxySilence(ProxySilenceReason.NoServiceOfType, BootItem: new PxeBootItem(0x8009, 0)), noReply.Proxy);
    }

    [Fact]
    public void Client_address_outside_every_range_is_not_answered()
    {
        var noReply = Silent(DhcpEngine.Decide(On4011(BootServerRequest(0, 0x8000, clientAddress: "10.9.9.9")), TestConfigs.Ltsp()),
            NoReplyReason.NoMatchingRange);

        Assert.Equal(new ProxySilence(ProxySilenceReason.ClientAddressNotServed, IPv4Address.Parse("10.9.9.9"), new PxeBootItem(0x8000, 0)), noReply.Proxy);
    }

    [Fact]
    public void Client_matching_dhcp_ignore_gets_no_boot_file()
    {
        var config = TestConfigs.Ltsp() with
        {
            VendorClasses = [new DhcpClassMatchConfig { SetTag = "pxe", Pattern = [.. "PXEClient"u8], Source = TestConfigs.Line(30) }],
            Ignores = [new DhcpIgnoreConfig { Filter = TestConfigs.Tags("pxe"), Source = TestConfigs.Line(31) }],
        };

        Silent(DhcpEngine.Decide(On4011(BootServerRequest(0, 0x8000)), config), NoReplyReason.Ignored);
    }
}

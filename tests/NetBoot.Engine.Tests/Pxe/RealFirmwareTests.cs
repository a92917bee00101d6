using NetBoot.Configuration.Model;
using NetBoot.Testing;
using NetBoot.Wire.Dhcp;
using NetBoot.Wire.Net;
using static NetBoot.Engine.Tests.DecisionAssert;

namespace NetBoot.Engine.Tests.Pxe;

/// <summary>Requests of real firmware (an ASRock board's BIOS PXE ROM, testdata/pcap/pxe/netboot-pcap-testdata-usec.pcap,
/// where pixiecore was the proxy at 192.168.16.10) answered the way dnsmasq would answer them.</summary>
public class RealFirmwareTests
{
    private static readonly IReadOnlyList<CapturedDatagram> Capture =
        LabCapture.ReadUdp(Path.Combine(TestPaths.TestData, "pcap", "pxe", "netboot-pcap-testdata-usec.pcap"));

    private static readonly ArrivalInterface Lan = new("lan", 4, IPv4Address.Parse("192.168.16.10"), IPv4Address.Parse("255.255.255.0"));

    /// <summary><c>dhcp-range=192.168.16.0,proxy</c> and <c>pxe-service=x86PC,"Pixiecore",boot</c>.</summary>
    private static readonly ServerConfig Config = new()
    {
        Ranges = [TestConfigs.ProxyRange("192.168.16.0", 1)],
        PxeServices = [TestConfigs.Service(0, "Pixiecore", 0x8000, "boot", line: 2)],
    };

    [Fact]
    public void Bios_discover_frame_1_gets_a_proxy_offer_with_a_one_item_menu()
    {
        var reply = Reply(DhcpEngine.Decide(Request(1), Config));

        Assert.Equal(DhcpMessageType.Offer, reply.Message.MessageType);
        Assert.Equal(
            "060103" + "0A0400505845" + "0807800001C0A8100A" + "090C8000095069786965636F7265" + "FF",
            Hex(Option(reply, DhcpOptionCode.VendorSpecificInformation)));
        Assert.Equal(ReplyDestination.BroadcastOn(4, 68), reply.Destination);
    }

    [Fact]
    public void Request_to_the_router_frame_4_is_left_alone()
    {
        Silent(DhcpEngine.Decide(Request(4), Config), NoReplyReason.RequestOnServerPort);
    }

    [Fact]
    public void Boot_server_request_frame_6_from_port_4011_is_answered_at_its_source_port()
    {
        var reply = Reply(DhcpEngine.Decide(Request(6), Config));

        Assert.Equal("boot.0", reply.Message.BootFileName);
        Assert.Equal(IPv4Address.Parse("192.168.16.12"), reply.Message.YourAddress);
        Assert.Equal(IPv4Address.Parse("192.168.16.10"), reply.Message.ServerAddress);
        Assert.Equal(new ReplyDestination(IPv4Address.Parse("192.168.16.12"), 4011, false, 4), reply.Destination);
        Assert.StartsWith("470480000000", Hex(Option(reply, DhcpOptionCode.VendorSpecificInformation)), StringComparison.Ordinal);
    }

    private static DhcpRequest Request(int frame)
    {
        var datagram = Capture.Single(d => d.Frame == frame);
        return new DhcpRequest(LabCapture.Decode(datagram.Payload), Lan, datagram.Source, datagram.SourcePort, datagram.DestinationPort);
    }
}

using NetBoot.Testing;
using NetBoot.Wire.Dhcp;
using NetBoot.Wire.Net;
using static NetBoot.Engine.Tests.DecisionAssert;

namespace NetBoot.Engine.Tests.Pxe;

/// <summary>The engine against dnsmasq 2.90's real answers in testdata/lab/bios-ipxe-proxy (dnsmasq-pxelab.conf,
/// interface br0 = 192.0.2.1/24, an iPXE BIOS client 52:54:00:c0:ff:01 tagged <c>ipxe</c> by its user class).</summary>
public class DnsmasqLabCaptureTests
{
    /// <summary>Option 43 of dnsmasq's proxy DHCPOFFER, capture.pcap frame 2 (answer to the DISCOVER of frame 1; frame 4
    /// repeats it): 6 = 3, 8 = {0x8002: 192.0.2.1}, 9 = {0x8002 "iPXE script"}, 10 = {3, "Press F8 for boot menu"}, END.</summary>
    private const string OfferOption43 =
        "060103" + "08078002" + "01C0000201" + "090E80020B" + "69505845207363726970740A1703" + "507265737320463820666F7220626F6F74206D656E75" + "FF";

    /// <summary>Option 43 of dnsmasq's boot-server DHCPACK on port 4011, capture.pcap frame 15 (answer to the request of
    /// frame 14 for boot item 0x8002 layer 0): 71 echoed, the configured prompt, END.</summary>
    private const string BootServerAckOption43 =
        "470480020000" + "0A1703" + "507265737320463820666F7220626F6F74206D656E75" + "FF";

    private static readonly IReadOnlyList<CapturedDatagram> Capture =
        LabCapture.ReadUdp(Path.Combine(TestPaths.TestData, "lab", "bios-ipxe-proxy", "capture.pcap"));

    [Fact]
    public void Hard_coded_expectations_are_the_bytes_in_the_capture()
    {
        Assert.Equal(OfferOption43, Hex(LabCapture.Option(Frame(2), DhcpOptionCode.VendorSpecificInformation)));
        Assert.Equal(BootServerAckOption43, Hex(LabCapture.Option(Frame(15), DhcpOptionCode.VendorSpecificInformation)));
    }

    [Fact]
    public void Proxy_offer_to_ipxe_bios_discover_matches_dnsmasq_frame_2()
    {
        var request = new DhcpRequest(Frame(1), TestConfigs.Br0(), IPv4Address.Any, 68, 67);

        var reply = Reply(DhcpEngine.Decide(request, TestConfigs.PxeLab()));

        Assert.Equal(OfferOption43, Hex(Option(reply, DhcpOptionCode.VendorSpecificInformation)));
        AssertSameReply(Frame(2), reply.Message);
        Assert.Equal(ReplyDestination.BroadcastOn(3, 68), reply.Destination);
        Assert.Equal(Datagram(2).Destination, reply.Destination.Address);
        Assert.Equal(ReplyKind.Proxy, reply.Answer.Kind);
    }

    [Fact]
    public void Boot_server_ack_to_ipxe_request_on_4011_matches_dnsmasq_frame_15()
    {
        var captured = Datagram(14);
        var request = new DhcpRequest(Frame(14), TestConfigs.Br0(), captured.Source, captured.SourcePort, captured.DestinationPort);

        var reply = Reply(DhcpEngine.Decide(request, TestConfigs.PxeLab()));

        Assert.Equal(BootServerAckOption43, Hex(Option(reply, DhcpOptionCode.VendorSpecificInformation)));
        AssertSameReply(Frame(15), reply.Message);
        Assert.Equal(new ReplyDestination(Datagram(15).Destination, Datagram(15).DestinationPort, false, 3), reply.Destination);
        Assert.Equal(ReplyKind.BootServer, reply.Answer.Kind);
    }

    private static void AssertSameReply(DhcpMessage expected, DhcpMessage actual)
    {
        Assert.Equal(expected.TransactionId, actual.TransactionId);
        Assert.Equal(expected.SecondsElapsed, actual.SecondsElapsed);
        Assert.Equal(expected.Flags, actual.Flags);
        Assert.Equal(expected.ClientAddress, actual.ClientAddress);
        Assert.Equal(expected.YourAddress, actual.YourAddress);
        Assert.Equal(expected.ServerAddress, actual.ServerAddress);
        Assert.Equal(expected.RelayAgentAddress, actual.RelayAgentAddress);
        Assert.Equal(expected.ClientHardwareAddress, actual.ClientHardwareAddress);
        Assert.Equal(expected.ServerName, actual.ServerName);
        Assert.Equal(expected.BootFileName, actual.BootFileName);
        Assert.Equal(
            expected.Options.Select(o => $"{(byte)o.Code}:{Hex(o.Data)}"),
            actual.Options.Select(o => $"{(byte)o.Code}:{Hex(o.Data)}"));
    }

    private static CapturedDatagram Datagram(int frame) => Capture.Single(d => d.Frame == frame);

    private static DhcpMessage Frame(int frame) => LabCapture.Decode(Datagram(frame).Payload);
}

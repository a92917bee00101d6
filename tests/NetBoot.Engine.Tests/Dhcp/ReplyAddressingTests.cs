using NetBoot.Configuration.Model;
using NetBoot.Engine.Dhcp;
using NetBoot.Wire.Dhcp;
using NetBoot.Wire.Net;
using static NetBoot.Engine.Tests.TestRequests;

namespace NetBoot.Engine.Tests.Dhcp;

/// <summary>Spec §1.1 reply addressing (dnsmasq <c>dhcp_packet</c>).</summary>
public class ReplyAddressingTests
{
    private static readonly ServerConfig Config = new();

    private static DhcpMessage ReplyWith(string ciaddr = "0.0.0.0", string yiaddr = "0.0.0.0", ushort flags = 0) =>
        DhcpMessage.CreateRequest(DhcpMessageType.Ack, Client, 1) with
        {
            Operation = BootOperation.BootReply,
            ClientAddress = IPv4Address.Parse(ciaddr),
            YourAddress = IPv4Address.Parse(yiaddr),
            Flags = flags,
        };

    [Fact]
    public void Broadcast_flag_sends_to_255_255_255_255_on_the_arrival_interface()
    {
        var destination = ReplyAddressing.For(On67(Discover(0)), ReplyWith(flags: 0x8000), Config);

        Assert.Equal(ReplyDestination.BroadcastOn(2, 68), destination);
    }

    [Fact]
    public void Relayed_request_goes_to_giaddr_port_67()
    {
        var relayed = Discover(0) with { RelayAgentAddress = IPv4Address.Parse("10.0.0.1") };

        var destination = ReplyAddressing.For(On67(relayed), ReplyWith(flags: 0x8000), Config);

        Assert.Equal(new ReplyDestination(IPv4Address.Parse("10.0.0.1"), 67, false, 2), destination);
    }

    [Fact]
    public void Alternate_ports_are_honoured()
    {
        var config = new ServerConfig { DhcpServerPort = 1067, DhcpClientPort = 1068 };

        var destination = ReplyAddressing.For(On67(Discover(0)), ReplyWith(flags: 0x8000), config);

        Assert.Equal(1068, destination.Port);
    }

    [Fact]
    public void Reply_to_ciaddr_on_67_uses_the_source_port_only_when_the_source_is_the_client()
    {
        var request = On67(ProxyRequest(0)) with { SourceAddress = IPv4Address.Parse("192.168.1.90"), SourcePort = 5000 };
        var fromElsewhere = request with { SourceAddress = IPv4Address.Parse("192.168.1.1") };

        Assert.Equal(5000, ReplyAddressing.For(request, ReplyWith(ciaddr: "192.168.1.90"), Config).Port);
        Assert.Equal(68, ReplyAddressing.For(fromElsewhere, ReplyWith(ciaddr: "192.168.1.90"), Config).Port);
    }

    [Fact]
    public void Unicast_to_yiaddr_without_broadcast_flag()
    {
        var destination = ReplyAddressing.For(On67(Discover(0)), ReplyWith(yiaddr: "192.168.1.90"), Config);

        Assert.Equal(new ReplyDestination(IPv4Address.Parse("192.168.1.90"), 68, false, 2) { RequiresArpEntry = true }, destination);
    }

    [Fact]
    public void Reply_on_4011_goes_to_the_source_address_and_port_when_ciaddr_is_cleared()
    {
        var request = On4011(ProxyRequest(0)) with { SourcePort = 4011 };

        var destination = ReplyAddressing.For(request, ReplyWith(yiaddr: "192.168.1.90", flags: 0x8000), Config);

        Assert.Equal(new ReplyDestination(IPv4Address.Parse("192.168.1.90"), 4011, false, 2), destination);
    }
}

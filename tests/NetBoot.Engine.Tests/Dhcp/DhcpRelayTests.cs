using NetBoot.Configuration.Model;
using NetBoot.Engine.Dhcp;
using NetBoot.Wire.Dhcp;
using NetBoot.Wire.Net;
using static NetBoot.Engine.Tests.Dhcp.Messages;

namespace NetBoot.Engine.Tests.Dhcp;

/// <summary><c>dhcp-relay</c>'s decisions (RFC 1542 §4.1).</summary>
public class DhcpRelayTests
{
    private static readonly DhcpRelayConfig Relay = new(IPv4Address.Parse("10.78.0.1"), IPv4Address.Parse("10.82.0.2"), 67, null, TestConfigs.Line(1));

    [Fact]
    public void Upstream_sets_giaddr_to_the_local_address_and_counts_the_hop()
    {
        var forwarded = DhcpRelay.Upstream(Discover(Mac(1)), Relay);

        Assert.Equal((Relay.Local, (byte)1), (forwarded!.RelayAgentAddress, forwarded.Hops));
    }

    [Fact]
    public void Upstream_keeps_an_earlier_relays_giaddr_and_drops_after_too_many_hops()
    {
        var earlier = IPv4Address.Parse("10.1.1.1");

        Assert.Equal(earlier, DhcpRelay.Upstream(Discover(Mac(1)) with { RelayAgentAddress = earlier, Hops = 3 }, Relay)!.RelayAgentAddress);
        Assert.Null(DhcpRelay.Upstream(Discover(Mac(1)) with { Hops = DhcpRelay.MaximumHops + 1 }, Relay));
    }

    [Fact]
    public void Downstream_broadcasts_to_an_unconfigured_client_and_unicasts_to_ciaddr()
    {
        var reply = Discover(Mac(1)) with { Operation = BootOperation.BootReply, RelayAgentAddress = Relay.Local };

        Assert.True(DhcpRelay.Downstream(reply, Relay, 4, 68)!.Value.IsBroadcast);
        var renewing = reply with { ClientAddress = IPv4Address.Parse("10.78.0.55") };
        Assert.Equal(new ReplyDestination(IPv4Address.Parse("10.78.0.55"), 68, false, 4), DhcpRelay.Downstream(renewing, Relay, 4, 68));
    }

    [Fact]
    public void Downstream_ignores_replies_for_another_relay_and_requests()
    {
        var reply = Discover(Mac(1)) with { Operation = BootOperation.BootReply, RelayAgentAddress = IPv4Address.Parse("10.9.9.9") };

        Assert.Null(DhcpRelay.Downstream(reply, Relay, 4, 68));
        Assert.Null(DhcpRelay.Downstream(Discover(Mac(1)) with { RelayAgentAddress = Relay.Local }, Relay, 4, 68));
    }
}

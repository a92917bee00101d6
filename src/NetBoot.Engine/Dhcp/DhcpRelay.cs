using NetBoot.Configuration.Model;
using NetBoot.Wire.Dhcp;

namespace NetBoot.Engine.Dhcp;

/// <summary><c>dhcp-relay</c> (RFC 1542 §4, dnsmasq <c>relay_upstream4</c>/<c>relay_reply4</c>): what to forward to the
/// server and where a server's reply goes back to. Pure; the sockets are Hosting's.</summary>
public static class DhcpRelay
{
    /// <summary>dnsmasq drops a request that has crossed more than this many relays (RFC 1542 §4.1.1 allows a limit).</summary>
    public const int MaximumHops = 20;

    /// <summary>The request as sent to the server: <c>giaddr</c> = the relay's local address unless an earlier relay set
    /// it (RFC 1542 §4.1.1: then it is kept), <c>hops</c> + 1; null when it has made too many hops or is not a request.</summary>
    public static DhcpMessage? Upstream(DhcpMessage request, DhcpRelayConfig relay)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(relay);
        if (request.Operation != BootOperation.BootRequest || request.Hops > MaximumHops)
        {
            return null;
        }
        return request with
        {
            Hops = (byte)(request.Hops + 1),
            RelayAgentAddress = request.RelayAgentAddress.IsZero ? relay.Local : request.RelayAgentAddress,
        };
    }

    /// <summary>RFC 1542 §4.1.2 / RFC 2131 §4.1 for a server's BOOTREPLY to <c>giaddr</c> = this relay: to <c>ciaddr</c>
    /// when the client has an address and did not ask for broadcast, else broadcast on the client's link (an unconfigured
    /// client that did not set the broadcast flag is broadcast to as well: the relay keeps no ARP entries). Null when the
    /// reply is not for this relay.</summary>
    public static ReplyDestination? Downstream(DhcpMessage reply, DhcpRelayConfig relay, int clientInterfaceIndex, ushort clientPort)
    {
        ArgumentNullException.ThrowIfNull(reply);
        ArgumentNullException.ThrowIfNull(relay);
        if (reply.Operation != BootOperation.BootReply || reply.RelayAgentAddress != relay.Local)
        {
            return null;
        }
        return reply.ClientAddress.IsZero || reply.IsBroadcast
            ? ReplyDestination.BroadcastOn(clientInterfaceIndex, clientPort)
            : new ReplyDestination(reply.ClientAddress, clientPort, false, clientInterfaceIndex);
    }
}

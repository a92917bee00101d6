using NetBoot.Configuration.Model;
using NetBoot.Wire.Dhcp;
using NetBoot.Wire.Net;

namespace NetBoot.Engine.Dhcp;

/// <summary>Where a reply goes (dnsmasq <c>dhcp_packet</c>, spec §1.1), decided from the request and the built reply.</summary>
public static class ReplyAddressing
{
    /// <summary><c>sizeof(ifr.ifr_addr.sa_data)</c>: longer hardware addresses cannot be put in the ARP cache.</summary>
    private const int MaximumArpAddressLength = 14;

    public static ReplyDestination For(DhcpRequest request, DhcpMessage reply, ServerConfig config)
    {
        var clientPort = (ushort)config.DhcpClientPort;
        if (request.ArrivedOnPxePort)
        {
            return ForPxePort(request, reply, clientPort);
        }
        // RFC 2131 §4.1: a relayed request is answered to giaddr at the server port.
        if (!request.Message.RelayAgentAddress.IsZero)
        {
            return Unicast(request.Message.RelayAgentAddress, (ushort)config.DhcpServerPort, request);
        }
        if (!reply.ClientAddress.IsZero)
        {
            // dnsmasq: trust the source port only when the source address is the client's own idea of its address.
            var trustSource = request.SourceAddress == reply.ClientAddress && request.SourcePort != 0;
            return Unicast(reply.ClientAddress, trustSource ? request.SourcePort : clientPort, request);
        }
        // RFC 2131 §4.1: broadcast when the client asks for it (or cannot be reached by ARP).
        if (reply.IsBroadcast || reply.HardwareType == 0 || reply.HardwareAddressLength is 0 or > MaximumArpAddressLength)
        {
            return ReplyDestination.BroadcastOn(request.Interface.Index, clientPort);
        }
        // RFC 2131 §4.1: unicast to yiaddr/chaddr; the sender must add the ARP entry for the unconfigured client.
        return Unicast(reply.YourAddress, clientPort, request) with { RequiresArpEntry = true };
    }

    /// <summary>dnsmasq answers the 4011 socket at the request's source address and port, or at <c>ciaddr</c> (same port)
    /// when the reply keeps one. A proxy ACK keeps ciaddr; a boot-server ACK moves it to yiaddr and so goes back to the
    /// source (lab capture bios-ipxe-proxy frame 15: broadcast flag set, yet unicast to 192.0.2.90:68).</summary>
    private static ReplyDestination ForPxePort(DhcpRequest request, DhcpMessage reply, ushort clientPort)
    {
        if (!reply.ClientAddress.IsZero)
        {
            return Unicast(reply.ClientAddress, request.SourcePort, request);
        }
        if (!request.SourceAddress.IsZero)
        {
            return Unicast(request.SourceAddress, request.SourcePort, request);
        }
        // Not in dnsmasq (it would send to 0.0.0.0): a source-less request can only be reached by broadcast.
        return ReplyDestination.BroadcastOn(request.Interface.Index, clientPort);
    }

    private static ReplyDestination Unicast(IPv4Address address, ushort port, DhcpRequest request) =>
        new(address, port, false, request.Interface.Index);
}

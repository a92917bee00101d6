using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using NetBoot.Wire.Icmp6;

namespace NetBoot.Hosting.Ra;

/// <summary>The raw ICMPv6 socket router advertisements go through, set up as dnsmasq's ra_init does: hop limit 255 on
/// everything sent (RFC 4861 §6.1.2: a receiver drops an RA with any other), only Router Solicitations let in
/// (ICMP6_FILTER). The kernel fills the ICMPv6 checksum on a raw
/// ICMPv6 socket (RFC 3542 §3.1).</summary>
internal static class Icmp6Socket
{
    private const int IpProtoIpv6 = 41;
    private const int IpProtoIcmpv6 = 58;
    private const int Ipv6UnicastHops = 16;
    private const int Ipv6MulticastHops = 18;
    private const int Ipv6MulticastLoop = 19;
    private const int Icmp6Filter = 1;

    /// <summary>RFC 4861 §4.2: hop limit 255 proves the sender is on the link.</summary>
    public const int HopLimit = 255;

    public static readonly IPAddress AllNodes = IPAddress.Parse("ff02::1");
    public static readonly IPAddress AllRouters = IPAddress.Parse("ff02::2");

    public static Socket Open()
    {
        var socket = new Socket(AddressFamily.InterNetworkV6, SocketType.Raw, ProtocolType.IcmpV6);
        try
        {
            SetInt(socket, IpProtoIpv6, Ipv6UnicastHops, HopLimit);
            SetInt(socket, IpProtoIpv6, Ipv6MulticastHops, HopLimit);
            SetInt(socket, IpProtoIpv6, Ipv6MulticastLoop, 0);
            socket.SetRawSocketOption(IpProtoIcmpv6, Icmp6Filter, SolicitationsOnly());
            // Bound to :: (every interface, any destination): .NET receives only on a bound socket. The arrival interface is
            // the scope of the link-local source (sin6_scope_id), not IPV6_PKTINFO: .NET's ReceiveMessageFrom also asks for
            // IP_PKTINFO on a socket bound to ::, which an IPv6 raw socket refuses (ENOPROTOOPT).
            socket.Bind(new IPEndPoint(IPAddress.IPv6Any, 0));
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>Joins ff02::2 on the interface, where hosts send Router Solicitations (RFC 4861 §6.3.7).</summary>
    public static void JoinAllRouters(Socket socket, int interfaceIndex) =>
        socket.SetSocketOption(SocketOptionLevel.IPv6, SocketOptionName.AddMembership, new IPv6MulticastOption(AllRouters, interfaceIndex));

    /// <summary>A link-scoped destination on one interface: the kernel sends through it, from its link-local address.</summary>
    public static IPEndPoint On(IPAddress address, int interfaceIndex) =>
        new(new IPAddress(address.GetAddressBytes(), interfaceIndex), 0);

    /// <summary>ICMP6_FILTER_SETBLOCKALL then ICMP6_FILTER_SETPASS(ND_ROUTER_SOLICIT): a set bit blocks that type.</summary>
    private static byte[] SolicitationsOnly()
    {
        var words = new uint[8];
        Array.Fill(words, uint.MaxValue);
        const int type = (int)Icmp6Type.RouterSolicitation;
        words[type >> 5] &= ~(1u << (type & 31));
        return MemoryMarshal.AsBytes(words.AsSpan()).ToArray();
    }

    private static void SetInt(Socket socket, int level, int name, int value) =>
        socket.SetRawSocketOption(level, name, MemoryMarshal.AsBytes(new ReadOnlySpan<int>(in value)));
}

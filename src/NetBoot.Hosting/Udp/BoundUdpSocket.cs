using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.Logging;
using NetBoot.Hosting.Telemetry;

namespace NetBoot.Hosting.Udp;

/// <summary>A UDP socket on one port of one interface (SO_BINDTODEVICE), so that a broadcast reply leaves by the
/// interface the request came in on, and IP_PKTINFO tells the arrival interface of each datagram.
/// No SO_REUSEADDR: sockets bound to different devices may share a port anyway, and without it a second
/// server on the same port (a forgotten dnsmasq) makes start-up fail with "address in use" instead of
/// two servers silently answering the same clients.</summary>
public static class BoundUdpSocket
{
    private const int SolSocket = 1;
    private const int SoBindToDevice = 25;

    public static Socket Open(string interfaceName, IPAddress localAddress, int port, bool allowBroadcast)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        try
        {
            socket.SetSocketOption(SocketOptionLevel.IP, SocketOptionName.PacketInformation, true);
            if (allowBroadcast)
            {
                socket.EnableBroadcast = true;
            }
            if (interfaceName.Length > 0)
            {
                socket.SetRawSocketOption(SolSocket, SoBindToDevice, Encoding.ASCII.GetBytes(interfaceName + "\0"));
            }
            socket.Bind(new IPEndPoint(localAddress, port));
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>The IPv6 twin of an interface's IPv4 socket: [::] on <paramref name="port"/>, bound to the device, with
    /// IPV6_RECVPKTINFO; IPV6_V6ONLY set, so the IPv4 socket beside it keeps its own port and IPv4 traffic never arrives
    /// here as ::ffff:a.b.c.d. Null when the kernel has no IPv6 at all (booted with ipv6.disable=1).</summary>
    public static Socket? OpenIPv6(string interfaceName, int port)
    {
        Socket socket;
        try
        {
            socket = new Socket(AddressFamily.InterNetworkV6, SocketType.Dgram, ProtocolType.Udp);
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.AddressFamilyNotSupported)
        {
            return null;
        }
        try
        {
            socket.DualMode = false;
            socket.SetSocketOption(SocketOptionLevel.IPv6, SocketOptionName.PacketInformation, true);
            if (interfaceName.Length > 0)
            {
                socket.SetRawSocketOption(SolSocket, SoBindToDevice, Encoding.ASCII.GetBytes(interfaceName + "\0"));
            }
            socket.Bind(new IPEndPoint(IPAddress.IPv6Any, port));
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary><see cref="OpenIPv6(string, int)"/>, logging why it cannot be bound when <paramref name="report"/> is set.</summary>
    public static Socket? OpenIPv6(ILogger logger, bool report, string interfaceName, int port)
    {
        try
        {
            return OpenIPv6(interfaceName, port);
        }
        catch (SocketException e)
        {
            if (report)
            {
                Log.CannotListen(logger, interfaceName, port, e.Message, Hint(e));
            }
            throw;
        }
    }

    /// <summary>Opens a listening socket on one interface (0.0.0.0, bound to the device); when it cannot be bound, logs
    /// why and what usually holds the port if <paramref name="report"/> is set, then rethrows. The caller logs success.</summary>
    public static Socket Open(ILogger logger, bool report, string interfaceName, int port, bool allowBroadcast)
    {
        try
        {
            return Open(interfaceName, IPAddress.Any, port, allowBroadcast);
        }
        catch (SocketException e)
        {
            if (report)
            {
                Log.CannotListen(logger, interfaceName, port, e.Message, Hint(e));
            }
            throw;
        }
    }

    /// <summary>What usually stands behind a failure to bind.</summary>
    public static string Hint(SocketException e)
    {
        ArgumentNullException.ThrowIfNull(e);
        return e.SocketErrorCode == SocketError.AddressAlreadyInUse
            ? "another server holds the port (dnsmasq, tftpd-hpa, a DHCP server?): stop it or limit it to other interfaces"
            : "run as root or with CAP_NET_BIND_SERVICE and CAP_NET_RAW (once user= has dropped privileges, interfaces that appear later cannot be bound: run through the systemd unit instead)";
    }

    /// <summary>Opens a service's listening socket on one interface and logs the outcome: the "listening" line, or why
    /// it cannot listen and what usually holds the port (then rethrows: a server that cannot bind does not start).</summary>
    public static Socket OpenListener(ILogger logger, string service, string interfaceName, string addresses, int port, bool allowBroadcast)
    {
        try
        {
            var socket = Open(interfaceName, IPAddress.Any, port, allowBroadcast);
            Log.Listening(logger, service, interfaceName, addresses, port);
            return socket;
        }
        catch (SocketException e)
        {
            Log.CannotListen(logger, interfaceName, port, e.Message, Hint(e));
            throw;
        }
    }
}

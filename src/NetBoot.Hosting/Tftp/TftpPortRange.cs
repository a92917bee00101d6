using System.Net;
using System.Net.Sockets;

namespace NetBoot.Hosting.Tftp;

/// <summary>Binds a transfer socket: an ephemeral port, or with <c>tftp-port-range=A,B</c> the first free port of
/// the range, starting at a random one so consecutive transfers do not all probe from A. The socket is of the
/// family of <c>localAddress</c> (the address the request came to), so an IPv6 client is answered over IPv6.</summary>
internal static class TftpPortRange
{
    public static Socket? Bind(IPAddress localAddress, (int Start, int End)? range)
    {
        if (range is not { } ports)
        {
            var socket = new Socket(localAddress.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
            socket.Bind(new IPEndPoint(localAddress, 0));
            return socket;
        }
        var count = ports.End - ports.Start + 1;
        var first = Random.Shared.Next(count);
        for (var i = 0; i < count; i++)
        {
            var port = ports.Start + (first + i) % count;
            var socket = new Socket(localAddress.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
            try
            {
                socket.Bind(new IPEndPoint(localAddress, port));
                return socket;
            }
            catch (SocketException e) when (e.SocketErrorCode is SocketError.AddressAlreadyInUse or SocketError.AccessDenied)
            {
                socket.Dispose();
            }
        }
        return null;
    }
}

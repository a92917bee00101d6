using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using NetBoot.Hosting.Udp;

namespace NetBoot.Hosting.Tests.Udp;

/// <summary>recvmmsg/sendmmsg on an IPv6 socket, on loopback: every datagram waiting in one call, each with its sender
/// and arrival interface (IPV6_PKTINFO), and the replies in one call.</summary>
public sealed class Datagram6BatchTests
{
    private static Socket Server()
    {
        var socket = new Socket(AddressFamily.InterNetworkV6, SocketType.Dgram, ProtocolType.Udp);
        socket.SetSocketOption(SocketOptionLevel.IPv6, SocketOptionName.PacketInformation, true);
        socket.Bind(new IPEndPoint(IPAddress.IPv6Loopback, 0));
        return socket;
    }

    [Fact]
    public async Task Receives_every_waiting_datagram_with_its_source_and_arrival_interface_and_sends_the_replies()
    {
        using var server = Server();
        using var client = new Socket(AddressFamily.InterNetworkV6, SocketType.Dgram, ProtocolType.Udp);
        client.Bind(new IPEndPoint(IPAddress.IPv6Loopback, 0));
        var serverEnd = (IPEndPoint)server.LocalEndPoint!;
        // Loopback delivers each datagram into the server's queue before sendto returns.
        for (byte n = 1; n <= 3; n++)
        {
            client.SendTo(new byte[] { n, n, n }, serverEnd);
        }
        using var batch = new Datagram6Batch(server);

        var received = batch.Receive(5000);

        Assert.Equal(3, received);
        var clientPort = ((IPEndPoint)client.LocalEndPoint!).Port;
        for (var i = 0; i < received; i++)
        {
            Assert.Equal(new byte[] { (byte)(i + 1), (byte)(i + 1), (byte)(i + 1) }, batch.Datagram(i).ToArray());
            Assert.False(batch.IsTruncated(i));
            Assert.Equal(new IPEndPoint(IPAddress.IPv6Loopback, clientPort), batch.Source(i));
            Assert.Equal(NetworkInterface.IPv6LoopbackInterfaceIndex, batch.ArrivalIndex(i));
            batch.Datagram(i).CopyTo(batch.SendBuffer(i));
            batch.SendBuffer(i)[0] += 10;
            batch.Queue(i, 3, batch.Source(i));
        }
        var errors = new List<int>();
        batch.Flush((_, error) => errors.Add(error));

        Assert.Empty(errors);
        var buffer = new byte[16];
        for (byte n = 1; n <= 3; n++)
        {
            using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            var reply = await client.ReceiveFromAsync(buffer, new IPEndPoint(IPAddress.IPv6Any, 0), wait.Token);
            Assert.Equal(new byte[] { (byte)(n + 10), n, n }, buffer[..reply.ReceivedBytes]);
            Assert.Equal(serverEnd, reply.RemoteEndPoint);
        }
    }

    [Fact]
    public void A_receive_with_nothing_waiting_returns_no_datagram_when_woken()
    {
        using var server = Server();
        using var batch = new Datagram6Batch(server);
        using var wake = new LoopWake();
        wake.Signal();

        Assert.Equal(0, batch.Receive(60_000, wake));
    }

    [Fact]
    public void A_datagram_longer_than_the_buffer_is_marked_truncated()
    {
        using var server = Server();
        using var client = new Socket(AddressFamily.InterNetworkV6, SocketType.Dgram, ProtocolType.Udp);
        client.SendTo(new byte[Datagram6Batch.BufferSize + 100], server.LocalEndPoint!);
        using var batch = new Datagram6Batch(server);

        Assert.Equal(1, batch.Receive(5000));
        Assert.True(batch.IsTruncated(0));
        Assert.Equal(Datagram6Batch.BufferSize, batch.Datagram(0).Length);
    }
}

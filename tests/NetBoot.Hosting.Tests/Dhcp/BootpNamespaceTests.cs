using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging.Abstractions;
using NetBoot.Configuration.Parsing;
using NetBoot.Hosting.Dhcp;
using NetBoot.Hosting.Net;
using NetBoot.Leases;
using NetBoot.Testing;
using NetBoot.Wire.Dhcp;
using NetBoot.Wire.Net;

namespace NetBoot.Hosting.Tests.Dhcp;

/// <summary>BOOTP on a network NetBoot owns, on real sockets: a hand-built RFC 951 request (300 bytes, RFC 1048 cookie, no
/// option 53) relayed to the server gets a BOOTREPLY with the <c>dhcp-host</c> address, and the lease is in the store
/// (infinite) when the reply arrives; a client without a host address gets one only with <c>bootp-dynamic</c>.</summary>
[Trait("Category", "Namespace")]
public sealed class BootpNamespaceTests : IDisposable
{
    private readonly RelayLab _lab = new("nb", 95);


    private Task StartServer(ILeaseStore store, string extra, CancellationToken? stop = null)
    {
        return _lab.Serve(RelayLab.Parse(
            $"port=0\nno-ping\ndhcp-range=10.95.0.50,10.95.0.60,1h\ndhcp-host=02:00:00:00:00:05,10.95.0.5\n{extra}", "bootp.conf"), store, stop);
    }


    /// <summary>RFC 951 BOOTREQUEST as old firmware sends it, relayed (giaddr 10.95.0.2).</summary>
    private static byte[] BootRequest(byte client)
    {
        var packet = new byte[300];
        packet[0] = 1;
        packet[1] = 1;
        packet[2] = 6;
        BinaryPrimitives.WriteUInt32BigEndian(packet.AsSpan(4), 0xB007_0000u + client);
        new byte[] { 10, 95, 0, 2 }.CopyTo(packet, 24);
        new byte[] { 2, 0, 0, 0, 0, client }.CopyTo(packet, 28);
        new byte[] { 99, 130, 83, 99, 255 }.CopyTo(packet, 236);
        return packet;
    }

    private async Task<DhcpMessage?> Exchange(Socket socket, byte[] request, TimeSpan wait)
    {
        await socket.SendToAsync(request, new IPEndPoint(IPAddress.Parse("10.95.0.1"), 67), _lab.Stop.Token);
        var buffer = new byte[1500];
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(_lab.Stop.Token);
        limit.CancelAfter(wait);
        try
        {
            var received = await socket.ReceiveFromAsync(buffer, new IPEndPoint(IPAddress.Any, 0), limit.Token);
            Assert.True(DhcpMessageDecoder.TryDecode(buffer.AsSpan(0, received.ReceivedBytes), out var reply, out var error), error.ToString());
            return reply;
        }
        catch (OperationCanceledException) when (!_lab.Stop.IsCancellationRequested)
        {
            return null;
        }
    }

    [Fact]
    public async Task Bootp_request_gets_the_host_address_with_an_infinite_lease_already_stored()
    {
        var path = Path.Combine(_lab.WorkDirectory, "leases.sqlite");
        await using var store = SqliteLeaseStore.Open(path);
        var server = StartServer(store, "");
        using var socket = _lab.RelaySocket();

        var reply = await Exchange(socket, BootRequest(5), TimeSpan.FromSeconds(20));

        Assert.NotNull(reply);
        Assert.Equal(BootOperation.BootReply, reply.Operation);
        Assert.Null(reply.MessageType);
        Assert.Equal(IPv4Address.Parse("10.95.0.5"), reply.YourAddress);
        var stored = Assert.Single(SqliteLeaseStore.Read(path));
        Assert.Equal(IPv4Address.Parse("10.95.0.5"), stored.Address);
        Assert.True(stored.IsInfinite);
        await _lab.Stop.CancelAsync();
        await server;
    }

    [Fact]
    public async Task Bootp_client_without_a_host_address_is_served_only_with_bootp_dynamic()
    {
        using var socket = _lab.RelaySocket();
        await using (var store = SqliteLeaseStore.Open(Path.Combine(_lab.WorkDirectory, "leases.sqlite")))
        {
            using var first = CancellationTokenSource.CreateLinkedTokenSource(_lab.Stop.Token);
            var server = StartServer(store, "", first.Token);
            // Unanswered (dnsmasq: "no address configured"); then the host client proves the server is up and answering.
            Assert.Null(await Exchange(socket, BootRequest(9), TimeSpan.FromSeconds(2)));
            Assert.NotNull(await Exchange(socket, BootRequest(5), TimeSpan.FromSeconds(20)));
            await first.CancelAsync();
            await server;
        }

        await using var dynamicStore = SqliteLeaseStore.Open(Path.Combine(_lab.WorkDirectory, "dynamic.sqlite"));
        var dynamicServer = StartServer(dynamicStore, "bootp-dynamic\n");
        var reply = await Exchange(socket, BootRequest(9), TimeSpan.FromSeconds(20));

        Assert.NotNull(reply);
        Assert.InRange(reply.YourAddress.Value, IPv4Address.Parse("10.95.0.50").Value, IPv4Address.Parse("10.95.0.60").Value);
        await _lab.Stop.CancelAsync();
        await dynamicServer;
    }

    public void Dispose() => _lab.Dispose();
}

using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging.Abstractions;
using NetBoot.Configuration.Parsing;
using NetBoot.Engine.Leases;
using NetBoot.Hosting.Dhcp;
using NetBoot.Hosting.Net;
using NetBoot.Leases;
using NetBoot.Testing;
using NetBoot.Wire.Dhcp;
using NetBoot.Wire.Net;

namespace NetBoot.Hosting.Tests.Dhcp;

/// <summary>dnsmasq's ping check on real sockets: a host on the client's side already holds the first pool address, so
/// it answers the server's ICMP echo; the client is offered the next address and the first is quarantined. With
/// <c>no-ping</c> the occupied address is offered (dnsmasq's behaviour too).</summary>
[Trait("Category", "Namespace")]
public sealed class PingCheckNamespaceTests : IDisposable
{
    private static readonly IPv4Address Occupied = IPv4Address.Parse("10.96.0.50");
    private readonly RelayLab _lab = new("np", 96);

    public PingCheckNamespaceTests()
    {
        // The occupant: an address of the pool already in use on the link (answers ICMP echo).
        _lab.Client.Exec("ip", "addr", "add", $"{Occupied}/24", "dev", "np1");
    }

    private Task StartServer(ILeaseStore store, string extra)
    {
        // Sequential allocation: the first candidate is the occupied address.
        return _lab.Serve(RelayLab.Parse($"port=0\ndhcp-range=10.96.0.50,10.96.0.60,1h\ndhcp-sequential-ip\n{extra}", "ping.conf"), store);
    }


    private async Task<DhcpMessage> Offer(Socket socket)
    {
        var discover = DhcpMessage.CreateRequest(DhcpMessageType.Discover, HardwareAddress.Ethernet([2, 0, 0, 0, 0, 7]), 0x7007)
            with { RelayAgentAddress = IPv4Address.Parse("10.96.0.2") };
        await socket.SendToAsync(DhcpMessageEncoder.Encode(discover), new IPEndPoint(IPAddress.Parse("10.96.0.1"), 67), _lab.Stop.Token);
        var buffer = new byte[1500];
        var received = await socket.ReceiveFromAsync(buffer, new IPEndPoint(IPAddress.Any, 0), _lab.Stop.Token);
        Assert.True(DhcpMessageDecoder.TryDecode(buffer.AsSpan(0, received.ReceivedBytes), out var reply, out var error), error.ToString());
        Assert.Equal(DhcpMessageType.Offer, reply.MessageType);
        return reply;
    }

    [Fact]
    public async Task An_address_that_answers_ping_is_not_offered_and_is_quarantined()
    {
        await using var store = SqliteLeaseStore.Open(Path.Combine(_lab.WorkDirectory, "leases.sqlite"));
        var server = StartServer(store, "");
        using var socket = _lab.RelaySocket();

        var offer = await Offer(socket);

        Assert.Equal(IPv4Address.Parse("10.96.0.51"), offer.YourAddress);
        var quarantine = store.Snapshot().Single(l => l.Address == Occupied);
        Assert.Equal(LeaseState.Declined, quarantine.State);
        await _lab.Stop.CancelAsync();
        await server;
    }

    [Fact]
    public async Task With_no_ping_the_occupied_address_is_offered()
    {
        await using var store = SqliteLeaseStore.Open(Path.Combine(_lab.WorkDirectory, "leases.sqlite"));
        var server = StartServer(store, "no-ping\n");
        using var socket = _lab.RelaySocket();

        var offer = await Offer(socket);

        Assert.Equal(Occupied, offer.YourAddress);
        await _lab.Stop.CancelAsync();
        await server;
    }

    public void Dispose() => _lab.Dispose();
}

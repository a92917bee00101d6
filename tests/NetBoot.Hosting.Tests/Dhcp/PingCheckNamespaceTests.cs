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
    private readonly NetworkNamespace _server = NetworkNamespace.Create("nbpsrv");
    private readonly NetworkNamespace _client = NetworkNamespace.Create("nbpcli");
    private readonly CancellationTokenSource _stop = new(TimeSpan.FromMinutes(1));
    private readonly string _directory = Directory.CreateTempSubdirectory("netboot-ping-").FullName;

    public PingCheckNamespaceTests()
    {
        NetworkNamespace.Link(_server, "np0", "10.96.0.1/24", _client, "np1", "10.96.0.2/24");
        // The occupant: an address of the pool already in use on the link (answers ICMP echo).
        _client.Exec("ip", "addr", "add", $"{Occupied}/24", "dev", "np1");
    }

    private Task StartServer(ILeaseStore store, string extra)
    {
        // Sequential allocation: the first candidate is the occupied address.
        var loaded = DnsmasqConfigReader.Parse($"port=0\ndhcp-range=10.96.0.50,10.96.0.60,1h\ndhcp-sequential-ip\n{extra}", "ping.conf");
        Assert.True(loaded.IsValid, string.Join("; ", loaded.Errors));
        var service = new DhcpService(new ConfigSnapshot(loaded.Config!), NullLogger<DhcpService>.Instance, TimeProvider.System, store);
        return _server.Run(() => service.RunAsync(HostInterface.Enumerate(), _stop.Token));
    }

    private Socket RelaySocket() => _client.Run(() =>
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        socket.Bind(new IPEndPoint(IPAddress.Parse("10.96.0.2"), 67));
        return socket;
    });

    private async Task<DhcpMessage> Offer(Socket socket)
    {
        var discover = DhcpMessage.CreateRequest(DhcpMessageType.Discover, HardwareAddress.Ethernet([2, 0, 0, 0, 0, 7]), 0x7007)
            with { RelayAgentAddress = IPv4Address.Parse("10.96.0.2") };
        await socket.SendToAsync(DhcpMessageEncoder.Encode(discover), new IPEndPoint(IPAddress.Parse("10.96.0.1"), 67), _stop.Token);
        var buffer = new byte[1500];
        var received = await socket.ReceiveFromAsync(buffer, new IPEndPoint(IPAddress.Any, 0), _stop.Token);
        Assert.True(DhcpMessageDecoder.TryDecode(buffer.AsSpan(0, received.ReceivedBytes), out var reply, out var error), error.ToString());
        Assert.Equal(DhcpMessageType.Offer, reply.MessageType);
        return reply;
    }

    [Fact]
    public async Task An_address_that_answers_ping_is_not_offered_and_is_quarantined()
    {
        await using var store = SqliteLeaseStore.Open(Path.Combine(_directory, "leases.sqlite"));
        var server = StartServer(store, "");
        using var socket = RelaySocket();

        var offer = await Offer(socket);

        Assert.Equal(IPv4Address.Parse("10.96.0.51"), offer.YourAddress);
        var quarantine = store.Snapshot().Single(l => l.Address == Occupied);
        Assert.Equal(LeaseState.Declined, quarantine.State);
        await _stop.CancelAsync();
        await server;
    }

    [Fact]
    public async Task With_no_ping_the_occupied_address_is_offered()
    {
        await using var store = SqliteLeaseStore.Open(Path.Combine(_directory, "leases.sqlite"));
        var server = StartServer(store, "no-ping\n");
        using var socket = RelaySocket();

        var offer = await Offer(socket);

        Assert.Equal(Occupied, offer.YourAddress);
        await _stop.CancelAsync();
        await server;
    }

    public void Dispose()
    {
        _stop.Dispose();
        _client.Dispose();
        _server.Dispose();
        Directory.Delete(_directory, recursive: true);
    }
}

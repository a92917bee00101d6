using System.Net;
using System.Net.Sockets;
using System.Threading.Channels;
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

/// <summary>The DHCP service leasing on a network it owns, on real sockets in namespaces, with the SQLite store: the
/// client (a relay socket, as perfdhcp) sees OFFER and ACK, and the ACKed lease is in the store before the ACK arrives.</summary>
[Trait("Category", "Namespace")]
public sealed class LeasingServiceNamespaceTests : IDisposable
{
    private readonly RelayLab _lab = new("nl", 98);


    private Task StartServer(ILeaseStore store)
    {
        return _lab.Serve(RelayLab.Parse("port=0\ndhcp-range=10.98.0.50,10.98.0.60,1h\nno-ping\n", "leasing.conf"), store);
    }


    private static DhcpMessage Relayed(DhcpMessageType type, int client, params (DhcpOptionCode Code, byte[] Data)[] options)
    {
        var message = DhcpMessage.CreateRequest(type, HardwareAddress.Ethernet([2, 0, 0, 0, 0, (byte)client]), (uint)(0x5000 + client))
            with { RelayAgentAddress = IPv4Address.Parse("10.98.0.2") };
        return message with { Options = options.Aggregate(message.Options, (list, o) => list.With(o.Code, o.Data)) };
    }

    private async Task<DhcpMessage> Exchange(Socket socket, DhcpMessage message)
    {
        await socket.SendToAsync(DhcpMessageEncoder.Encode(message), new IPEndPoint(IPAddress.Parse("10.98.0.1"), 67), _lab.Stop.Token);
        var buffer = new byte[1500];
        var received = await socket.ReceiveFromAsync(buffer, new IPEndPoint(IPAddress.Any, 0), _lab.Stop.Token);
        Assert.True(DhcpMessageDecoder.TryDecode(buffer.AsSpan(0, received.ReceivedBytes), out var reply, out var error), error.ToString());
        return reply;
    }

    [Fact]
    public async Task Dora_gets_an_address_whose_lease_is_durable_when_the_ack_arrives()
    {
        var path = Path.Combine(_lab.WorkDirectory, "leases.sqlite");
        await using var store = SqliteLeaseStore.Open(path);
        var server = StartServer(store);
        using var socket = _lab.RelaySocket();

        var offer = await Exchange(socket, Relayed(DhcpMessageType.Discover, 1));
        var ack = await Exchange(socket, Relayed(DhcpMessageType.Request, 1,
            (DhcpOptionCode.RequestedIPAddress, offer.YourAddress.ToBytes()), (DhcpOptionCode.ServerIdentifier, [10, 98, 0, 1])));

        Assert.Equal(DhcpMessageType.Offer, offer.MessageType);
        Assert.Equal(DhcpMessageType.Ack, ack.MessageType);
        Assert.Equal(offer.YourAddress, ack.YourAddress);
        // Read by a second connection: what a restarted server would load.
        var stored = Assert.Single(SqliteLeaseStore.Read(path));
        Assert.Equal(ack.YourAddress, stored.Address);
        await _lab.Stop.CancelAsync();
        await server;
    }

    [Fact]
    public async Task An_ack_whose_lease_cannot_be_made_durable_is_not_sent()
    {
        await using var store = new FailingStore();
        var server = StartServer(store);
        using var socket = _lab.RelaySocket();

        var offer = await Exchange(socket, Relayed(DhcpMessageType.Discover, 1));
        await socket.SendToAsync(DhcpMessageEncoder.Encode(Relayed(DhcpMessageType.Request, 1,
            (DhcpOptionCode.RequestedIPAddress, offer.YourAddress.ToBytes()), (DhcpOptionCode.ServerIdentifier, [10, 98, 0, 1]))),
            new IPEndPoint(IPAddress.Parse("10.98.0.1"), 67), _lab.Stop.Token);
        await store.AckRefused.Task.WaitAsync(_lab.Stop.Token);
        // The ACK's send loop has dropped it; the next exchange's reply is the next datagram to arrive.
        var next = await Exchange(socket, Relayed(DhcpMessageType.Discover, 2));

        Assert.Equal(DhcpMessageType.Offer, next.MessageType);
        Assert.Equal((uint)0x5002, next.TransactionId);
        await _lab.Stop.CancelAsync();
        await server;
    }

    /// <summary>A store whose disk always fails: decisions run, nothing becomes durable.</summary>
    private sealed class FailingStore : ILeaseStore
    {
        private readonly LeaseTable _table = new();

        public TaskCompletionSource AckRefused { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public LeaseDecision Execute(Func<ILeaseView, DhcpOutcome> decide)
        {
            lock (_table)
            {
                var outcome = decide(_table);
                if (outcome.Change is not { MustBeDurableBeforeReply: true } change)
                {
                    if (outcome.Change is { } hold)
                    {
                        _table.Apply(hold);
                    }
                    return new LeaseDecision(outcome, Task.CompletedTask);
                }
                _table.Apply(change);
                var failed = Task.FromException(new IOException("disk full"));
                AckRefused.TrySetResult();
                return new LeaseDecision(outcome, failed);
            }
        }

        public IReadOnlyList<Lease> Expire(DateTimeOffset now) => [];

        public IReadOnlyList<Lease> Snapshot() => [.. _table.All];

        public ChannelReader<LeaseChange> Subscribe() => Channel.CreateUnbounded<LeaseChange>().Reader;

        public Task FlushAsync() => Task.CompletedTask;

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }

    public void Dispose() => _lab.Dispose();
}

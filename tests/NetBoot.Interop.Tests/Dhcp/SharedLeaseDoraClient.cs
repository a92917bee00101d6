using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using NetBoot.Wire.Dhcp;
using NetBoot.Wire.Net;

namespace NetBoot.Interop.Tests.Dhcp;

/// <summary>A relay (giaddr set) in front of several DHCP servers, as dhcrelay with two server addresses: every
/// DISCOVER and REQUEST goes to all of them, the first OFFER is taken and named in the REQUEST's server identifier.
/// A client that gets no ACK (a dead server, a refused lease) starts over with a new DISCOVER until its deadline.
/// Every ACK seen on the wire is recorded, duplicates included.</summary>
public sealed class SharedLeaseDoraClient : IDisposable
{
    private readonly Socket _socket;
    private readonly IPv4Address _relay;
    private readonly IReadOnlyList<IPEndPoint> _servers;
    private readonly ConcurrentDictionary<uint, TaskCompletionSource<DhcpMessage>> _waiting = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _receiver;
    private int _xid;

    public SharedLeaseDoraClient(Socket socket, IPv4Address relay, IReadOnlyList<IPEndPoint> servers)
    {
        _socket = socket;
        _relay = relay;
        _servers = servers;
        _receiver = ReceiveLoopAsync();
    }

    /// <summary>Every DHCPACK received: (client hardware address, yiaddr).</summary>
    public ConcurrentQueue<(HardwareAddress Client, IPv4Address Address)> AcksOnTheWire { get; } = new();

    /// <summary>DORA attempts until one ends in an ACK, or null once <paramref name="deadline"/> has passed.</summary>
    public async Task<IPv4Address?> LeaseAsync(int client, TimeSpan stepTimeout, DateTime deadline)
    {
        while (DateTime.UtcNow < deadline)
        {
            if (await DoraAsync(client, stepTimeout) is { } address)
            {
                return address;
            }
        }
        return null;
    }

    private async Task<IPv4Address?> DoraAsync(int client, TimeSpan timeout)
    {
        var mac = RelayDoraClient.Mac(client);
        var xid = (uint)Interlocked.Increment(ref _xid) + 0x2000_0000;
        var discover = DhcpMessage.CreateRequest(DhcpMessageType.Discover, mac, xid) with { RelayAgentAddress = _relay, Hops = 1 };
        if (await ExchangeAsync(discover, timeout) is not { MessageType: DhcpMessageType.Offer } offer
            || !offer.Options.TryGet(DhcpOptionCode.ServerIdentifier, out var serverId))
        {
            return null;
        }
        var request = DhcpMessage.CreateRequest(DhcpMessageType.Request, mac, xid + 0x1000_0000) with { RelayAgentAddress = _relay, Hops = 1 };
        request = request with
        {
            Options = request.Options
                .With(DhcpOptionCode.RequestedIPAddress, offer.YourAddress.ToBytes())
                .With(DhcpOptionCode.ServerIdentifier, serverId.ToArray()),
        };
        return await ExchangeAsync(request, timeout) is { MessageType: DhcpMessageType.Ack } ack ? ack.YourAddress : null;
    }

    private async Task<DhcpMessage?> ExchangeAsync(DhcpMessage message, TimeSpan timeout)
    {
        var reply = new TaskCompletionSource<DhcpMessage>(TaskCreationOptions.RunContinuationsAsynchronously);
        _waiting[message.TransactionId] = reply;
        try
        {
            var bytes = DhcpMessageEncoder.Encode(message);
            foreach (var server in _servers)
            {
                try
                {
                    await _socket.SendToAsync(bytes, server);
                }
                catch (SocketException)
                {
                    // A dead server's host may answer with ICMP: the other servers still get the message.
                }
            }
            return await reply.Task.WaitAsync(timeout);
        }
        catch (TimeoutException)
        {
            return null;
        }
        finally
        {
            _waiting.TryRemove(message.TransactionId, out _);
        }
    }

    private async Task ReceiveLoopAsync()
    {
        var buffer = new byte[1500];
        while (!_stop.IsCancellationRequested)
        {
            SocketReceiveFromResult received;
            try
            {
                received = await _socket.ReceiveFromAsync(buffer, new IPEndPoint(IPAddress.Any, 0), _stop.Token);
            }
            catch (SocketException)
            {
                continue;
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException)
            {
                return;
            }
            if (!DhcpMessageDecoder.TryDecode(buffer.AsSpan(0, received.ReceivedBytes), out var reply, out _))
            {
                continue;
            }
            if (reply.MessageType == DhcpMessageType.Ack)
            {
                AcksOnTheWire.Enqueue((reply.ClientHardwareAddress, reply.YourAddress));
            }
            if (_waiting.TryGetValue(reply.TransactionId, out var waiter))
            {
                waiter.TrySetResult(reply);
            }
        }
    }

    public void Dispose()
    {
        _stop.Cancel();
        _socket.Dispose();
        _receiver.Wait(TimeSpan.FromSeconds(5));
        _stop.Dispose();
    }
}

using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using NetBoot.Wire.Dhcp;
using NetBoot.Wire.Net;

namespace NetBoot.Interop.Tests.Dhcp;

/// <summary>NetBoot's own load client: many clients' DISCOVER → OFFER → REQUEST → ACK exchanges through one relay
/// socket (giaddr set, as perfdhcp does), replies matched by xid. Only for tests and benchmarks.</summary>
public sealed class RelayDoraClient : IDisposable
{
    private readonly Socket _socket;
    private readonly IPv4Address _relay;
    private readonly IPEndPoint _server;
    private readonly ConcurrentDictionary<uint, TaskCompletionSource<DhcpMessage>> _waiting = new();
    private readonly ConcurrentDictionary<uint, int> _lengths = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _receiver;

    public RelayDoraClient(Socket socket, IPv4Address relay, IPEndPoint server)
    {
        _socket = socket;
        _relay = relay;
        _server = server;
        _receiver = ReceiveLoopAsync();
    }

    public static HardwareAddress Mac(int n) => HardwareAddress.Ethernet([0x02, 0x4e, 0x42, (byte)(n >> 16), (byte)(n >> 8), (byte)n]);

    /// <summary>One DORA; null when the server stayed silent (dropped, crashed) within <paramref name="timeout"/> per step.</summary>
    public async Task<IPv4Address?> DoraAsync(int client, TimeSpan timeout)
    {
        var mac = Mac(client);
        var xid = (uint)client * 2 + 0x1000_0000;
        var discover = DhcpMessage.CreateRequest(DhcpMessageType.Discover, mac, xid) with { RelayAgentAddress = _relay, Hops = 1 };
        if (await ExchangeAsync(discover, timeout) is not { MessageType: DhcpMessageType.Offer } offer)
        {
            return null;
        }
        var request = DhcpMessage.CreateRequest(DhcpMessageType.Request, mac, xid + 1) with { RelayAgentAddress = _relay, Hops = 1 };
        request = request with
        {
            Options = request.Options
                .With(DhcpOptionCode.RequestedIPAddress, offer.YourAddress.ToBytes())
                .With(DhcpOptionCode.ServerIdentifier, _server.Address.GetAddressBytes()),
        };
        return await ExchangeAsync(request, timeout) is { MessageType: DhcpMessageType.Ack } ack ? ack.YourAddress : null;
    }

    /// <summary>Sends <paramref name="message"/> to the server; its reply (matched by xid), or null after <paramref name="timeout"/>.</summary>
    public async Task<DhcpMessage?> ExchangeAsync(DhcpMessage message, TimeSpan timeout)
    {
        var reply = new TaskCompletionSource<DhcpMessage>(TaskCreationOptions.RunContinuationsAsynchronously);
        _waiting[message.TransactionId] = reply;
        try
        {
            await _socket.SendToAsync(DhcpMessageEncoder.Encode(message), _server);
            return await reply.Task.WaitAsync(timeout);
        }
        catch (Exception e) when (e is TimeoutException or SocketException)
        {
            return null;
        }
        finally
        {
            _waiting.TryRemove(message.TransactionId, out _);
        }
    }

    /// <summary>The reply with <paramref name="xid"/> to a datagram sent some other way, with its length on the wire.</summary>
    public async Task<(DhcpMessage Message, int Length)?> WaitForAsync(uint xid, TimeSpan timeout)
    {
        var reply = new TaskCompletionSource<DhcpMessage>(TaskCreationOptions.RunContinuationsAsynchronously);
        _waiting[xid] = reply;
        try
        {
            var message = await reply.Task.WaitAsync(timeout);
            return (message, _lengths.TryGetValue(xid, out var length) ? length : 0);
        }
        catch (TimeoutException)
        {
            return null;
        }
        finally
        {
            _waiting.TryRemove(xid, out _);
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
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }
            if (DhcpMessageDecoder.TryDecode(buffer.AsSpan(0, received.ReceivedBytes), out var reply, out _)
                && _waiting.TryGetValue(reply.TransactionId, out var waiter))
            {
                _lengths[reply.TransactionId] = received.ReceivedBytes;
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

using System.Net;
using System.Net.Sockets;

namespace NetBoot.Interop.Tests.Tftp;

/// <summary>
/// A one-session UDP relay that loses and reorders what the server sends, standing in for <c>tc netem</c> (this CI
/// kernel is built without <c>CONFIG_NET_SCH_NETEM</c>). The client asks <c>127.0.0.1:Port</c>; the relay forwards the
/// request from its own socket to the server's port 69, then carries the server's packets (from its transfer ID)
/// back from a second local socket, to which the client, following RFC 1350, sends its ACKs. Server → client: each
/// datagram is dropped with <see cref="LossRate"/>, or held back and sent after the next one with
/// <see cref="ReorderRate"/>. Seeded, so a run is reproducible. Its sockets are opened by the caller's thread, so
/// create it inside the client's namespace.
/// </summary>
public sealed class LossyUdpRelay : IDisposable
{
    private readonly Socket _front = Open(new IPEndPoint(IPAddress.Loopback, 0));
    private readonly Socket _back = Open(new IPEndPoint(IPAddress.Loopback, 0));
    private readonly Socket _upstream;
    private readonly IPEndPoint _server;
    private readonly Random _random = new(7440);
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _clientToServer;
    private readonly Task _serverToClient;
    private EndPoint? _client;
    private EndPoint? _serverTransfer;

    public LossyUdpRelay(IPAddress localAddress, IPEndPoint server)
    {
        _upstream = Open(new IPEndPoint(localAddress, 0));
        _server = server;
        _clientToServer = Task.Run(() => PumpClientAsync(_stop.Token));
        _serverToClient = Task.Run(() => PumpServerAsync(_stop.Token));
    }

    private static readonly TimeSpan HoldTime = TimeSpan.FromMilliseconds(5);

    public double LossRate { get; init; } = 0.05;

    public double ReorderRate { get; init; } = 0.05;

    public int Port => ((IPEndPoint)_front.LocalEndPoint!).Port;

    public long Dropped { get; private set; }

    public long Reordered { get; private set; }

    private static Socket Open(IPEndPoint local)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        socket.Bind(local);
        return socket;
    }

    /// <summary>The request on the front socket and every ACK on the back socket go to the server unchanged.</summary>
    private async Task PumpClientAsync(CancellationToken cancellationToken)
    {
        var buffer = new byte[70000];
        var request = await _front.ReceiveFromAsync(buffer, new IPEndPoint(IPAddress.Any, 0), cancellationToken);
        _client = request.RemoteEndPoint;
        await _upstream.SendToAsync(buffer.AsMemory(0, request.ReceivedBytes), _server, cancellationToken);
        while (!cancellationToken.IsCancellationRequested)
        {
            var ack = await _back.ReceiveFromAsync(buffer, new IPEndPoint(IPAddress.Any, 0), cancellationToken);
            if (_serverTransfer is { } transfer)
            {
                await _upstream.SendToAsync(buffer.AsMemory(0, ack.ReceivedBytes), transfer, cancellationToken);
            }
        }
    }

    private async Task PumpServerAsync(CancellationToken cancellationToken)
    {
        var buffer = new byte[70000];
        byte[]? held = null;
        while (!cancellationToken.IsCancellationRequested)
        {
            SocketReceiveFromResult received;
            try
            {
                // A held datagram waits for the next one, or 5 ms at most (netem delays, it does not wait forever).
                using var hold = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                if (held is not null)
                {
                    hold.CancelAfter(HoldTime);
                }
                received = await _upstream.ReceiveFromAsync(buffer, new IPEndPoint(IPAddress.Any, 0), hold.Token);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                await _back.SendToAsync(held!, _client!, cancellationToken);
                held = null;
                continue;
            }
            _serverTransfer ??= received.RemoteEndPoint;
            var roll = _random.NextDouble();
            if (roll < LossRate)
            {
                Dropped++;
                continue;
            }
            var datagram = buffer.AsMemory(0, received.ReceivedBytes);
            if (held is null && roll < LossRate + ReorderRate)
            {
                held = datagram.ToArray();
                Reordered++;
                continue;
            }
            await _back.SendToAsync(datagram, _client!, cancellationToken);
            if (held is not null)
            {
                await _back.SendToAsync(held, _client!, cancellationToken);
                held = null;
            }
        }
    }

    public void Dispose()
    {
        _stop.Cancel();
        _front.Dispose();
        _back.Dispose();
        _upstream.Dispose();
        try
        {
            Task.WaitAll([_clientToServer, _serverToClient], TimeSpan.FromSeconds(5));
        }
        catch (AggregateException)
        {
            // Cancelled receives on disposed sockets: the relay is gone, which is all we wanted.
        }
        _stop.Dispose();
    }
}

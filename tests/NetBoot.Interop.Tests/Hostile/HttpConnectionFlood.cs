using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using NetBoot.Testing;

namespace NetBoot.Interop.Tests.Hostile;

/// <summary>Idle TCP connections to an HTTP port from many client addresses, opened from sockets created in a client
/// namespace: it tries to hold <see cref="Wanted"/> at once, opens new ones as the server closes or refuses them, sends
/// nothing. Bounded: at most <see cref="AttemptsPerSecond"/> connection attempts a second, <see cref="MaxAttempts"/> in
/// all, and the duration given to <see cref="RunAsync"/>; disposal closes every socket.</summary>
internal sealed class HttpConnectionFlood(NetworkNamespace ns, IPEndPoint target, IReadOnlyList<IPAddress> sources) : IAsyncDisposable
{
    private static readonly TimeSpan Pace = TimeSpan.FromMilliseconds(100);
    private readonly ConcurrentDictionary<Socket, byte> _held = new();
    private readonly ConcurrentBag<Task> _watchers = [];
    private int _attempts;
    private int _connected;
    private int _failed;
    private int _closedByServer;

    public int Wanted { get; init; } = 3000;

    public int AttemptsPerSecond { get; init; } = 1000;

    public int MaxAttempts { get; init; } = 25_000;

    public int Attempts => _attempts;

    /// <summary>Connections whose handshake completed (the kernel completes it before the server accepts).</summary>
    public int Connected => _connected;

    /// <summary>Connection attempts that failed (reset during the handshake, or no answer within 3 s).</summary>
    public int Failed => _failed;

    /// <summary>Connections the server closed or reset after the handshake (refused at accept, evicted, timed out).</summary>
    public int ClosedByServer => _closedByServer;

    /// <summary>Connections open now, as the client sees them.</summary>
    public int Held => _held.Count;

    public async Task RunAsync(TimeSpan duration, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        var next = 0;
        var batchSize = Math.Max(1, AttemptsPerSecond / 10);
        while (clock.Elapsed < duration && _attempts < MaxAttempts && !cancellationToken.IsCancellationRequested)
        {
            var started = clock.Elapsed;
            var batch = Math.Min(Math.Min(Wanted - Held, batchSize), MaxAttempts - _attempts);
            if (batch > 0)
            {
                var first = next;
                var sockets = ns.Run(() => Enumerable.Range(first, batch).Select(n => Bound(sources[n % sources.Count])).ToArray());
                next += batch;
                _attempts += batch;
                await Task.WhenAll(sockets.Select(ConnectAsync));
            }
            var rest = Pace - (clock.Elapsed - started);
            if (rest > TimeSpan.Zero)
            {
                await Task.Delay(rest, cancellationToken).ContinueWith(_ => { }, TaskScheduler.Default);
            }
        }
    }

    private static Socket Bound(IPAddress source)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        socket.Bind(new IPEndPoint(source, 0));
        return socket;
    }

    private async Task ConnectAsync(Socket socket)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(3));
        try
        {
            await socket.ConnectAsync(target, timeout.Token);
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException)
        {
            Interlocked.Increment(ref _failed);
            socket.Dispose();
            return;
        }
        Interlocked.Increment(ref _connected);
        _held[socket] = 0;
        _watchers.Add(WatchAsync(socket));
    }

    /// <summary>Waits for the server to close the connection (end of stream or reset), then lets it go.</summary>
    private async Task WatchAsync(Socket socket)
    {
        var buffer = new byte[64];
        try
        {
            while (await socket.ReceiveAsync(buffer) > 0)
            {
            }
            Interlocked.Increment(ref _closedByServer);
        }
        catch (SocketException e) when (e.SocketErrorCode != SocketError.OperationAborted)
        {
            Interlocked.Increment(ref _closedByServer);
        }
        catch (Exception e) when (e is ObjectDisposedException or SocketException)
        {
            // Closed by this side (disposal).
        }
        _held.TryRemove(socket, out _);
        socket.Dispose();
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var socket in _held.Keys)
        {
            socket.Dispose();
        }
        await Task.WhenAll(_watchers).WaitAsync(TimeSpan.FromSeconds(30));
    }
}

using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using NetBoot.Wire.Net;

namespace NetBoot.Hosting.Dhcp;

/// <summary><c>dhcp-reply-delay</c>: replies held back until their due time (dnsmasq <c>delay_dhcp</c>, counted from the
/// request's arrival) on a timer of the injected clock, so the receive loop never waits. A reply whose lease change must be
/// durable first (a rapid-commit ACK) leaves at its due time or when durable, whichever is later. Each pending reply is
/// owned here: disposing cancels those not yet sent.</summary>
internal sealed class DelayedReplies(TimeProvider time, Action<string, string> sendFailed) : IDisposable
{
    private readonly ConcurrentDictionary<ITimer, byte> _pending = new();
    private bool _disposed;

    public int PendingCount => _pending.Count;

    /// <summary>Copies <paramref name="reply"/> and sends it from <paramref name="socket"/> after <paramref name="delay"/>
    /// (and after <paramref name="durable"/> completes successfully; a failed commit drops the reply, as
    /// <see cref="DurableReplies"/> does).</summary>
    public void Send(Socket socket, ReadOnlySpan<byte> reply, IPv4Address address, ushort port, TimeSpan delay, Task durable)
    {
        var datagram = reply.ToArray();
        var destination = new IPEndPoint(address.ToIPAddress(), port);
        After(delay, () =>
        {
            if (durable.IsCompleted)
            {
                Deliver(socket, datagram, destination, durable);
                return;
            }
            durable.ContinueWith(t => Deliver(socket, datagram, destination, t), CancellationToken.None,
                TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        });
    }

    /// <summary>Runs <paramref name="action"/> once after <paramref name="delay"/> on the clock's timer (a reply that waits
    /// for the ping check starts its probe then).</summary>
    public void After(TimeSpan delay, Action action)
    {
        ITimer? timer = null;
        timer = time.CreateTimer(_ =>
        {
            if (!_pending.TryRemove(timer!, out byte _) || _disposed)
            {
                return;
            }
            timer!.Dispose();
            action();
        }, null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        _pending[timer] = 0;
        timer.Change(delay, Timeout.InfiniteTimeSpan);
    }

    private void Deliver(Socket socket, byte[] datagram, IPEndPoint destination, Task durable)
    {
        if (_disposed || !durable.IsCompletedSuccessfully)
        {
            return;
        }
        try
        {
            socket.SendTo(datagram, destination);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            sendFailed(destination.ToString(), e.Message);
        }
    }

    public void Dispose()
    {
        _disposed = true;
        foreach (var timer in _pending.Keys)
        {
            timer.Dispose();
        }
        _pending.Clear();
    }
}

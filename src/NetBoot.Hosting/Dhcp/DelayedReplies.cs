using System.Collections.Concurrent;
using NetBoot.Wire.Net;

namespace NetBoot.Hosting.Dhcp;

/// <summary>A reply held back by <c>dhcp-reply-delay</c>, due to leave now: the socket's loop sends it (the loop is the
/// only sender on its socket).</summary>
internal sealed record DelayedReply(byte[] Datagram, IPv4Address Address, ushort Port);

/// <summary><c>dhcp-reply-delay</c>: replies held back until their due time (dnsmasq <c>delay_dhcp</c>, counted from the
/// request's arrival) on a timer of the injected clock, so the receive loop never waits. A due reply is handed to
/// <paramref name="due"/> (the socket's inbox), never sent from here. A reply whose lease change must be durable first
/// (a rapid-commit ACK) is due at its time or when durable, whichever is later. Disposing drops those not yet due.</summary>
internal sealed class DelayedReplies(TimeProvider time, Action<DelayedReply> due) : IDisposable
{
    private readonly ConcurrentDictionary<ITimer, byte> _pending = new();
    private volatile bool _disposed;

    public int PendingCount => _pending.Count;

    /// <summary>Copies <paramref name="reply"/> and hands it over after <paramref name="delay"/> (and after
    /// <paramref name="durable"/> completes successfully; a failed commit drops the reply, as <see cref="DurableReplies"/>
    /// does).</summary>
    public void Send(ReadOnlySpan<byte> reply, IPv4Address address, ushort port, TimeSpan delay, Task durable)
    {
        var delayed = new DelayedReply(reply.ToArray(), address, port);
        After(delay, () =>
        {
            if (durable.IsCompleted)
            {
                HandOver(delayed, durable);
                return;
            }
            durable.ContinueWith(t => HandOver(delayed, t), CancellationToken.None,
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

    private void HandOver(DelayedReply reply, Task durable)
    {
        if (!_disposed && durable.IsCompletedSuccessfully)
        {
            due(reply);
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

using System.Collections.Concurrent;

namespace NetBoot.Hosting.Udp;

/// <summary>What other threads hand back to a socket's receive loop, and the wake-up that tells it (the loop blocks in
/// <c>poll</c> on its socket and on <see cref="Wake"/>), for the DHCPv4 and DHCPv6 loops alike. The eventfd is written only when the loop is not already due to look, and read only when it is, so a loop
/// with nothing handed back makes no extra system call.</summary>
internal sealed class LoopInbox<T> : IDisposable
{
    private readonly ConcurrentQueue<T> _items = new();
    private volatile bool _closed;
    private int _signalled;

    public LoopWake Wake { get; } = new();

    /// <summary>Any thread. False once the loop has stopped (the item is not taken).</summary>
    public bool Post(T item)
    {
        if (_closed)
        {
            return false;
        }
        _items.Enqueue(item);
        if (Interlocked.Exchange(ref _signalled, 1) == 0)
        {
            Wake.Signal();
        }
        return true;
    }

    /// <summary>The loop: true when something may have been handed back since it last looked; then it takes every item
    /// with <see cref="TryTake"/>.</summary>
    public bool Look()
    {
        if (Volatile.Read(ref _signalled) == 0)
        {
            return false;
        }
        // Cleared before the flag: a post after this either finds the flag still set (its item is taken below) or sets
        // it and signals again.
        Wake.Reset();
        Interlocked.Exchange(ref _signalled, 0);
        return true;
    }

    public bool TryTake(out T item) => _items.TryDequeue(out item!);

    public void Dispose()
    {
        _closed = true;
        Wake.Dispose();
    }
}

using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;

namespace NetBoot.Hosting.Status;

/// <summary>A queue of at most <paramref name="capacity"/> items between the threads that serve clients (any number of
/// writers) and the one that folds what they report: lock-free, and full means the newest item is dropped and counted,
/// so a writer never waits for the reader, however slow or stalled it is.</summary>
/// <remarks>A slot is reserved with one atomic increment before the item goes into a <see cref="ConcurrentQueue{T}"/>
/// (itself lock-free), and given back by the reader after it took the item; so the queue never holds more than
/// <paramref name="capacity"/> items. <c>System.Threading.Channels</c>' bounded channel would do, but takes a lock that
/// the reader also holds.</remarks>
internal sealed class BoundedEventQueue<T>(int capacity)
{
    private readonly ConcurrentQueue<T> _items = new();
    private int _reserved;
    private long _dropped;

    public int Capacity { get; } = capacity;

    /// <summary>Items waiting (never more than <see cref="Capacity"/>).</summary>
    public int Count => Volatile.Read(ref _reserved);

    /// <summary>Items dropped because the queue was full.</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    /// <summary>Adds <paramref name="item"/> unless the queue is full (then counts it dropped); returns at once either way.</summary>
    public bool TryEnqueue(T item)
    {
        if (Interlocked.Increment(ref _reserved) > Capacity)
        {
            Interlocked.Decrement(ref _reserved);
            Interlocked.Increment(ref _dropped);
            return false;
        }
        _items.Enqueue(item);
        return true;
    }

    public bool TryDequeue([MaybeNullWhen(false)] out T item)
    {
        if (!_items.TryDequeue(out item))
        {
            return false;
        }
        Interlocked.Decrement(ref _reserved);
        return true;
    }
}

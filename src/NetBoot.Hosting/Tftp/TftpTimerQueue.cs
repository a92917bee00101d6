namespace NetBoot.Hosting.Tftp;

/// <summary>Something with one deadline in a <see cref="TftpTimerQueue{T}"/>.</summary>
internal interface ITftpTimed
{
    /// <summary>When the item's entry in the queue falls due (<see cref="TftpTimerQueue{T}.None"/>: no live entry).
    /// Owned by the queue.</summary>
    long ScheduledTicks { get; set; }
}

/// <summary>The retransmission timers of a reactor's transfers: a min-heap of (due time, item) with lazy updates.
/// A lock-step transfer moves its deadline later on every ACK (tens of thousands of times a second); touching a heap
/// each time would cost more than the ACK itself. So an item keeps at most one live entry: a later deadline leaves
/// the entry where it is (it falls due early, and the caller re-schedules it at the real deadline: one heap operation
/// per timeout period instead of per ACK); only an earlier deadline adds an entry, and the one it replaces goes
/// stale (skipped when it comes out). <see cref="Cancel"/> makes the entry stale. Single-threaded, allocation-free
/// once the heap has grown. Pure: time is whatever the caller passes (ticks).</summary>
internal sealed class TftpTimerQueue<T> where T : class, ITftpTimed
{
    public const long None = long.MaxValue;

    private readonly PriorityQueue<T, long> _heap = new();

    /// <summary>Entries in the heap, stale ones included (for tests and the bound on memory).</summary>
    public int EntryCount => _heap.Count;

    /// <summary>Makes sure <paramref name="item"/> is looked at no later than <paramref name="dueTicks"/>.</summary>
    public void Schedule(T item, long dueTicks)
    {
        ArgumentNullException.ThrowIfNull(item);
        if (item.ScheduledTicks <= dueTicks)
        {
            return;
        }
        item.ScheduledTicks = dueTicks;
        _heap.Enqueue(item, dueTicks);
    }

    /// <summary>The item will not come out of <see cref="TryTakeDue"/> (until scheduled again).</summary>
    public static void Cancel(T item)
    {
        ArgumentNullException.ThrowIfNull(item);
        item.ScheduledTicks = None;
    }

    /// <summary>The earliest entry's due time (maybe a stale one: waking early is harmless), or <see cref="None"/>.</summary>
    public long NextDueTicks => _heap.TryPeek(out _, out var due) ? due : None;

    /// <summary>Takes the next item whose live entry is due at <paramref name="nowTicks"/>, dropping stale entries on
    /// the way. The item has no entry afterwards: the caller checks its real deadline and fires or re-schedules it.</summary>
    public bool TryTakeDue(long nowTicks, out T item)
    {
        while (_heap.TryPeek(out var head, out var due) && due <= nowTicks)
        {
            _heap.Dequeue();
            if (head.ScheduledTicks == due)
            {
                head.ScheduledTicks = None;
                item = head;
                return true;
            }
        }
        item = null!;
        return false;
    }
}

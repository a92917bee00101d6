using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using NetBoot.Hosting.Udp;
using NetBoot.Leases;
using NetBoot.Wire.Net;

namespace NetBoot.Hosting.Dhcp;

/// <summary>The replies of one receive batch that may leave only once their lease change is durable (ACKs: DESIGN, an
/// ACK is a promise). The receive loop copies them here, into a buffer sized for the replies; when the group commit
/// that holds the batch's changes is done, the store's writer thread checks each change and hands the group back to the
/// loop (<see cref="LoopInbox{T}"/>), which sends it with its next <c>sendmmsg</c>: one thread sends on the socket. A
/// reply whose change failed to commit is dropped and logged.</summary>
internal sealed class DurableReplies(LoopInbox<Handback> inbox, ILogger logger, Status.BootTelemetry? telemetry = null)
{
    private readonly ConcurrentBag<Group> _free = [];
    private Group? _current;
    private int _inFlight;

    public bool HasWaiting => _current is { Count: > 0 };

    /// <summary>Groups whose commit has been asked for and that the loop has not sent yet.</summary>
    public int InFlight => Volatile.Read(ref _inFlight);

    /// <summary>Copies a reply into the current group.</summary>
    public void Add(ReadOnlySpan<byte> reply, IPv4Address address, ushort port, Task durable) =>
        (_current ??= _free.TryTake(out var free) ? free : new Group(this)).Add(reply, address, port, durable);

    /// <summary>Asks the store to commit and to hand the current group back right after.</summary>
    public void SendWhenDurable(ILeaseStore store)
    {
        if (_current is not { Count: > 0 } group)
        {
            return;
        }
        _current = null;
        Interlocked.Increment(ref _inFlight);
        store.CommitDeferred(group.Committed);
    }

    /// <summary>On the receive loop: sends a group handed back by <see cref="Group.Committed"/> through the loop's own
    /// batch (whose send slots are free between batches), and recycles it.</summary>
    public void Send(Group group, DatagramBatch batch, Action<int, int> onError)
    {
        try
        {
            var slot = 0;
            for (var i = 0; i < group.Count; i++)
            {
                var entry = group.Entries[i];
                if (!entry.Durable)
                {
                    continue;
                }
                if (slot == DatagramBatch.Capacity)
                {
                    batch.Flush(onError);
                    slot = 0;
                }
                group.Reply(entry).CopyTo(batch.SendBuffer(slot));
                batch.Queue(slot++, entry.Length, entry.Address, entry.Port);
            }
            batch.Flush(onError);
        }
        finally
        {
            group.Clear();
            _free.Add(group);
            Interlocked.Decrement(ref _inFlight);
        }
    }

    internal struct Entry(int offset, int length, IPv4Address address, ushort port, Task commit)
    {
        public readonly int Offset = offset;
        public readonly int Length = length;
        public readonly IPv4Address Address = address;
        public readonly ushort Port = port;
        public Task? Commit = commit;

        /// <summary>Set by <see cref="Group.Committed"/>: the change is durable, the reply may leave.</summary>
        public bool Durable;
    }

    internal sealed class Group(DurableReplies owner)
    {
        /// <summary>The replies back to back: a few hundred bytes each, grown as needed and kept for the next group.</summary>
        private byte[] _buffer = new byte[8192];
        private int _used;

        public Entry[] Entries { get; private set; } = new Entry[DatagramBatch.Capacity];

        public int Count { get; private set; }

        public void Add(ReadOnlySpan<byte> reply, IPv4Address address, ushort port, Task durable)
        {
            if (_used + reply.Length > _buffer.Length)
            {
                Array.Resize(ref _buffer, Math.Max(2 * _buffer.Length, _used + reply.Length));
            }
            if (Count == Entries.Length)
            {
                var entries = Entries;
                Array.Resize(ref entries, 2 * Count);
                Entries = entries;
            }
            reply.CopyTo(_buffer.AsSpan(_used));
            Entries[Count++] = new Entry(_used, reply.Length, address, port, durable);
            _used += reply.Length;
        }

        public ReadOnlySpan<byte> Reply(in Entry entry) => _buffer.AsSpan(entry.Offset, entry.Length);

        /// <summary>After the commit, on the store's writer thread: which changes are durable (waits for a store that
        /// is still writing; the SQLite store is done), then back to the loop. Sends nothing itself.</summary>
        public void Committed()
        {
            for (var i = 0; i < Count; i++)
            {
                ref var entry = ref Entries[i];
                try
                {
                    entry.Commit!.GetAwaiter().GetResult();
                    entry.Durable = true;
                }
                catch (Exception e) when (e is not OutOfMemoryException)
                {
                    LeaseLog.NotDurable(owner.Logger, entry.Address.ToString(), e.Message);
                    owner.Telemetry?.DhcpDropped("lease_not_durable");
                }
                entry.Commit = null;
            }
            if (!owner.Inbox.Post(new Handback(this, null, false)))
            {
                // The loop has stopped: nothing will send it.
                Interlocked.Decrement(ref owner._inFlight);
            }
        }

        public void Clear()
        {
            Array.Clear(Entries, 0, Count);
            Count = 0;
            _used = 0;
        }
    }

    private ILogger Logger => logger;

    private Status.BootTelemetry? Telemetry => telemetry;

    private LoopInbox<Handback> Inbox => inbox;
}

/// <summary>Work finished on another thread and handed back to the receive loop of its socket: a group of durable
/// replies, or a ping check's result.</summary>
/// <param name="Delayed">A <c>dhcp-reply-delay</c> reply now due (<see cref="DelayedReplies"/>).</param>
internal readonly record struct Handback(DurableReplies.Group? Group, DhcpService.Probing? Probe, bool InUse, DelayedReply? Delayed = null);

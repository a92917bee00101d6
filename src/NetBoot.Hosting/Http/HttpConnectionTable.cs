using System.Net;

namespace NetBoot.Hosting.Http;

/// <summary>Why a new connection was refused (or that it was not).</summary>
internal enum HttpAdmission
{
    Admitted,
    /// <summary>Its client address already holds <see cref="HttpConnectionTable.PerClient"/> connections.</summary>
    OverClientLimit,
    /// <summary>The table is full and no idle connection may make room.</summary>
    Full,
}

/// <summary>One admitted connection's place in <see cref="HttpConnectionTable"/>. The transport attaches how to close
/// it, so the table can have it closed to make room while nobody holds the table's lock.</summary>
internal sealed class HttpConnectionSlot
{
    private readonly Lock _gate = new();
    private Action? _abort;
    private bool _abortRequested;

    internal HttpConnectionSlot(HttpConnectionTable.Holder holder)
    {
        Holder = holder;
        IdleNode = new LinkedListNode<HttpConnectionSlot>(this);
        HolderIdleNode = new LinkedListNode<HttpConnectionSlot>(this);
    }

    public IPAddress Source => Holder.Address;

    internal HttpConnectionTable.Holder Holder { get; }

    /// <summary>In the table's idle queue (longest idle first) while no request is answered on the connection.</summary>
    internal LinkedListNode<HttpConnectionSlot> IdleNode { get; }

    /// <summary>In its address's own idle queue at the same time.</summary>
    internal LinkedListNode<HttpConnectionSlot> HolderIdleNode { get; }

    internal SlotState State { get; set; }

    /// <summary>A request was answered on it: what is left is a keep-alive connection, which HTTP/1.1 lets the server
    /// close at any time (RFC 9112 §9.5); the client opens another.</summary>
    internal bool HasServedRequest { get; set; }

    internal bool IsIdle => IdleNode.List is not null;

    /// <summary>Gives the slot the means to close its connection; closes it at once if the table already chose it.</summary>
    public void AttachClose(Action abort)
    {
        ArgumentNullException.ThrowIfNull(abort);
        lock (_gate)
        {
            _abort = abort;
            if (!_abortRequested)
            {
                return;
            }
        }
        abort();
    }

    /// <summary>Closes the connection (once attached); called for a connection evicted to make room.</summary>
    public void Close()
    {
        Action? abort;
        lock (_gate)
        {
            _abortRequested = true;
            abort = _abort;
        }
        abort?.Invoke();
    }
}

internal enum SlotState
{
    Live,
    /// <summary>Closed to make room; its socket is still being torn down.</summary>
    Evicted,
    Released,
}

/// <summary>The HTTP connections held, per client address, with the budget's two limits: a client address holds at
/// most <see cref="PerClient"/>, and all together at most <see cref="Capacity"/>. When the table is full a new
/// connection takes the place of an idle one (no request in progress): the longest idle connection of the address
/// holding the most, provided it holds at least two more than the newcomer's address (else the exchange would only
/// churn), or failing that a keep-alive connection left over from an answered request, the longest idle first. So a
/// flood from a few addresses, or idle connections held open by many, displaces itself and not the machine that
/// arrives to boot; only when every connection is busy, or held one per address, is a newcomer refused. Addresses are
/// kept in buckets by how many connections they hold, so the busiest is found at once; the search for room looks at
/// <see cref="EvictionScan"/> addresses and idle connections at most.</summary>
internal sealed class HttpConnectionTable
{
    /// <summary>How many addresses (busiest first), then idle connections (longest idle first), a full table looks at
    /// to make room.</summary>
    public const int EvictionScan = 64;

    /// <summary>Connections closed to make room whose sockets may still be open; beyond it, newcomers are refused
    /// until teardown catches up, so evictions cannot overrun the descriptor budget.</summary>
    public const int ClosingAllowance = 32;

    private readonly Lock _gate = new();
    private readonly Dictionary<IPAddress, Holder> _holders = [];
    /// <summary>Addresses by the number of connections they hold (only non-empty buckets).</summary>
    private readonly Dictionary<int, LinkedList<Holder>> _byCount = [];
    private readonly LinkedList<HttpConnectionSlot> _idle = new();
    private int _mostHeld;
    private int _live;
    private int _closing;

    public HttpConnectionTable(int capacity, int perClient)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(perClient, 1);
        Capacity = capacity;
        PerClient = perClient;
    }

    public int Capacity { get; }

    public int PerClient { get; }

    /// <summary>Connections held (admitted, not yet released or evicted).</summary>
    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _live;
            }
        }
    }

    /// <summary>Connections <paramref name="source"/> holds.</summary>
    public int CountFrom(IPAddress source)
    {
        lock (_gate)
        {
            return _holders.TryGetValue(source, out var holder) ? holder.Count : 0;
        }
    }

    /// <summary>Admits a new connection from <paramref name="source"/> (idle until its first request), or says why not.
    /// <paramref name="evicted"/> is the idle connection that made room, which the caller closes.</summary>
    public HttpAdmission TryAdmit(IPAddress source, out HttpConnectionSlot? slot, out HttpConnectionSlot? evicted)
    {
        ArgumentNullException.ThrowIfNull(source);
        slot = evicted = null;
        lock (_gate)
        {
            var held = _holders.TryGetValue(source, out var existing) ? existing.Count : 0;
            if (held >= PerClient)
            {
                return HttpAdmission.OverClientLimit;
            }
            if (_live >= Capacity)
            {
                if (_closing >= ClosingAllowance || FindRoom(held) is not { } victim)
                {
                    return HttpAdmission.Full;
                }
                Remove(victim);
                victim.State = SlotState.Evicted;
                _closing++;
                evicted = victim;
            }
            // Looked up again: the room may have come from the newcomer's own address (a keep-alive connection it left).
            if (!_holders.TryGetValue(source, out var holder))
            {
                holder = new Holder(source);
                _holders[source] = holder;
            }
            slot = new HttpConnectionSlot(holder);
            Recount(holder, holder.Count + 1);
            _live++;
            _idle.AddLast(slot.IdleNode);
            holder.Idle.AddLast(slot.HolderIdleNode);
            return HttpAdmission.Admitted;
        }
    }

    /// <summary>A request is being answered on the connection: it cannot be evicted until it is done.</summary>
    public void MarkBusy(HttpConnectionSlot slot)
    {
        ArgumentNullException.ThrowIfNull(slot);
        lock (_gate)
        {
            LeaveIdle(slot);
        }
    }

    /// <summary>The request is answered: the connection waits for the next one (keep-alive), at the back of the queues.</summary>
    public void MarkIdle(HttpConnectionSlot slot)
    {
        ArgumentNullException.ThrowIfNull(slot);
        lock (_gate)
        {
            slot.HasServedRequest = true;
            if (slot.State == SlotState.Live && !slot.IsIdle)
            {
                _idle.AddLast(slot.IdleNode);
                slot.Holder.Idle.AddLast(slot.HolderIdleNode);
            }
        }
    }

    /// <summary>The connection is closed and its socket released. Idempotent.</summary>
    public void Release(HttpConnectionSlot slot)
    {
        ArgumentNullException.ThrowIfNull(slot);
        lock (_gate)
        {
            if (slot.State == SlotState.Live)
            {
                Remove(slot);
            }
            else if (slot.State == SlotState.Evicted)
            {
                _closing--;
            }
            slot.State = SlotState.Released;
        }
    }

    /// <summary>The idle connection to close for a newcomer whose address holds <paramref name="held"/>: the longest
    /// idle of the busiest address holding at least two more; else the longest idle keep-alive connection left from an
    /// answered request. Null when none may go.</summary>
    private HttpConnectionSlot? FindRoom(int held)
    {
        var looked = 0;
        for (var count = _mostHeld; count >= held + 2 && looked < EvictionScan; count--)
        {
            if (!_byCount.TryGetValue(count, out var holders))
            {
                looked++;
                continue;
            }
            for (var node = holders.First; node is not null && looked < EvictionScan; node = node.Next, looked++)
            {
                if (node.Value.Idle.First is { } longestIdle)
                {
                    return longestIdle.Value;
                }
            }
        }
        looked = 0;
        for (var node = _idle.First; node is not null && looked < EvictionScan; node = node.Next, looked++)
        {
            if (node.Value.HasServedRequest)
            {
                return node.Value;
            }
        }
        return null;
    }

    private void Remove(HttpConnectionSlot slot)
    {
        LeaveIdle(slot);
        Recount(slot.Holder, slot.Holder.Count - 1);
        _live--;
    }

    private static void LeaveIdle(HttpConnectionSlot slot)
    {
        if (slot.IsIdle)
        {
            slot.IdleNode.List!.Remove(slot.IdleNode);
            slot.HolderIdleNode.List!.Remove(slot.HolderIdleNode);
        }
    }

    /// <summary>Moves <paramref name="holder"/> to the bucket of <paramref name="count"/>; forgets an address holding none.</summary>
    private void Recount(Holder holder, int count)
    {
        if (holder.Count > 0)
        {
            var bucket = _byCount[holder.Count];
            bucket.Remove(holder.BucketNode);
            if (bucket.Count == 0)
            {
                _byCount.Remove(holder.Count);
            }
        }
        holder.Count = count;
        if (count > 0)
        {
            if (!_byCount.TryGetValue(count, out var bucket))
            {
                bucket = new LinkedList<Holder>();
                _byCount[count] = bucket;
            }
            bucket.AddLast(holder.BucketNode);
            _mostHeld = Math.Max(_mostHeld, count);
        }
        else
        {
            _holders.Remove(holder.Address);
        }
        while (_mostHeld > 0 && !_byCount.ContainsKey(_mostHeld))
        {
            _mostHeld--;
        }
    }

    /// <summary>A client address with connections in the table: how many, which are idle (longest first), and its
    /// place in the bucket of its count.</summary>
    internal sealed class Holder
    {
        public Holder(IPAddress address)
        {
            Address = address;
            BucketNode = new LinkedListNode<Holder>(this);
        }

        public IPAddress Address { get; }

        public int Count { get; set; }

        public LinkedList<HttpConnectionSlot> Idle { get; } = new();

        public LinkedListNode<Holder> BucketNode { get; }
    }
}

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
/// it, so the table can close it to make room while the caller holds no lock.</summary>
internal sealed class HttpConnectionSlot
{
    private readonly Lock _gate = new();
    private Action? _abort;
    private bool _abortRequested;

    internal HttpConnectionSlot(IPAddress source)
    {
        Source = source;
        Node = new LinkedListNode<HttpConnectionSlot>(this);
    }

    public IPAddress Source { get; }

    /// <summary>In the table's idle queue while no request is being answered on the connection.</summary>
    internal LinkedListNode<HttpConnectionSlot> Node { get; }

    internal SlotState State { get; set; }

    /// <summary>A request was answered on it: what is left is a keep-alive connection, which HTTP/1.1 lets the server
    /// close at any time (RFC 9112 §9.5); the client opens another.</summary>
    internal bool HasServedRequest { get; set; }

    internal bool IsIdle => Node.List is not null;

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
/// connection takes the place of an idle one (no request in progress): a keep-alive connection left over from an
/// answered request, or a connection of an address holding at least two more than the newcomer's, the busiest address
/// first, then the longest idle. So a flood from a few addresses, or idle connections held open by many, displaces
/// itself and not the machine that arrives to boot; only when every connection is busy, or held one per address, is a
/// newcomer refused. All operations are O(1) but the search for room, which looks at the
/// <see cref="EvictionScan"/> longest idle connections at most.</summary>
internal sealed class HttpConnectionTable
{
    /// <summary>How many idle connections, longest idle first, a full table considers to make room.</summary>
    public const int EvictionScan = 64;

    /// <summary>Connections closed to make room whose sockets may still be open; beyond it, newcomers are refused
    /// until teardown catches up, so evictions cannot overrun the descriptor budget.</summary>
    public const int ClosingAllowance = 32;

    private readonly Lock _gate = new();
    private readonly Dictionary<IPAddress, int> _perSource = [];
    private readonly LinkedList<HttpConnectionSlot> _idle = new();
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
            return _perSource.GetValueOrDefault(source);
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
            var held = _perSource.GetValueOrDefault(source);
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
            slot = new HttpConnectionSlot(source);
            _perSource[source] = held + 1;
            _live++;
            _idle.AddLast(slot.Node);
            return HttpAdmission.Admitted;
        }
    }

    /// <summary>A request is being answered on the connection: it cannot be evicted until it is done.</summary>
    public void MarkBusy(HttpConnectionSlot slot)
    {
        ArgumentNullException.ThrowIfNull(slot);
        lock (_gate)
        {
            if (slot.IsIdle)
            {
                _idle.Remove(slot.Node);
            }
        }
    }

    /// <summary>The request is answered: the connection waits for the next one (keep-alive), at the back of the queue.</summary>
    public void MarkIdle(HttpConnectionSlot slot)
    {
        ArgumentNullException.ThrowIfNull(slot);
        lock (_gate)
        {
            slot.HasServedRequest = true;
            if (slot.State == SlotState.Live && !slot.IsIdle)
            {
                _idle.AddLast(slot.Node);
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

    /// <summary>The idle connection to close for a newcomer whose address holds <paramref name="held"/>: among the
    /// longest idle, one that has answered a request or whose address holds at least two more, the busiest address
    /// first (the oldest on a tie). Null when none may go.</summary>
    private HttpConnectionSlot? FindRoom(int held)
    {
        HttpConnectionSlot? best = null;
        var bestCount = -1;
        var node = _idle.First;
        for (var looked = 0; node is not null && looked < EvictionScan; looked++, node = node.Next)
        {
            var count = _perSource[node.Value.Source];
            var mayGo = node.Value.HasServedRequest || count >= held + 2;
            if (mayGo && count > bestCount)
            {
                best = node.Value;
                bestCount = count;
            }
        }
        return best;
    }

    private void Remove(HttpConnectionSlot slot)
    {
        if (slot.IsIdle)
        {
            _idle.Remove(slot.Node);
        }
        var count = _perSource[slot.Source] - 1;
        if (count == 0)
        {
            _perSource.Remove(slot.Source);
        }
        else
        {
            _perSource[slot.Source] = count;
        }
        _live--;
    }
}

using NetBoot.Wire.Net;

namespace NetBoot.Hosting.Dhcp;

/// <summary>The ping check's waiting probes (<see cref="PingCheck"/>): at most <paramref name="capacity"/> at once, and
/// O(1) to add, settle or expire one. Every probe waits the same time, so the order they were sent in is the order they
/// expire in: a queue of sequence numbers, looked at only from its oldest end, instead of a walk of every probe each
/// time one might be due. Not thread-safe: the checker holds its lock around each call.</summary>
internal sealed class PingProbes(int capacity)
{
    private readonly Dictionary<ushort, Probe> _waiting = [];
    /// <summary>Every probe sent in the last wait, oldest first (settled ones too, until their deadline).</summary>
    private readonly Queue<ushort> _sent = new();
    private ushort _sequence;

    public int Capacity { get; } = capacity;

    /// <summary>Probes sent and not yet past their deadline (never more than <see cref="Capacity"/>).</summary>
    public int Count => _sent.Count;

    /// <summary>Units of work done so far (tests read it to show each call costs O(1)).</summary>
    internal long Steps { get; private set; }

    /// <summary>Takes a sequence number for a probe of <paramref name="address"/>; false when <see cref="Capacity"/>
    /// probes already wait.</summary>
    public bool TryAdd(IPv4Address address, DateTimeOffset deadline, Action<bool> verdict, out ushort sequence)
    {
        sequence = 0;
        if (_sent.Count >= Capacity)
        {
            return false;
        }
        // Fewer than Capacity of the 65536 numbers were handed out within one wait: the next is free at once.
        do
        {
            Steps++;
            sequence = ++_sequence;
        }
        while (_waiting.ContainsKey(sequence));
        _waiting[sequence] = new Probe(address, deadline, verdict);
        _sent.Enqueue(sequence);
        return true;
    }

    /// <summary>An echo reply with <paramref name="sequence"/> from <paramref name="source"/>: the probe's verdict, when
    /// it is a probe of that address still waiting.</summary>
    public Action<bool>? Settle(ushort sequence, IPv4Address source)
    {
        Steps++;
        if (!_waiting.TryGetValue(sequence, out var probe) || probe.Address != source)
        {
            return null;
        }
        _waiting.Remove(sequence);
        return probe.Verdict;
    }

    /// <summary>Removes the probes past their deadline at <paramref name="now"/> and returns their verdicts (null when
    /// none): only those and the next one are looked at.</summary>
    public List<Action<bool>>? TakeDue(DateTimeOffset now)
    {
        List<Action<bool>>? due = null;
        while (_sent.TryPeek(out var sequence))
        {
            Steps++;
            var isWaiting = _waiting.TryGetValue(sequence, out var probe);
            if (isWaiting && probe!.Deadline > now)
            {
                break;
            }
            _sent.Dequeue();
            if (isWaiting)
            {
                _waiting.Remove(sequence);
                (due ??= []).Add(probe!.Verdict);
            }
        }
        return due;
    }

    private sealed record Probe(IPv4Address Address, DateTimeOffset Deadline, Action<bool> Verdict);
}

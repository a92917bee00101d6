using NetBoot.Engine.Leases;
using NetBoot.Wire.Net;

namespace NetBoot.Leases.Postgres;

/// <summary>This server's view of the shared table: what decisions read, with the bookkeeping that keeps a reload from
/// undoing this server's own newer changes. Every change it persists is counted in flight until the writer settles it,
/// and stamped with an epoch; a reload that began before that epoch leaves the address alone.</summary>
internal sealed class PostgresLeaseCache
{
    private readonly LeaseTable _table = new() { IsShared = true };
    private readonly Lock _lock = new();
    private readonly Dictionary<IPv4Address, int> _inflight = [];
    private readonly Dictionary<IPv4Address, long> _touched = [];
    private long _epoch;

    /// <summary>Runs <paramref name="decide"/> against the view; null when <paramref name="mayApply"/> refuses its
    /// outcome (nothing applied). Else the change is applied and, when shared (<see cref="IsStored"/>), handed to
    /// <paramref name="write"/> under the same lock, so that writes leave in decision order.</summary>
    public LeaseDecision? Decide(Func<ILeaseView, DhcpOutcome> decide, Func<DhcpOutcome, bool> mayApply, Func<LeaseChange, Task> write)
    {
        lock (_lock)
        {
            var outcome = decide(_table);
            if (!mayApply(outcome))
            {
                return null;
            }
            if (outcome.Change is not { } change)
            {
                return new LeaseDecision(outcome, Task.CompletedTask);
            }
            _table.Apply(change);
            return new LeaseDecision(outcome, IsStored(change) ? WriteLocked(change, write) : Task.CompletedTask);
        }
    }

    /// <summary>Removes the leases whose time is up and hands the removal of each shared one to <paramref name="write"/>;
    /// returns the bound ones (for <c>dhcp-script del</c>).</summary>
    public IReadOnlyList<Lease> Expire(DateTimeOffset now, Func<LeaseChange, Task> write)
    {
        lock (_lock)
        {
            var expired = _table.Expired(now);
            foreach (var lease in expired)
            {
                _table.Remove(lease.Address);
                if (lease.State != LeaseState.Offered)
                {
                    WriteLocked(new LeaseRemoval(lease, lease.State == LeaseState.Bound ? LeaseEvent.Del : LeaseEvent.None), write);
                }
            }
            return [.. expired.Where(l => l.State == LeaseState.Bound)];
        }
    }

    public IReadOnlyList<Lease> Snapshot() => _table.SnapshotByAddress(_lock);

    /// <summary>The epoch a read of the table starts at: changes stamped later are newer than what it reads.</summary>
    public long Epoch
    {
        get
        {
            lock (_lock)
            {
                return _epoch;
            }
        }
    }

    /// <summary>The writer is done with these changes (durable, refused or failed): no longer in flight.</summary>
    public void Settle(IEnumerable<LeaseChange> changes)
    {
        lock (_lock)
        {
            foreach (var change in changes)
            {
                var address = AddressOf(change);
                _touched[address] = ++_epoch;
                if (!_inflight.TryGetValue(address, out var count))
                {
                    continue;
                }
                if (count <= 1)
                {
                    _inflight.Remove(address);
                }
                else
                {
                    _inflight[address] = count - 1;
                }
            }
        }
    }

    /// <summary>Replaces the leases of <paramref name="addresses"/> by <paramref name="rows"/> (the table's, read from
    /// <paramref name="start"/>), except where this server's own view is newer.</summary>
    public void Refresh(IReadOnlyCollection<IPv4Address> addresses, Dictionary<IPv4Address, Lease> rows, long start)
    {
        lock (_lock)
        {
            foreach (var address in addresses)
            {
                if (IsLocallyNewer(address, start))
                {
                    continue;
                }
                if (rows.TryGetValue(address, out var row))
                {
                    if (_table.ByClient(row.Client) is { } mine && mine.Address != address && IsLocallyNewer(mine.Address, start))
                    {
                        continue;
                    }
                    _table.Put(row);
                }
                else if (_table.ByAddress(address) is { State: not LeaseState.Offered })
                {
                    _table.Remove(address);
                }
            }
        }
    }

    /// <summary>Replaces the whole view by <paramref name="rows"/> (the table, read from <paramref name="start"/>),
    /// keeping this server's offer holds and its newer changes.</summary>
    public void ReplaceAll(List<Lease> rows, long start)
    {
        lock (_lock)
        {
            var kept = _table.All.Where(l => l.State == LeaseState.Offered || IsLocallyNewer(l.Address, start)).ToList();
            var keptAddresses = kept.Select(l => l.Address).ToHashSet();
            foreach (var lease in _table.All.ToList())
            {
                _table.Remove(lease.Address);
            }
            foreach (var row in rows)
            {
                if (!keptAddresses.Contains(row.Address) && !IsLocallyNewer(row.Address, start))
                {
                    _table.Put(row);
                }
            }
            foreach (var lease in kept)
            {
                // A held offer yields to a binding another server made meanwhile.
                if (lease.State != LeaseState.Offered || _table.ByAddress(lease.Address) is null)
                {
                    _table.Put(lease);
                }
            }
            foreach (var address in _touched.Where(t => t.Value <= start && !_inflight.ContainsKey(t.Key)).Select(t => t.Key).ToList())
            {
                _touched.Remove(address);
            }
        }
    }

    /// <summary>Offer holds live in this server's memory only; bound and declined leases (and their removal) are shared.</summary>
    private static bool IsStored(LeaseChange change) => change switch
    {
        LeaseUpsert upsert => upsert.Lease.State != LeaseState.Offered,
        LeaseRemoval removal => removal.Lease.State != LeaseState.Offered,
        _ => false,
    };

    private Task WriteLocked(LeaseChange change, Func<LeaseChange, Task> write)
    {
        var address = AddressOf(change);
        _inflight[address] = _inflight.GetValueOrDefault(address) + 1;
        _touched[address] = ++_epoch;
        return write(change);
    }

    private bool IsLocallyNewer(IPv4Address address, long start) =>
        _inflight.ContainsKey(address) || _touched.GetValueOrDefault(address) > start;

    public static IPv4Address AddressOf(LeaseChange change) => change switch
    {
        LeaseUpsert upsert => upsert.Lease.Address,
        LeaseRemoval removal => removal.Lease.Address,
        _ => throw new ArgumentOutOfRangeException(nameof(change)),
    };
}

using NetBoot.Engine.Dhcp6;
using NetBoot.Wire.Dhcp6;

namespace NetBoot.Leases;

/// <summary>A DHCPv6 decision taken against the store's IPv6 lease view, its changes already applied to that view, and a
/// task that completes when they are durable (at once when there is nothing to persist). A REPLY that binds leaves only
/// after <see cref="Durable"/> (the DHCPv4 durability rule).</summary>
public readonly record struct Ipv6LeaseDecision(Dhcp6Outcome Outcome, Task Durable);

/// <summary>The only owner of IPv6 (IA_NA) lease state, as <see cref="ILeaseStore"/> is for DHCPv4: decisions run one at a
/// time against its view; their changes are applied at once and persisted by group commit.</summary>
public interface IIpv6LeaseStore : IAsyncDisposable
{
    /// <summary>Runs <paramref name="decide"/> against the current IPv6 leases and applies the changes it returns. Never
    /// blocks on I/O.</summary>
    Ipv6LeaseDecision Execute(Func<IIpv6LeaseView, Dhcp6Outcome> decide);

    /// <summary>Like <see cref="Execute"/>, but the store need not start writing yet: the caller calls
    /// <see cref="CommitDeferred"/> after a batch of decisions (the DHCPv6 receive loop does, once per batch of
    /// datagrams), so the writer wakes once for the batch instead of once per change.</summary>
    Ipv6LeaseDecision ExecuteDeferred(Func<IIpv6LeaseView, Dhcp6Outcome> decide) => Execute(decide);

    /// <summary>Starts making every change accepted so far durable (group commit) and returns at once;
    /// <paramref name="afterCommit"/> runs when they are (or their commit failed: each decision's
    /// <see cref="Ipv6LeaseDecision.Durable"/> says which), on the store's writer thread when it has one, so the caller's
    /// REPLYs can leave without another thread hop. It must be short and must not throw.</summary>
    void CommitDeferred(Action afterCommit) =>
        FlushAsync().ContinueWith(_ => afterCommit(), CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default);

    /// <summary>Removes leases whose time is up and returns them.</summary>
    IReadOnlyList<Ipv6Lease> Expire(DateTimeOffset now);

    /// <summary>A copy of every IPv6 lease, ordered by address.</summary>
    IReadOnlyList<Ipv6Lease> Snapshot();

    /// <summary>Completes when everything accepted so far is durable.</summary>
    Task FlushAsync();

    /// <summary>This server's DUID (RFC 8415 §11), kept with the leases so clients find the same server after a restart
    /// (dnsmasq keeps it in its lease file): the stored one for <paramref name="serverName"/>, else
    /// <paramref name="create"/>'s, stored before it is returned. <c>dhcp-duid</c>, when configured, is passed as the
    /// creator and also replaces a stored one.</summary>
    Duid ServerDuid(string serverName, Func<Duid> create, bool replace);
}

/// <summary>IPv6 leases kept in memory only (<c>leasefile-ro</c>, tests): nothing to persist, so every decision is durable
/// at once.</summary>
public sealed class MemoryIpv6LeaseStore : IIpv6LeaseStore
{
    private readonly Lock _lock = new();
    private readonly Ipv6LeaseTable _table = new();
    private readonly Dictionary<string, Duid> _duids = new(StringComparer.Ordinal);

    public Ipv6LeaseDecision Execute(Func<IIpv6LeaseView, Dhcp6Outcome> decide)
    {
        ArgumentNullException.ThrowIfNull(decide);
        lock (_lock)
        {
            var outcome = decide(_table);
            _table.Apply(outcome.Changes);
            return new(outcome, Task.CompletedTask);
        }
    }

    public IReadOnlyList<Ipv6Lease> Expire(DateTimeOffset now)
    {
        lock (_lock)
        {
            var expired = _table.All.Where(l => !l.IsActiveAt(now)).ToList();
            _table.Apply(expired.Select(l => new Ipv6LeaseRemoval(l)));
            return expired;
        }
    }

    public IReadOnlyList<Ipv6Lease> Snapshot()
    {
        lock (_lock)
        {
            return [.. _table.All.OrderBy(l => l.Address)];
        }
    }

    public Task FlushAsync() => Task.CompletedTask;

    public Duid ServerDuid(string serverName, Func<Duid> create, bool replace)
    {
        ArgumentNullException.ThrowIfNull(create);
        lock (_lock)
        {
            if (replace || !_duids.TryGetValue(serverName, out var duid))
            {
                duid = create();
                _duids[serverName] = duid;
            }
            return duid;
        }
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}

using System.Threading.Channels;
using NetBoot.Engine;
using NetBoot.Engine.Leases;

namespace NetBoot.Leases;

/// <summary>A decision taken against the store's lease view, with the change already applied to that view, and a task
/// that completes when the change is durable (at once when there is nothing to persist).</summary>
public readonly record struct LeaseDecision(DhcpOutcome Outcome, Task Durable);

/// <summary>The only owner of lease state (DESIGN rule 6). Decisions run one at a time against its view; their changes
/// are applied to the view at once (so the next decision sees them) and persisted by group commit.</summary>
public interface ILeaseStore : IAsyncDisposable
{
    /// <summary>Runs <paramref name="decide"/> against the current leases and applies the change it returns. Never blocks
    /// on I/O: the durability of the change is the returned <see cref="LeaseDecision.Durable"/>.</summary>
    LeaseDecision Execute(Func<ILeaseView, DhcpOutcome> decide);

    /// <summary>Whether <paramref name="identity"/> holds a lease in any state (bound, offered, expired; found by the lease
    /// rules, <see cref="ILeaseView.Find"/>): what the <c>dhcp-rate-limit</c> gate asks before any decision, outside it.
    /// The default asks through <see cref="Execute"/> with an outcome that changes nothing.</summary>
    bool HasLease(ClientIdentity identity)
    {
        var found = false;
        Execute(view =>
        {
            found = view.Find(identity) is not null;
            return new DhcpOutcome(new NoReply(NoReplyReason.NotForUs));
        });
        return found;
    }

    /// <summary>Removes leases whose time is up and returns them (for <c>dhcp-script del</c>).</summary>
    IReadOnlyList<Lease> Expire(DateTimeOffset now);

    /// <summary>A copy of every lease, ordered by address.</summary>
    IReadOnlyList<Lease> Snapshot();

    /// <summary>Changes after they are durable, in commit order, for the lease-file writer and <c>dhcp-script</c>.</summary>
    ChannelReader<LeaseChange> Subscribe();

    /// <summary>Completes when everything accepted so far is durable.</summary>
    Task FlushAsync();

    /// <summary>Like <see cref="Execute"/>, but the store need not start writing yet: the caller calls
    /// <see cref="CommitDeferred"/> after a batch of decisions (the DHCP receive loop does, once per batch of datagrams),
    /// so the writer wakes once for the batch instead of once per change.</summary>
    LeaseDecision ExecuteDeferred(Func<ILeaseView, DhcpOutcome> decide) => Execute(decide);

    /// <summary>Starts making every change accepted so far durable (group commit) and returns at once;
    /// <paramref name="afterCommit"/> runs when they are (or their commit failed: each change's
    /// <see cref="LeaseDecision.Durable"/> says which), on the store's writer thread when it has one, so the caller's
    /// replies can leave without another thread hop. It must be short and must not throw.</summary>
    void CommitDeferred(Action afterCommit) =>
        FlushAsync().ContinueWith(_ => afterCommit(), CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default);
}

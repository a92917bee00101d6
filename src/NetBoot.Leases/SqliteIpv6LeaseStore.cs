using Microsoft.Data.Sqlite;
using NetBoot.Engine.Dhcp6;
using NetBoot.Wire.Dhcp6;

namespace NetBoot.Leases;

/// <summary>The embedded IPv6 (IA_NA) lease store, in the DHCPv4 store's database file (tables <c>leases6</c> and
/// <c>server_duids</c>, schema version 3): the leases in memory (what decisions read) and in SQLite (WAL,
/// <c>synchronous=FULL</c>), written by group commit as <see cref="SqliteLeaseStore"/> does: a decision's changes are
/// applied to the view at once and queued; the writer thread commits the whole queue in one transaction (one fsync for
/// many REPLYs) and then completes each decision's <see cref="Ipv6LeaseDecision.Durable"/>. The DHCPv6 receive loop wakes
/// it once per batch of datagrams (<see cref="ExecuteDeferred"/>, <see cref="CommitDeferred"/>).</summary>
/// <remarks>
/// <para>Its own connection and writer thread, not the DHCPv4 store's. A REPLY then waits for its own commit and, when
/// the DHCPv4 writer holds the file's write lock (WAL writers serialise on it), for the end of that one commit: about
/// what it would wait in a shared writer, where it would join the batch after the commit in progress. The wait is in
/// SQLite's busy handler (<see cref="BusyTimeoutMilliseconds"/>, set on both connections), which polls after 1, 2, 5,
/// 10 ms…, not in Microsoft.Data.Sqlite's retry, which sleeps 150 ms. A shared writer would tie the two stores together
/// (this one could not open without a DHCPv4 store, which an IPv6-only configuration does not have) for no gain in
/// latency; it would save an fsync per pair of concurrent commits, which matters only under load.</para>
/// <para>Offers (ADVERTISE holds) are not written, as with DHCPv4: a crash forgets them harmlessly. Bound and declined
/// leases, and removals, are. The server DUID is written at once, before <see cref="ServerDuid"/> returns.</para>
/// </remarks>
public sealed class SqliteIpv6LeaseStore : IIpv6LeaseStore
{
    /// <summary>How long a commit waits for the other store's commit to release the file's write lock.</summary>
    public const int BusyTimeoutMilliseconds = 10_000;

    /// <summary>SQLite result codes: SQLITE_CORRUPT and SQLITE_NOTADB.</summary>
    private const int SqliteCorrupt = 11, SqliteNotADatabase = 26;

    private readonly Ipv6LeaseTable _table = new();

    /// <summary>Guards the table and <see cref="_pending"/>: decisions and the order of their changes.</summary>
    private readonly Lock _lock = new();

    /// <summary>Serialises use of the connection: commits (in decision order) and server-DUID writes.</summary>
    private readonly Lock _commitLock = new();

    private List<PendingWrite> _pending = [];
    private List<PendingWrite> _spare = [];
    private readonly SemaphoreSlim _signal = new(0);
    private int _signalled;
    private volatile bool _disposing;
    private readonly SqliteConnection _connection;
    private readonly SqliteIpv6LeaseStatements _statements;
    private readonly Task _writer;

    private SqliteIpv6LeaseStore(SqliteConnection connection)
    {
        _connection = connection;
        _statements = new SqliteIpv6LeaseStatements(connection);
        // Its own thread: a commit blocks on fsync (see SqliteLeaseStore).
        _writer = Task.Factory.StartNew(WriteLoop, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
    }

    /// <summary>Opens (creating and migrating if needed) the lease database at <paramref name="path"/>, the DHCPv4
    /// store's file, and loads its IPv6 leases.</summary>
    public static SqliteIpv6LeaseStore Open(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        var directory = Path.GetDirectoryName(Path.GetFullPath(path));
        if (directory is not null)
        {
            Directory.CreateDirectory(directory);
        }
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString());
        try
        {
            connection.Open();
            Execute(connection, $"PRAGMA busy_timeout={BusyTimeoutMilliseconds}; PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;");
            if (SqliteLeaseStore.QuickCheck(connection) is { } damage)
            {
                throw new LeaseDatabaseCorruptException(path, damage);
            }
            SqliteLeaseSchema.Migrate(connection, path);
            var leases = SqliteIpv6LeaseStatements.ReadAll(connection, path);
            var store = new SqliteIpv6LeaseStore(connection);
            store._table.Apply(leases.Select(l => new Ipv6LeaseUpsert(l)));
            return store;
        }
        catch (SqliteException e) when (e.SqliteErrorCode is SqliteNotADatabase or SqliteCorrupt)
        {
            connection.Dispose();
            throw new LeaseDatabaseCorruptException(path, e.Message);
        }
        catch (Exception)
        {
            connection.Dispose();
            throw;
        }
    }

    /// <summary>Reads the IPv6 leases of a database without serving (for <c>netboot leases</c>): none when the file has
    /// no IPv6 table yet (a version before 3).</summary>
    public static IReadOnlyList<Ipv6Lease> Read(string path)
    {
        using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString());
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'leases6'";
        return (long)command.ExecuteScalar()! == 0 ? [] : SqliteIpv6LeaseStatements.ReadAll(connection, path);
    }

    public Ipv6LeaseDecision Execute(Func<IIpv6LeaseView, Dhcp6Outcome> decide) => Decide(decide, wakeWriter: true);

    public Ipv6LeaseDecision ExecuteDeferred(Func<IIpv6LeaseView, Dhcp6Outcome> decide) => Decide(decide, wakeWriter: false);

    private Ipv6LeaseDecision Decide(Func<IIpv6LeaseView, Dhcp6Outcome> decide, bool wakeWriter)
    {
        ArgumentNullException.ThrowIfNull(decide);
        Task durable;
        Dhcp6Outcome outcome;
        lock (_lock)
        {
            outcome = decide(_table);
            _table.Apply(outcome.Changes);
            // Offer holds live in memory only: nothing to write, nothing to wait for.
            var stored = outcome.Changes.Where(IsStored).ToList();
            if (stored.Count == 0)
            {
                return new Ipv6LeaseDecision(outcome, Task.CompletedTask);
            }
            durable = Enqueue(stored);
        }
        if (wakeWriter)
        {
            WakeWriter();
        }
        return new Ipv6LeaseDecision(outcome, durable);
    }

    private static bool IsStored(Ipv6LeaseChange change) => change is not Ipv6LeaseUpsert { Lease.State: Ipv6LeaseState.Offered };

    public IReadOnlyList<Ipv6Lease> Expire(DateTimeOffset now)
    {
        List<Ipv6Lease> expired;
        lock (_lock)
        {
            expired = [.. _table.All.Where(l => !l.IsActiveAt(now)).OrderBy(l => l.Address)];
            if (expired.Count == 0)
            {
                return expired;
            }
            List<Ipv6LeaseChange> removals = [.. expired.Select(l => new Ipv6LeaseRemoval(l))];
            _table.Apply(removals);
            var stored = removals.Where(r => r.Lease.State != Ipv6LeaseState.Offered).ToList();
            if (stored.Count > 0)
            {
                Enqueue(stored);
            }
        }
        WakeWriter();
        return expired;
    }

    public IReadOnlyList<Ipv6Lease> Snapshot()
    {
        lock (_lock)
        {
            return [.. _table.All.OrderBy(l => l.Address)];
        }
    }

    public Task FlushAsync()
    {
        Task done;
        lock (_lock)
        {
            done = Enqueue([]);
        }
        WakeWriter();
        return done;
    }

    public Duid ServerDuid(string serverName, Func<Duid> create, bool replace)
    {
        ArgumentNullException.ThrowIfNull(serverName);
        ArgumentNullException.ThrowIfNull(create);
        lock (_commitLock)
        {
            using var transaction = _connection.BeginTransaction();
            using var command = _connection.CreateCommand();
            command.Transaction = transaction;
            command.CommandText = "SELECT duid FROM server_duids WHERE server = $server";
            command.Parameters.AddWithValue("$server", serverName);
            if (!replace && command.ExecuteScalar() is byte[] stored && Duid.TryRead(stored, out var existing))
            {
                return existing;
            }
            var duid = create();
            command.CommandText = "INSERT OR REPLACE INTO server_duids (server, duid) VALUES ($server, $duid)";
            command.Parameters.AddWithValue("$duid", SqliteIpv6LeaseStatements.DuidBytes(duid));
            command.ExecuteNonQuery();
            transaction.Commit();
            return duid;
        }
    }

    public void CommitDeferred(Action afterCommit)
    {
        ArgumentNullException.ThrowIfNull(afterCommit);
        lock (_lock)
        {
            if (_disposing)
            {
                afterCommit();
                return;
            }
            // A marker at the end of the list: the commit that takes it took every change decided before it.
            _pending.Add(new PendingWrite([], null, afterCommit));
        }
        WakeWriter();
    }

    /// <summary>Call with <see cref="_lock"/> held: the position in <see cref="_pending"/> is the commit order.</summary>
    private Task Enqueue(List<Ipv6LeaseChange> changes)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        if (_disposing)
        {
            done.SetException(new ObjectDisposedException(nameof(SqliteIpv6LeaseStore)));
        }
        else
        {
            _pending.Add(new PendingWrite(changes, done, null));
        }
        return done.Task;
    }

    private void WakeWriter()
    {
        if (Interlocked.Exchange(ref _signalled, 1) == 0)
        {
            _signal.Release();
        }
    }

    private void WriteLoop()
    {
        while (true)
        {
            _signal.Wait();
            Volatile.Write(ref _signalled, 0);
            CommitAll();
            if (_disposing)
            {
                CommitAll();
                return;
            }
        }
    }

    /// <summary>Commits everything pending in one transaction (one fsync), then completes the decisions' tasks; when the
    /// commit fails, they fail, so that their REPLYs are not sent.</summary>
    private void CommitAll()
    {
        lock (_commitLock)
        {
            List<PendingWrite> batch;
            lock (_lock)
            {
                if (_pending.Count == 0)
                {
                    return;
                }
                batch = _pending;
                _pending = _spare;
            }
            try
            {
                using (var transaction = _connection.BeginTransaction())
                {
                    _statements.Enlist(transaction);
                    foreach (var change in batch.SelectMany(p => p.Changes))
                    {
                        if (change is Ipv6LeaseUpsert upsert)
                        {
                            _statements.Upsert(upsert.Lease);
                        }
                        else
                        {
                            _statements.Delete(change.Lease);
                        }
                    }
                    transaction.Commit();
                }
                foreach (var pending in batch)
                {
                    pending.Done?.SetResult();
                }
            }
            catch (Exception e)
            {
                // Not durable: SQLite rolled the transaction back; the next batch tries again.
                foreach (var pending in batch)
                {
                    pending.Done?.SetException(e);
                }
            }
            // The batch's REPLYs go now (handed back to the receive loop): each leaves only if its change is durable.
            foreach (var pending in batch)
            {
                pending.AfterCommit?.Invoke();
            }
            batch.Clear();
            _spare = batch;
        }
    }

    private static void Execute(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    public async ValueTask DisposeAsync()
    {
        lock (_lock)
        {
            _disposing = true;
        }
        WakeWriter();
        _signal.Release();
        await _writer.ConfigureAwait(false);
        _statements.Dispose();
        await _connection.DisposeAsync().ConfigureAwait(false);
        _signal.Dispose();
    }

    /// <summary>One decision's (or one expiry run's) changes and its completion (no changes for a flush), or a
    /// <see cref="CommitDeferred"/> marker (no changes, no completion, what to run after the commit).</summary>
    private sealed record PendingWrite(List<Ipv6LeaseChange> Changes, TaskCompletionSource? Done, Action? AfterCommit);
}

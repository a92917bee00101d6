using System.Collections.Immutable;
using System.Threading.Channels;
using Microsoft.Data.Sqlite;
using NetBoot.Engine.Leases;
using NetBoot.Wire.Net;

namespace NetBoot.Leases;

/// <summary>The embedded lease store: the lease table in memory (what decisions read) and an SQLite database in WAL
/// mode with <c>synchronous=FULL</c> (what survives a crash). Changes wait in one list in decision order; a commit takes
/// the whole list into one transaction (group commit), so one fsync covers many ACKs. The writer thread commits; the
/// DHCP receive loop wakes it once per batch of datagrams (<see cref="ExecuteDeferred"/>, <see cref="CommitDeferred"/>)
/// and goes on receiving while the fsync runs, so the changes of the batches received meanwhile share the next one.</summary>
/// <remarks>Offer holds are not written: they are brief reservations (RFC 2131 §4.3.1 "SHOULD") and a crash forgets
/// them harmlessly. Bound and declined leases, and removals, are written. The table's constraints keep one row per
/// address and one per client (<see cref="SqliteLeaseSchema"/>), as the PostgreSQL schema does.</remarks>
public sealed class SqliteLeaseStore : ILeaseStore
{
    /// <summary>SQLite result codes: SQLITE_CORRUPT and SQLITE_NOTADB.</summary>
    private const int SqliteCorrupt = 11, SqliteNotADatabase = 26;

    private readonly LeaseTable _table = new();

    /// <summary>Guards the table and <see cref="_pending"/>: decisions and the order of their changes.</summary>
    private readonly Lock _lock = new();

    /// <summary>Serialises commits, so batches reach the database (and the subscribers) in the order they were decided.</summary>
    private readonly Lock _commitLock = new();

    /// <summary>Changes decided but not yet committed, in decision order (appended under <see cref="_lock"/>).</summary>
    private List<PendingWrite> _pending = [];

    /// <summary>The list the next commit swaps in (reused, so a commit allocates no list).</summary>
    private List<PendingWrite> _spare = [];

    private readonly SemaphoreSlim _signal = new(0);
    private int _signalled;
    private volatile bool _disposing;
    private readonly LeaseChangeFeed _feed = new();
    private readonly SqliteConnection _connection;
    private readonly Task _writer;
    private readonly SqliteLeaseStatements _statements;

    private SqliteLeaseStore(SqliteConnection connection)
    {
        _connection = connection;
        _statements = new SqliteLeaseStatements(connection);
        // Its own thread: a commit blocks on fsync, and a blocked pool thread would starve the receive loops when the
        // process has a single CPU (thread-pool minimum = processor count).
        _writer = Task.Factory.StartNew(WriteLoop, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
    }

    /// <summary>Opens (creating if needed) the database at <paramref name="path"/> and loads its leases.</summary>
    public static SqliteLeaseStore Open(string path)
    {
        var directory = Path.GetDirectoryName(Path.GetFullPath(path));
        if (directory is not null)
        {
            Directory.CreateDirectory(directory);
        }
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString());
        try
        {
            connection.Open();
            Execute(connection, "PRAGMA journal_mode=WAL;");
        }
        catch (SqliteException e) when (e.SqliteErrorCode is SqliteNotADatabase or SqliteCorrupt)
        {
            connection.Dispose();
            throw new LeaseDatabaseCorruptException(path, e.Message);
        }
        Execute(connection, "PRAGMA synchronous=FULL;");
        // The IPv6 store writes this file through its own connection: wait for its commit in SQLite's busy handler
        // (a millisecond or two), not in Microsoft.Data.Sqlite's retry, which sleeps 150 ms (an ACK delayed 150 ms).
        Execute(connection, $"PRAGMA busy_timeout={SqliteIpv6LeaseStore.BusyTimeoutMilliseconds};");
        // A damaged page would otherwise surface later, one failed ACK at a time: refuse to start on it instead.
        if (QuickCheck(connection) is { } damage)
        {
            connection.Dispose();
            throw new LeaseDatabaseCorruptException(path, damage);
        }
        try
        {
            // Fail now, with the reason, if the database cannot be written (SQLite opens a file on a read-only mount
            // read-only without a word): not at the first ACK. The probe is rolled back, so it needs no free space.
            Execute(connection, "BEGIN IMMEDIATE; CREATE TABLE netboot_write_probe(x); ROLLBACK;");
            SqliteLeaseSchema.Migrate(connection, path);
        }
        catch (Exception)
        {
            connection.Dispose();
            throw;
        }
        var store = new SqliteLeaseStore(connection);
        foreach (var lease in ReadAll(connection))
        {
            store._table.Put(lease);
        }
        return store;
    }

    /// <summary>Reads the leases of a database without serving (for <c>netboot leases</c>).</summary>
    public static IReadOnlyList<Lease> Read(string path)
    {
        using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString());
        connection.Open();
        return [.. ReadAll(connection).OrderBy(l => l.Address)];
    }

    public LeaseDecision Execute(Func<ILeaseView, DhcpOutcome> decide) => Decide(decide, wakeWriter: true);

    public LeaseDecision ExecuteDeferred(Func<ILeaseView, DhcpOutcome> decide) => Decide(decide, wakeWriter: false);

    public bool HasLease(ClientIdentity identity)
    {
        lock (_lock)
        {
            return _table.Find(identity) is not null;
        }
    }

    private LeaseDecision Decide(Func<ILeaseView, DhcpOutcome> decide, bool wakeWriter)
    {
        ArgumentNullException.ThrowIfNull(decide);
        Task durable;
        DhcpOutcome outcome;
        lock (_lock)
        {
            outcome = decide(_table);
            if (outcome.Change is not { } change)
            {
                return new LeaseDecision(outcome, Task.CompletedTask);
            }
            _table.Apply(change);
            // An offer hold lives in memory only: nothing to write, nothing to wait for.
            if (change is LeaseUpsert { Lease.State: LeaseState.Offered })
            {
                return new LeaseDecision(outcome, Task.CompletedTask);
            }
            durable = Enqueue(change);
        }
        if (wakeWriter)
        {
            WakeWriter();
        }
        return new LeaseDecision(outcome, durable);
    }

    public IReadOnlyList<Lease> Expire(DateTimeOffset now)
    {
        IReadOnlyList<Lease> bound;
        lock (_lock)
        {
            var expired = _table.Expired(now);
            foreach (var lease in expired)
            {
                _table.Remove(lease.Address);
                Enqueue(new LeaseRemoval(lease, lease.State == LeaseState.Bound ? LeaseEvent.Del : LeaseEvent.None));
            }
            bound = [.. expired.Where(l => l.State == LeaseState.Bound)];
        }
        WakeWriter();
        return bound;
    }

    public IReadOnlyList<Lease> Snapshot() => _table.SnapshotByAddress(_lock);

    public ChannelReader<LeaseChange> Subscribe() => _feed.Subscribe();

    /// <summary>Called on the writer thread when commits start failing (with the first error) and when one succeeds
    /// again (null): the host logs both, so a full disk or a read-only mount shows once, not once per ACK.</summary>
    public Action<Exception?>? WriteHealthChanged { get; set; }

    private Exception? _writeFault;

    private void ReportHealth(Exception? fault)
    {
        if ((fault is null) == (_writeFault is null))
        {
            return;
        }
        _writeFault = fault;
        try
        {
            WriteHealthChanged?.Invoke(fault);
        }
        catch (Exception)
        {
            // A logging failure must not stop the writer.
        }
    }

    public Task FlushAsync()
    {
        Task done;
        lock (_lock)
        {
            done = Enqueue(null);
        }
        WakeWriter();
        return done;
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
            _pending.Add(new PendingWrite(null, null, afterCommit));
        }
        WakeWriter();
    }

    /// <summary>Call with <see cref="_lock"/> held: the position in <see cref="_pending"/> is the commit order.</summary>
    private Task Enqueue(LeaseChange? change)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        if (_disposing)
        {
            done.SetException(new ObjectDisposedException(nameof(SqliteLeaseStore)));
        }
        else
        {
            _pending.Add(new PendingWrite(change, done, null));
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

    /// <summary>Commits everything pending in one transaction (one fsync), on the calling thread, then completes the
    /// changes' tasks and tells the subscribers.</summary>
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
            Exception? fault = null;
            try
            {
                Commit(batch);
                foreach (var pending in batch)
                {
                    pending.Done?.SetResult();
                }
                Publish(batch);
            }
            catch (Exception e)
            {
                // Not durable: the replies waiting on these changes must not be sent. The writer goes on: SQLite rolled
                // the transaction back, and the next batch tries again (a freed disk or a writable mount heals by itself).
                fault = e;
                foreach (var pending in batch)
                {
                    pending.Done?.SetException(e);
                }
            }
            // The batch's replies go now: each sends only if its change is durable.
            foreach (var pending in batch)
            {
                pending.AfterCommit?.Invoke();
            }
            batch.Clear();
            _spare = batch;
            ReportHealth(fault);
        }
    }

    private void Commit(List<PendingWrite> batch)
    {
        using var transaction = _connection.BeginTransaction();
        _statements.Enlist(transaction);
        foreach (var pending in batch)
        {
            switch (pending.Change)
            {
                case LeaseUpsert { Lease.State: not LeaseState.Offered } write:
                    foreach (var replaced in write.Replaces)
                    {
                        _statements.Delete(replaced);
                    }
                    // The client's row elsewhere, and another client's row on this address, go by the UNIQUE
                    // constraints (INSERT OR REPLACE): a client holds one address, an address one client.
                    _statements.Upsert(write.Lease);
                    break;
                case LeaseRemoval removal:
                    _statements.Delete(removal.Lease);
                    break;
            }
        }
        transaction.Commit();
    }

    private void Publish(List<PendingWrite> batch) => _feed.Publish(batch.Select(p => p.Change).OfType<LeaseChange>());

    private static IEnumerable<Lease> ReadAll(SqliteConnection connection)
    {
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT address, client, htype, hwaddr, client_id, hostname, expires, state FROM leases";
        using var reader = command.ExecuteReader();
        var leases = new List<Lease>();
        while (reader.Read())
        {
            var expires = reader.GetInt64(6);
            leases.Add(new Lease(
                new IPv4Address((uint)reader.GetInt64(0)),
                new ClientKey(reader.GetString(1)),
                new HardwareAddress((byte)reader.GetInt32(2), (byte[])reader[3]),
                [.. (byte[])reader[4]],
                reader.IsDBNull(5) ? null : reader.GetString(5),
                expires == long.MaxValue ? DateTimeOffset.MaxValue : DateTimeOffset.FromUnixTimeMilliseconds(expires),
                (LeaseState)reader.GetInt32(7)));
        }
        return leases;
    }

    /// <summary>SQLite's <c>quick_check</c>: null when the file is sound, else what is damaged.</summary>
    internal static string? QuickCheck(SqliteConnection connection)
    {
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA quick_check";
        try
        {
            using var reader = command.ExecuteReader();
            var lines = new List<string>();
            while (reader.Read() && lines.Count < 5)
            {
                lines.Add(reader.GetString(0));
            }
            return lines is ["ok"] ? null : string.Join("; ", lines);
        }
        catch (SqliteException e) when (e.SqliteErrorCode is SqliteNotADatabase or SqliteCorrupt)
        {
            return e.Message;
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
        _feed.Complete();
        _statements.Dispose();
        await _connection.DisposeAsync().ConfigureAwait(false);
        _signal.Dispose();
    }

    /// <summary>A change and its completion, or (<see cref="AfterCommit"/>) a callback to run after the commit.</summary>
    private sealed record PendingWrite(LeaseChange? Change, TaskCompletionSource? Done, Action? AfterCommit);
}

/// <summary>The lease database file is damaged (or not an SQLite database). NetBoot does not quarantine it by itself:
/// starting empty could give an address still leased to a client a second time, so an administrator decides.</summary>
public sealed class LeaseDatabaseCorruptException(string path, string detail)
    : IOException($"the lease database {path} is damaged ({detail}): stop NetBoot, move it aside (mv {path} {path}.corrupt; also {path}-wal and {path}-shm if present) and start again with an empty one; clients keep their addresses when they renew, and the dnsmasq-format lease file shows what was leased")
{
    public string DatabasePath { get; } = path;
}

using System.Collections.Immutable;
using System.Threading.Channels;
using System.Text;
using Microsoft.Data.Sqlite;
using SQLitePCL;
using NetBoot.Engine.Leases;
using NetBoot.Wire.Net;

namespace NetBoot.Leases;

/// <summary>The embedded lease store: the lease table in memory (what decisions read) and an SQLite database in WAL
/// mode with <c>synchronous=FULL</c> (what survives a crash). Changes wait in one list in decision order; a commit takes
/// the whole list into one transaction (group commit), so one fsync covers many ACKs. The writer thread commits; the
/// DHCP receive loop wakes it once per batch of datagrams (<see cref="ExecuteDeferred"/>, <see cref="CommitDeferred"/>)
/// and goes on receiving while the fsync runs, so the changes of the batches received meanwhile share the next one.</summary>
/// <remarks>Offer holds are not written: they are brief reservations (RFC 2131 §4.3.1 "SHOULD") and a crash forgets
/// them harmlessly. Bound and declined leases, and removals, are written.</remarks>
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
    /// <summary>Which client each row of the database belongs to, and where each client's row is: what the database
    /// holds, known without asking it (an index on the client column doubled the pages each commit writes). Only the
    /// committing thread uses them; after a failed commit they are read again from the database.</summary>
    private readonly Dictionary<uint, string> _rowClient = [];
    private readonly Dictionary<string, uint> _rowAddress = new(StringComparer.Ordinal);
    private bool _rowsStale;

    private sqlite3_stmt? _upsert;
    private sqlite3_stmt? _delete;

    private SqliteLeaseStore(SqliteConnection connection)
    {
        _connection = connection;
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
        Execute(connection, """
            PRAGMA journal_mode=WAL;
            PRAGMA synchronous=FULL;
            CREATE TABLE IF NOT EXISTS leases (
                address INTEGER PRIMARY KEY,
                client TEXT NOT NULL,
                htype INTEGER NOT NULL,
                hwaddr BLOB NOT NULL,
                client_id BLOB NOT NULL,
                hostname TEXT,
                expires INTEGER NOT NULL,
                state INTEGER NOT NULL);
            DROP INDEX IF EXISTS leases_client;
            """);
        // A damaged page would otherwise surface later, one failed ACK at a time: refuse to start on it instead.
        if (QuickCheck(connection) is { } damage)
        {
            connection.Dispose();
            throw new LeaseDatabaseCorruptException(path, damage);
        }
        // Fail now, with the reason, if the database cannot be written (SQLite opens a file on a read-only mount
        // read-only without a word): not at the first ACK. The probe is rolled back, so it needs no free space.
        try
        {
            Execute(connection, "BEGIN IMMEDIATE; CREATE TABLE netboot_write_probe(x); ROLLBACK;");
        }
        catch (SqliteException)
        {
            connection.Dispose();
            throw;
        }
        var store = new SqliteLeaseStore(connection);
        foreach (var lease in ReadAll(connection))
        {
            store._table.Put(lease);
        }
        store.LoadRows();
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
        try
        {
            if (_rowsStale)
            {
                LoadRows();
            }
            using var transaction = _connection.BeginTransaction();
            Prepare();
            foreach (var pending in batch)
            {
                switch (pending.Change)
                {
                    case LeaseUpsert { Lease.State: not LeaseState.Offered } write:
                        foreach (var replaced in write.Replaces)
                        {
                            DeleteRow(replaced);
                        }
                        Upsert(write.Lease);
                        break;
                    case LeaseRemoval removal:
                        DeleteRow(removal.Lease);
                        break;
                }
            }
            transaction.Commit();
        }
        catch
        {
            // Rolled back: the row maps may describe rows that were never written.
            _rowsStale = true;
            throw;
        }
    }

    /// <summary>Deletes <paramref name="lease"/>'s row if its client still holds the address.</summary>
    private void DeleteRow(Lease lease)
    {
        Run(_delete!, lease.Address, lease.Client);
        if (_rowClient.TryGetValue(lease.Address.Value, out var holder) && holder == lease.Client.Value)
        {
            _rowClient.Remove(lease.Address.Value);
            _rowAddress.Remove(holder);
        }
    }

    /// <summary>Reads which client holds which row, and removes any second row of a client (a client holds one
    /// address; the lease table kept the last one read, so the database keeps that one too).</summary>
    private void LoadRows()
    {
        _rowClient.Clear();
        _rowAddress.Clear();
        var extra = new List<long>();
        using (var command = _connection.CreateCommand())
        {
            command.CommandText = "SELECT address, client FROM leases ORDER BY address";
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                var address = (uint)reader.GetInt64(0);
                var client = reader.GetString(1);
                if (_rowAddress.Remove(client, out var earlier))
                {
                    _rowClient.Remove(earlier);
                    extra.Add(earlier);
                }
                _rowClient[address] = client;
                _rowAddress[client] = address;
            }
        }
        foreach (var address in extra)
        {
            using var command = _connection.CreateCommand();
            command.CommandText = "DELETE FROM leases WHERE address = $address";
            command.Parameters.AddWithValue("$address", address);
            command.ExecuteNonQuery();
        }
        _rowsStale = false;
    }

    /// <summary>A client holds one address: its row elsewhere goes, then the lease's row is written (replacing any row
    /// of another client on that address).</summary>
    private void Upsert(Lease lease)
    {
        var address = lease.Address.Value;
        var client = lease.Client.Value;
        if (_rowAddress.TryGetValue(client, out var previous) && previous != address)
        {
            Run(_delete!, new IPv4Address(previous), lease.Client);
            _rowClient.Remove(previous);
        }
        if (_rowClient.TryGetValue(address, out var displaced) && displaced != client)
        {
            _rowAddress.Remove(displaced);
        }
        WriteRow(lease);
        _rowClient[address] = client;
        _rowAddress[client] = address;
    }

    private void WriteRow(Lease lease)
    {
        var statement = _upsert!;
        Bind(statement, raw.sqlite3_bind_int64(statement, 1, lease.Address.Value));
        BindText(statement, 2, lease.Client.Value);
        Bind(statement, raw.sqlite3_bind_int(statement, 3, lease.HardwareAddress.HardwareType));
        Bind(statement, raw.sqlite3_bind_blob(statement, 4, lease.HardwareAddress.Bytes.AsSpan()));
        Bind(statement, raw.sqlite3_bind_blob(statement, 5, lease.ClientId.IsDefault ? [] : lease.ClientId.AsSpan()));
        if (lease.HostName is { } name)
        {
            BindText(statement, 6, name);
        }
        else
        {
            Bind(statement, raw.sqlite3_bind_null(statement, 6));
        }
        Bind(statement, raw.sqlite3_bind_int64(statement, 7, lease.IsInfinite ? long.MaxValue : lease.Expires.ToUnixTimeMilliseconds()));
        Bind(statement, raw.sqlite3_bind_int(statement, 8, (int)lease.State));
        Step(statement);
    }

    /// <summary>Runs a statement whose parameters are <c>?1</c> = address and <c>?2</c> = client.</summary>
    private void Run(sqlite3_stmt statement, IPv4Address address, ClientKey client)
    {
        Bind(statement, raw.sqlite3_bind_int64(statement, 1, address.Value));
        BindText(statement, 2, client.Value);
        Step(statement);
    }

    /// <summary>Binds UTF-8 text without a string-to-bytes allocation for the usual short values.</summary>
    private void BindText(sqlite3_stmt statement, int index, string text)
    {
        var length = Encoding.UTF8.GetMaxByteCount(text.Length);
        Span<byte> bytes = length <= 512 ? stackalloc byte[length] : new byte[length];
        var used = Encoding.UTF8.GetBytes(text, bytes);
        Bind(statement, raw.sqlite3_bind_text(statement, index, bytes[..used]));
    }

    private void Bind(sqlite3_stmt statement, int rc)
    {
        if (rc != raw.SQLITE_OK)
        {
            raw.sqlite3_reset(statement);
            SqliteException.ThrowExceptionForRC(rc, _connection.Handle);
        }
    }

    private void Step(sqlite3_stmt statement)
    {
        var rc = raw.sqlite3_step(statement);
        raw.sqlite3_reset(statement);
        if (rc != raw.SQLITE_DONE)
        {
            SqliteException.ThrowExceptionForRC(rc, _connection.Handle);
        }
    }

    /// <summary>The two statements, prepared once and bound by position (only the committing thread uses them, under
    /// the commit lock): binding by name through <see cref="SqliteCommand"/> cost more than the writes themselves.</summary>
    private void Prepare()
    {
        _upsert ??= PrepareOne("""
            INSERT OR REPLACE INTO leases (address, client, htype, hwaddr, client_id, hostname, expires, state)
            VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
            """);
        _delete ??= PrepareOne("DELETE FROM leases WHERE address = ?1 AND client = ?2");
    }

    private sqlite3_stmt PrepareOne(string sql)
    {
        var rc = raw.sqlite3_prepare_v2(_connection.Handle, sql, out var statement);
        if (rc != raw.SQLITE_OK)
        {
            statement?.Dispose();
            SqliteException.ThrowExceptionForRC(rc, _connection.Handle);
        }
        return statement ?? throw new InvalidOperationException($"SQLite prepared nothing for: {sql}");
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
    private static string? QuickCheck(SqliteConnection connection)
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
        _upsert?.Dispose();
        _delete?.Dispose();
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

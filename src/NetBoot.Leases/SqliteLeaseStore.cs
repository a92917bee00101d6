using System.Collections.Immutable;
using System.Threading.Channels;
using Microsoft.Data.Sqlite;
using NetBoot.Engine.Leases;
using NetBoot.Wire.Net;

namespace NetBoot.Leases;

/// <summary>The embedded lease store: the lease table in memory (what decisions read) and an SQLite database in WAL
/// mode with <c>synchronous=FULL</c> (what survives a crash). One writer loop batches the changes of every exchange
/// waiting at that moment into one transaction (group commit), so one fsync covers many ACKs.</summary>
/// <remarks>Offer holds are not written: they are brief reservations (RFC 2131 §4.3.1 "SHOULD") and a crash forgets
/// them harmlessly. Bound and declined leases, and removals, are written.</remarks>
public sealed class SqliteLeaseStore : ILeaseStore
{
    /// <summary>Largest batch in one transaction; more waiting changes go in the next one.</summary>
    private const int MaximumBatch = 4096;

    /// <summary>SQLite result codes: SQLITE_CORRUPT and SQLITE_NOTADB.</summary>
    private const int SqliteCorrupt = 11, SqliteNotADatabase = 26;

    private readonly LeaseTable _table = new();
    private readonly Lock _lock = new();
    private readonly Channel<PendingWrite> _writes = Channel.CreateUnbounded<PendingWrite>(new UnboundedChannelOptions { SingleReader = true });
    private readonly List<Channel<LeaseChange>> _subscribers = [];
    private readonly SqliteConnection _connection;
    private readonly Task _writer;

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
            CREATE INDEX IF NOT EXISTS leases_client ON leases(client);
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
        return store;
    }

    /// <summary>Reads the leases of a database without serving (for <c>netboot leases</c>).</summary>
    public static IReadOnlyList<Lease> Read(string path)
    {
        using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString());
        connection.Open();
        return [.. ReadAll(connection).OrderBy(l => l.Address)];
    }

    public LeaseDecision Execute(Func<ILeaseView, DhcpOutcome> decide)
    {
        ArgumentNullException.ThrowIfNull(decide);
        lock (_lock)
        {
            var outcome = decide(_table);
            if (outcome.Change is not { } change)
            {
                return new LeaseDecision(outcome, Task.CompletedTask);
            }
            _table.Apply(change);
            // An offer hold lives in memory only: nothing to write, nothing to wait for.
            return new LeaseDecision(outcome, change is LeaseUpsert { Lease.State: LeaseState.Offered } ? Task.CompletedTask : Persist(change));
        }
    }

    public IReadOnlyList<Lease> Expire(DateTimeOffset now)
    {
        lock (_lock)
        {
            var expired = _table.Expired(now);
            foreach (var lease in expired)
            {
                _table.Remove(lease.Address);
                Persist(new LeaseRemoval(lease, lease.State == LeaseState.Bound ? LeaseEvent.Del : LeaseEvent.None));
            }
            return [.. expired.Where(l => l.State == LeaseState.Bound)];
        }
    }

    public IReadOnlyList<Lease> Snapshot()
    {
        Lease[] copy;
        lock (_lock)
        {
            copy = [.. _table.All];
        }
        // Sorted outside the lock: decisions wait only for the copy.
        Array.Sort(copy, (a, b) => a.Address.CompareTo(b.Address));
        return copy;
    }

    public ChannelReader<LeaseChange> Subscribe()
    {
        var channel = Channel.CreateUnbounded<LeaseChange>(new UnboundedChannelOptions { SingleReader = true });
        lock (_subscribers)
        {
            _subscribers.Add(channel);
        }
        return channel.Reader;
    }

    public Task FlushAsync() => Persist(null);

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

    private Task Persist(LeaseChange? change)
    {
        var pending = new PendingWrite(change, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
        if (!_writes.Writer.TryWrite(pending))
        {
            pending.Done.SetException(new ObjectDisposedException(nameof(SqliteLeaseStore)));
        }
        return pending.Done.Task;
    }

    private void WriteLoop()
    {
        var batch = new List<PendingWrite>();
        while (_writes.Reader.WaitToReadAsync().AsTask().GetAwaiter().GetResult())
        {
            while (batch.Count < MaximumBatch && _writes.Reader.TryRead(out var pending))
            {
                batch.Add(pending);
            }
            try
            {
                Commit(batch);
            }
            catch (Exception e)
            {
                // Not durable: the replies waiting on these changes must not be sent. The writer goes on: SQLite rolled
                // the transaction back, and the next batch tries again (a freed disk or a writable mount heals by itself).
                foreach (var pending in batch)
                {
                    pending.Done.SetException(e);
                }
                batch.Clear();
                ReportHealth(e);
                continue;
            }
            foreach (var pending in batch)
            {
                pending.Done.SetResult();
            }
            Publish(batch);
            batch.Clear();
            ReportHealth(null);
        }
    }

    private void Commit(List<PendingWrite> batch)
    {
        using var transaction = _connection.BeginTransaction();
        using var upsert = _connection.CreateCommand();
        upsert.Transaction = transaction;
        upsert.CommandText = """
            DELETE FROM leases WHERE client = $client AND address <> $address;
            INSERT OR REPLACE INTO leases (address, client, htype, hwaddr, client_id, hostname, expires, state)
            VALUES ($address, $client, $htype, $hwaddr, $client_id, $hostname, $expires, $state);
            """;
        var parameters = new[] { "$address", "$client", "$htype", "$hwaddr", "$client_id", "$hostname", "$expires", "$state" }
            .Select(name => upsert.Parameters.Add(new SqliteParameter { ParameterName = name }))
            .ToArray();
        using var delete = _connection.CreateCommand();
        delete.Transaction = transaction;
        delete.CommandText = "DELETE FROM leases WHERE address = $address AND client = $client";
        var deleteAddress = delete.Parameters.Add(new SqliteParameter { ParameterName = "$address" });
        var deleteClient = delete.Parameters.Add(new SqliteParameter { ParameterName = "$client" });
        foreach (var change in batch.Select(p => p.Change))
        {
            switch (change)
            {
                case LeaseUpsert { Lease.State: not LeaseState.Offered } write:
                    var lease = write.Lease;
                    parameters[0].Value = (long)lease.Address.Value;
                    parameters[1].Value = lease.Client.Value;
                    parameters[2].Value = (int)lease.HardwareAddress.HardwareType;
                    parameters[3].Value = lease.HardwareAddress.Bytes.ToArray();
                    parameters[4].Value = lease.ClientId.IsDefault ? Array.Empty<byte>() : lease.ClientId.ToArray();
                    parameters[5].Value = (object?)lease.HostName ?? DBNull.Value;
                    parameters[6].Value = lease.IsInfinite ? long.MaxValue : lease.Expires.ToUnixTimeMilliseconds();
                    parameters[7].Value = (int)lease.State;
                    upsert.ExecuteNonQuery();
                    break;
                case LeaseRemoval removal:
                    deleteAddress.Value = (long)removal.Lease.Address.Value;
                    deleteClient.Value = removal.Lease.Client.Value;
                    delete.ExecuteNonQuery();
                    break;
            }
        }
        transaction.Commit();
    }

    private void Publish(List<PendingWrite> batch)
    {
        lock (_subscribers)
        {
            foreach (var change in batch.Select(p => p.Change).OfType<LeaseChange>())
            {
                foreach (var subscriber in _subscribers)
                {
                    subscriber.Writer.TryWrite(change);
                }
            }
        }
    }

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
        _writes.Writer.TryComplete();
        await _writer.ConfigureAwait(false);
        lock (_subscribers)
        {
            foreach (var subscriber in _subscribers)
            {
                subscriber.Writer.TryComplete();
            }
        }
        await _connection.DisposeAsync().ConfigureAwait(false);
    }

    private sealed record PendingWrite(LeaseChange? Change, TaskCompletionSource Done);
}

/// <summary>The lease database file is damaged (or not an SQLite database). NetBoot does not quarantine it by itself:
/// starting empty could give an address still leased to a client a second time, so an administrator decides.</summary>
public sealed class LeaseDatabaseCorruptException(string path, string detail)
    : IOException($"the lease database {path} is damaged ({detail}): stop NetBoot, move it aside (mv {path} {path}.corrupt; also {path}-wal and {path}-shm if present) and start again with an empty one; clients keep their addresses when they renew, and the dnsmasq-format lease file shows what was leased")
{
    public string DatabasePath { get; } = path;
}

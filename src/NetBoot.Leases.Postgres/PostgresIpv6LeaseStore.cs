using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using NetBoot.Engine.Dhcp6;
using NetBoot.Engine.Leases;
using NetBoot.Wire.Dhcp6;
using NetBoot.Wire.Net;
using Npgsql;
using NpgsqlTypes;

namespace NetBoot.Leases.Postgres;

/// <summary>The shared IPv6 (IA_NA) lease store: a cache of <c>netboot_leases6</c> that decisions read, and a writer
/// that commits the queued changes in one transaction per batch (group commit). The table decides who holds an address:
/// a write takes it only from its own DUID+IAID or an expired holder, else the decision's
/// <see cref="Ipv6LeaseDecision.Durable"/> fails with <see cref="LeaseConflictException"/> (no REPLY) and the address is
/// re-read. Other servers' commits reach the cache by LISTEN/NOTIFY (channel <see cref="NotifyChannel"/>), and a full
/// reload every <see cref="PostgresLeaseStore.ResyncInterval"/> repairs a lost notification.</summary>
/// <remarks>While the database cannot be reached (a commit or a reload failed), leasing pauses
/// (<see cref="DurabilityRule.NeedsDurableStore(Dhcp6Outcome)"/>): no ADVERTISE or REPLY about addresses, since neither
/// could be made durable and the view may be stale; the sync loop reconnects with backoff and reloads the table.
/// Offers are not written, as with DHCPv4. A reload holds the commit gate, so that it sees every commit of this server
/// either in the table or still queued (those addresses keep the cache's newer value).</remarks>
public sealed class PostgresIpv6LeaseStore : IIpv6LeaseStore
{
    public const string NotifyChannel = "netboot_leases6";

    /// <summary>PostgreSQL's notification payload limit is 8000 bytes: a payload is cut before it.</summary>
    private const int NotifyPayloadLimit = 7900;

    private const string Columns = "address, duid, iaid, preferred, valid, expires, state";

    private static readonly TimeSpan PausedLogInterval = TimeSpan.FromSeconds(30);

    private readonly NpgsqlDataSource _dataSource;
    private readonly string _name;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly bool _migrate;

    /// <summary>Guards the view, the queue, the in-flight counts and the availability.</summary>
    private readonly Lock _lock = new();
    private Ipv6LeaseTable _table = new();
    private List<PendingWrite> _pending = [];

    /// <summary>Addresses with changes decided but not yet settled by the writer: a reload leaves them alone.</summary>
    private readonly Dictionary<IPv6Address, int> _inflight = [];

    /// <summary>Server DUIDs handed out while the database was out of reach, to store when it is back.</summary>
    private readonly List<(string Server, Duid Duid, bool Replace)> _unstoredDuids = [];
    private bool _available;
    private bool _schemaReady;
    private int _paused;
    private DateTimeOffset _nextPausedLog = DateTimeOffset.MinValue;

    /// <summary>Held by a commit and by a reload: a reload never sees a commit half settled.</summary>
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly SemaphoreSlim _signal = new(0);
    private int _signalled;
    private volatile bool _disposing;

    /// <summary>Addresses to re-read (lost races, other servers' notifications); <see cref="IPv6Address.Any"/> asks for a
    /// full reload.</summary>
    private readonly Channel<IPv6Address> _stale = Channel.CreateUnbounded<IPv6Address>(new UnboundedChannelOptions { SingleReader = true });
    private readonly CancellationTokenSource _stop = new();
    private Task _writer = Task.CompletedTask, _sync = Task.CompletedTask, _listener = Task.CompletedTask;

    private PostgresIpv6LeaseStore(NpgsqlDataSource dataSource, string name, ILogger logger, TimeProvider time, bool migrate)
    {
        _dataSource = dataSource;
        _name = name;
        _logger = logger;
        _time = time;
        _migrate = migrate;
        Origin = $"{Environment.MachineName}/{Environment.ProcessId}/{Guid.NewGuid().ToString("N")[..8]}";
    }

    /// <summary>This server's id in <c>updated_by</c> and in notifications (its own are ignored).</summary>
    public string Origin { get; }

    /// <summary>False while the database cannot be used: DHCPv6 leasing pauses until it is back.</summary>
    public bool IsAvailable
    {
        get
        {
            lock (_lock)
            {
                return _available;
            }
        }
    }

    /// <summary>Checks (or, with <paramref name="migrate"/>, brings up to date) the schema, loads the IPv6 leases and
    /// starts the writer, the listener and the periodic reload; throws when the database cannot be used. Takes ownership
    /// of <paramref name="dataSource"/> when it returns.</summary>
    public static async Task<PostgresIpv6LeaseStore> OpenAsync(NpgsqlDataSource dataSource, string name, ILogger logger, TimeProvider time, bool migrate, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(dataSource);
        var store = new PostgresIpv6LeaseStore(dataSource, name, logger, time, migrate);
        try
        {
            var count = await store.ConnectAsync(cancellationToken).ConfigureAwait(false);
            PostgresLog.Opened6(logger, name, count, store.Origin);
            var listening = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            store.Start(listening);
            // Changes committed between the load and LISTEN would be missed until the next reload: wait, then reload.
            await listening.Task.WaitAsync(TimeSpan.FromSeconds(10), cancellationToken).ConfigureAwait(false);
            await store.ReloadAsync(null, cancellationToken).ConfigureAwait(false);
            return store;
        }
        catch
        {
            await store.StopAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>As <see cref="OpenAsync"/>, but a database that cannot be reached now does not stop the server: the store
    /// starts empty and unavailable (DHCPv6 leasing paused), logs why, and keeps connecting with backoff. Errors a retry
    /// cannot mend (authentication, no such database, a schema this NetBoot cannot use) still throw.</summary>
    public static async Task<PostgresIpv6LeaseStore> OpenOrWaitAsync(NpgsqlDataSource dataSource, string name, ILogger logger, TimeProvider time, bool migrate, CancellationToken cancellationToken)
    {
        try
        {
            return await OpenAsync(dataSource, name, logger, time, migrate, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (PostgresLeaseStore.IsUnreachable(e) && !cancellationToken.IsCancellationRequested)
        {
            var store = new PostgresIpv6LeaseStore(dataSource, name, logger, time, migrate);
            PostgresLog.UnavailableAtStart6(logger, name, e.Message, PostgresReconciler.MaximumBackoff.TotalSeconds);
            store.Start(new TaskCompletionSource());
            return store;
        }
    }

    /// <summary>Migrates when allowed, checks the schema version and loads the table; the number of leases.</summary>
    private async Task<int> ConnectAsync(CancellationToken cancellationToken)
    {
        if (!_schemaReady)
        {
            if (_migrate)
            {
                var (from, to) = await PostgresSchema.MigrateAsync(_dataSource, cancellationToken).ConfigureAwait(false);
                if (from != to)
                {
                    PostgresLog.Migrated(_logger, _name, from, to);
                }
            }
            int version;
            await using (var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false))
            {
                version = await PostgresSchema.VersionAsync(connection, cancellationToken).ConfigureAwait(false);
            }
            if (version != PostgresSchema.CurrentVersion)
            {
                throw new InvalidOperationException(version < PostgresSchema.CurrentVersion
                    ? $"the lease database has schema version {version}, this NetBoot needs {PostgresSchema.CurrentVersion}: run 'netboot db migrate' (or let serve migrate it)"
                    : $"the lease database has schema version {version}, newer than this NetBoot knows ({PostgresSchema.CurrentVersion}): upgrade NetBoot");
            }
            _schemaReady = true;
        }
        var count = await ReloadAsync(null, cancellationToken).ConfigureAwait(false);
        lock (_lock)
        {
            _available = true;
        }
        return count;
    }

    private void Start(TaskCompletionSource listening)
    {
        _writer = Task.Run(WriteLoopAsync, CancellationToken.None);
        _sync = Task.Run(() => SyncLoopAsync(_stop.Token), CancellationToken.None);
        _listener = Task.Run(() => ListenLoopAsync(listening, _stop.Token), CancellationToken.None);
    }

    public Ipv6LeaseDecision Execute(Func<IIpv6LeaseView, Dhcp6Outcome> decide)
    {
        ArgumentNullException.ThrowIfNull(decide);
        Task durable;
        Dhcp6Outcome outcome;
        lock (_lock)
        {
            outcome = decide(_table);
            if (!_available && DurabilityRule.NeedsDurableStore(outcome))
            {
                outcome = Paused();
                return new Ipv6LeaseDecision(outcome, Task.CompletedTask);
            }
            _table.Apply(outcome.Changes);
            var stored = outcome.Changes.Where(c => c is not Ipv6LeaseUpsert { Lease.State: Ipv6LeaseState.Offered })
                .Select(c => new Write(c, null)).ToList();
            if (stored.Count == 0)
            {
                return new Ipv6LeaseDecision(outcome, Task.CompletedTask);
            }
            durable = Enqueue(stored);
        }
        WakeWriter();
        return new Ipv6LeaseDecision(outcome, durable);
    }

    /// <summary>Call with <see cref="_lock"/> held: counts the request left unanswered, logs the count at most once per
    /// <see cref="PausedLogInterval"/>, and returns the silence.</summary>
    private Dhcp6Outcome Paused()
    {
        _paused++;
        var now = _time.GetUtcNow();
        if (now >= _nextPausedLog)
        {
            PostgresLog.Paused(_logger, _paused, _name, PausedLogInterval.TotalSeconds);
            _paused = 0;
            _nextPausedLog = now + PausedLogInterval;
        }
        return new Dhcp6Outcome(new Dhcp6Drop(Dhcp6DropReason.LeaseStoreUnavailable,
            new Dhcp6Silence(Dhcp6SilenceReason.LeaseStoreUnavailable) { Database = _name }));
    }

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
            _table.Apply(expired.Select(l => new Ipv6LeaseRemoval(l)));
            // Deleted only if still expired in the table: another server may have renewed it a moment ago.
            var stored = expired.Where(l => l.State != Ipv6LeaseState.Offered).Select(l => new Write(new Ipv6LeaseRemoval(l), now)).ToList();
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

    /// <summary>The stored DUID of <paramref name="serverName"/>; when there is none (or <paramref name="replace"/>),
    /// <paramref name="create"/>'s, stored first. Two servers of one name starting together agree on the first one
    /// stored. When the database cannot be reached (a server started during an outage), <paramref name="create"/>'s is
    /// used for now and stored when the database is back, unless one is stored by then (logged: clients bound under
    /// the stored DUID rebind).</summary>
    public Duid ServerDuid(string serverName, Func<Duid> create, bool replace)
    {
        ArgumentNullException.ThrowIfNull(serverName);
        ArgumentNullException.ThrowIfNull(create);
        Duid? created = null;
        Duid Create() => created ??= create();
        try
        {
            using var connection = _dataSource.OpenConnection();
            if (!replace && ReadServerDuid(connection, serverName) is { } stored)
            {
                return stored;
            }
            using (var write = ServerDuidWrite(connection, serverName, Create(), replace))
            {
                write.ExecuteNonQuery();
            }
            return replace ? Create() : ReadServerDuid(connection, serverName) ?? Create();
        }
        catch (Exception e) when (PostgresLeaseStore.IsUnreachable(e))
        {
            var duid = Create();
            lock (_lock)
            {
                _unstoredDuids.Add((serverName, duid, replace));
            }
            PostgresLog.ServerDuidUnstored(_logger, _name, serverName, duid.ToString(), e.Message);
            // The sync loop stores it once it has reconnected.
            MarkUnavailable(e);
            return duid;
        }
    }

    private static NpgsqlCommand ServerDuidWrite(NpgsqlConnection connection, string serverName, Duid duid, bool replace)
    {
        var write = new NpgsqlCommand(replace
            ? "INSERT INTO netboot_server_duids (server, duid) VALUES ($1, $2) ON CONFLICT (server) DO UPDATE SET duid = EXCLUDED.duid"
            : "INSERT INTO netboot_server_duids (server, duid) VALUES ($1, $2) ON CONFLICT (server) DO NOTHING", connection);
        write.Parameters.Add(new NpgsqlParameter { Value = serverName, NpgsqlDbType = NpgsqlDbType.Text });
        write.Parameters.Add(new NpgsqlParameter { Value = duid.Bytes.ToArray(), NpgsqlDbType = NpgsqlDbType.Bytea });
        return write;
    }

    /// <summary>Stores the DUIDs <see cref="ServerDuid"/> handed out while the database was out of reach.</summary>
    private async Task StoreUnstoredDuidsAsync(CancellationToken cancellationToken)
    {
        List<(string Server, Duid Duid, bool Replace)> unstored;
        lock (_lock)
        {
            unstored = [.. _unstoredDuids];
        }
        if (unstored.Count == 0)
        {
            return;
        }
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        foreach (var (server, duid, replace) in unstored)
        {
            await using var write = ServerDuidWrite(connection, server, duid, replace);
            await write.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
        lock (_lock)
        {
            _unstoredDuids.RemoveRange(0, unstored.Count);
        }
    }

    private static Duid? ReadServerDuid(NpgsqlConnection connection, string serverName)
    {
        using var read = new NpgsqlCommand("SELECT duid FROM netboot_server_duids WHERE server = $1", connection);
        read.Parameters.Add(new NpgsqlParameter { Value = serverName, NpgsqlDbType = NpgsqlDbType.Text });
        return read.ExecuteScalar() is byte[] bytes && Duid.TryRead(bytes, out var duid) ? duid : null;
    }

    /// <summary>Every IPv6 lease in the database (for <c>netboot leases</c>), ordered by address; none when the schema
    /// has no IPv6 table yet.</summary>
    public static async Task<IReadOnlyList<Ipv6Lease>> ReadAllAsync(NpgsqlDataSource dataSource, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(dataSource);
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var command = new NpgsqlCommand("SELECT to_regclass('netboot_leases6') IS NOT NULL", connection);
        if (!(bool)(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!)
        {
            return [];
        }
        command.CommandText = $"SELECT {Columns} FROM netboot_leases6 ORDER BY address";
        return await ReadRowsAsync(command, cancellationToken).ConfigureAwait(false);
    }

    private static async Task<List<Ipv6Lease>> ReadRowsAsync(NpgsqlCommand command, CancellationToken cancellationToken)
    {
        var leases = new List<Ipv6Lease>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            var address = (byte[])reader[0];
            if (address.Length != IPv6Address.Length || !Duid.TryRead((byte[])reader[1], out var duid))
            {
                // Not written by NetBoot: skipping it would let the address be given out again, so refuse to go on.
                throw new InvalidOperationException($"netboot_leases6 holds a row with an address of {address.Length} bytes or an invalid DUID: delete or mend it (SELECT * FROM netboot_leases6 WHERE octet_length(address) <> 16)");
            }
            var expires = reader.GetInt64(5);
            leases.Add(new Ipv6Lease(duid, (uint)reader.GetInt64(2), IPv6Address.FromBytes(address), FromMilliseconds(reader.GetInt64(3)),
                FromMilliseconds(reader.GetInt64(4)), expires == long.MaxValue ? DateTimeOffset.MaxValue : DateTimeOffset.FromUnixTimeMilliseconds(expires),
                (Ipv6LeaseState)reader.GetInt16(6)));
        }
        return leases;
    }

    private static long Milliseconds(TimeSpan span) => span == TimeSpan.MaxValue ? long.MaxValue : (long)span.TotalMilliseconds;

    private static TimeSpan FromMilliseconds(long value) => value == long.MaxValue ? TimeSpan.MaxValue : TimeSpan.FromMilliseconds(value);

    private static long UnixMilliseconds(DateTimeOffset time) => time == DateTimeOffset.MaxValue ? long.MaxValue : time.ToUnixTimeMilliseconds();

    /// <summary>Call with <see cref="_lock"/> held: the position in <see cref="_pending"/> is the commit order.</summary>
    private Task Enqueue(List<Write> writes)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        if (_disposing)
        {
            done.SetException(new ObjectDisposedException(nameof(PostgresIpv6LeaseStore)));
            return done.Task;
        }
        foreach (var write in writes)
        {
            _inflight[write.Change.Lease.Address] = _inflight.GetValueOrDefault(write.Change.Lease.Address) + 1;
        }
        _pending.Add(new PendingWrite(writes, done));
        return done.Task;
    }

    private void WakeWriter()
    {
        if (Interlocked.Exchange(ref _signalled, 1) == 0)
        {
            _signal.Release();
        }
    }

    private async Task WriteLoopAsync()
    {
        while (true)
        {
            await _signal.WaitAsync().ConfigureAwait(false);
            Volatile.Write(ref _signalled, 0);
            await CommitPendingAsync().ConfigureAwait(false);
            if (_disposing)
            {
                await CommitPendingAsync().ConfigureAwait(false);
                return;
            }
        }
    }

    private async Task CommitPendingAsync()
    {
        await _gate.WaitAsync().ConfigureAwait(false);
        try
        {
            List<PendingWrite> batch;
            lock (_lock)
            {
                if (_pending.Count == 0)
                {
                    return;
                }
                batch = _pending;
                _pending = [];
            }
            Exception? fault = null;
            HashSet<IPv6Address> refused = [];
            try
            {
                refused = await CommitAsync(batch).ConfigureAwait(false);
            }
            catch (Exception e)
            {
                fault = e;
            }
            lock (_lock)
            {
                foreach (var address in batch.SelectMany(p => p.Writes).Select(w => w.Change.Lease.Address))
                {
                    if (_inflight.TryGetValue(address, out var count) && count > 1)
                    {
                        _inflight[address] = count - 1;
                    }
                    else
                    {
                        _inflight.Remove(address);
                    }
                }
            }
            if (fault is not null)
            {
                // Not durable, and the view now holds changes the table may not: pause leasing until a reload.
                MarkUnavailable(fault);
                foreach (var pending in batch)
                {
                    pending.Done.SetException(fault);
                }
                return;
            }
            foreach (var pending in batch)
            {
                var lost = pending.Writes.Where(w => w.Change is Ipv6LeaseUpsert && refused.Contains(w.Change.Lease.Address)).ToList();
                if (lost.Count == 0)
                {
                    pending.Done.SetResult();
                    continue;
                }
                foreach (var write in lost)
                {
                    PostgresLog.Conflict6(_logger, write.Change.Lease.Address.ToString(), write.Change.Lease.Duid.ToString(), write.Change.Lease.Iaid);
                    _stale.Writer.TryWrite(write.Change.Lease.Address);
                }
                pending.Done.SetException(new LeaseConflictException(
                    $"{string.Join(", ", lost.Select(w => w.Change.Lease.Address))} held by another client in the shared lease database"));
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>One transaction for the whole batch (an NpgsqlBatch runs as one implicit transaction), in address order so
    /// that two servers lock rows in the same order, with one notification for the others; the addresses whose upsert
    /// the table refused.</summary>
    private async Task<HashSet<IPv6Address>> CommitAsync(List<PendingWrite> batch)
    {
        var writes = batch.SelectMany(p => p.Writes).OrderBy(w => w.Change.Lease.Address).ToList();
        var refused = new HashSet<IPv6Address>();
        if (writes.Count == 0)
        {
            return refused;
        }
        var now = _time.GetUtcNow().ToUnixTimeMilliseconds();
        await using var connection = await _dataSource.OpenConnectionAsync().ConfigureAwait(false);
        await using var command = new NpgsqlBatch(connection);
        foreach (var write in writes)
        {
            command.BatchCommands.Add(ToCommand(write, now));
        }
        foreach (var payload in NotifyPayloads(Origin, writes.Select(w => w.Change.Lease.Address).Distinct()))
        {
            var notify = new NpgsqlBatchCommand($"SELECT count(*)::int > 0 FROM pg_notify('{NotifyChannel}', $1)");
            notify.Parameters.Add(new NpgsqlParameter { Value = payload, NpgsqlDbType = NpgsqlDbType.Text });
            command.BatchCommands.Add(notify);
        }
        await using var reader = await command.ExecuteReaderAsync().ConfigureAwait(false);
        foreach (var write in writes)
        {
            await reader.ReadAsync().ConfigureAwait(false);
            if (write.Change is Ipv6LeaseUpsert && !reader.GetBoolean(0))
            {
                refused.Add(write.Change.Lease.Address);
            }
            await reader.NextResultAsync().ConfigureAwait(false);
        }
        return refused;
    }

    private NpgsqlBatchCommand ToCommand(Write write, long now)
    {
        var lease = write.Change.Lease;
        if (write.Change is Ipv6LeaseUpsert)
        {
            // The address's row is taken only from its own DUID+IAID or an expired holder; ON CONFLICT locks it, so two
            // servers writing one address serialise here and the second sees the first's row.
            var put = new NpgsqlBatchCommand($"""
                WITH put AS (
                    INSERT INTO netboot_leases6 ({Columns}, updated_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
                    ON CONFLICT (address) DO UPDATE SET duid = EXCLUDED.duid, iaid = EXCLUDED.iaid, preferred = EXCLUDED.preferred,
                        valid = EXCLUDED.valid, expires = EXCLUDED.expires, state = EXCLUDED.state, updated_by = EXCLUDED.updated_by
                    WHERE (netboot_leases6.duid = EXCLUDED.duid AND netboot_leases6.iaid = EXCLUDED.iaid) OR netboot_leases6.expires <= $9
                    RETURNING 1)
                SELECT count(*) > 0 FROM put
                """);
            put.Parameters.Add(new NpgsqlParameter { Value = lease.Address.ToBytes(), NpgsqlDbType = NpgsqlDbType.Bytea });
            put.Parameters.Add(new NpgsqlParameter { Value = lease.Duid.Bytes.ToArray(), NpgsqlDbType = NpgsqlDbType.Bytea });
            put.Parameters.Add(new NpgsqlParameter { Value = (long)lease.Iaid, NpgsqlDbType = NpgsqlDbType.Bigint });
            put.Parameters.Add(new NpgsqlParameter { Value = Milliseconds(lease.PreferredLifetime), NpgsqlDbType = NpgsqlDbType.Bigint });
            put.Parameters.Add(new NpgsqlParameter { Value = Milliseconds(lease.ValidLifetime), NpgsqlDbType = NpgsqlDbType.Bigint });
            put.Parameters.Add(new NpgsqlParameter { Value = UnixMilliseconds(lease.Expires), NpgsqlDbType = NpgsqlDbType.Bigint });
            put.Parameters.Add(new NpgsqlParameter { Value = (short)lease.State, NpgsqlDbType = NpgsqlDbType.Smallint });
            put.Parameters.Add(new NpgsqlParameter { Value = Origin, NpgsqlDbType = NpgsqlDbType.Text });
            put.Parameters.Add(new NpgsqlParameter { Value = now, NpgsqlDbType = NpgsqlDbType.Bigint });
            return put;
        }
        var delete = new NpgsqlBatchCommand(
            "WITH gone AS (DELETE FROM netboot_leases6 WHERE address = $1 AND duid = $2 AND iaid = $3 AND expires <= $4 RETURNING 1) SELECT count(*) > 0 FROM gone");
        delete.Parameters.Add(new NpgsqlParameter { Value = lease.Address.ToBytes(), NpgsqlDbType = NpgsqlDbType.Bytea });
        delete.Parameters.Add(new NpgsqlParameter { Value = lease.Duid.Bytes.ToArray(), NpgsqlDbType = NpgsqlDbType.Bytea });
        delete.Parameters.Add(new NpgsqlParameter { Value = (long)lease.Iaid, NpgsqlDbType = NpgsqlDbType.Bigint });
        delete.Parameters.Add(new NpgsqlParameter
        {
            Value = write.ExpiredBefore is { } before ? before.ToUnixTimeMilliseconds() : long.MaxValue,
            NpgsqlDbType = NpgsqlDbType.Bigint,
        });
        return delete;
    }

    /// <summary><c>origin hex,hex,…</c> (32 hex digits an address), split to stay under PostgreSQL's payload limit.</summary>
    internal static IEnumerable<string> NotifyPayloads(string origin, IEnumerable<IPv6Address> addresses)
    {
        var text = new System.Text.StringBuilder(origin).Append(' ');
        var empty = text.Length;
        foreach (var address in addresses)
        {
            if (text.Length > NotifyPayloadLimit)
            {
                yield return text.ToString(0, text.Length - 1);
                text.Length = empty;
            }
            text.Append(Convert.ToHexStringLower(address.ToBytes())).Append(',');
        }
        if (text.Length > empty)
        {
            yield return text.ToString(0, text.Length - 1);
        }
    }

    /// <summary>Re-reads <paramref name="addresses"/> (all when null) under the commit gate and puts the table's rows in
    /// the view, except where this server has a change still queued; local offer holds stay unless the table gives the
    /// address to someone. The number of rows read.</summary>
    private async Task<int> ReloadAsync(IReadOnlyCollection<IPv6Address>? addresses, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            List<Ipv6Lease> rows;
            await using (var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false))
            await using (var command = new NpgsqlCommand($"SELECT {Columns} FROM netboot_leases6", connection))
            {
                if (addresses is not null)
                {
                    command.CommandText += " WHERE address = ANY($1)";
                    command.Parameters.Add(new NpgsqlParameter { Value = addresses.Select(a => a.ToBytes()).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Bytea });
                }
                rows = await ReadRowsAsync(command, cancellationToken).ConfigureAwait(false);
            }
            lock (_lock)
            {
                var byAddress = rows.ToDictionary(r => r.Address);
                var scope = addresses ?? [.. _table.All.Select(l => l.Address).Union(byAddress.Keys)];
                var changes = new List<Ipv6LeaseChange>();
                foreach (var address in scope)
                {
                    if (_inflight.ContainsKey(address))
                    {
                        continue;
                    }
                    if (byAddress.TryGetValue(address, out var row))
                    {
                        changes.Add(new Ipv6LeaseUpsert(row));
                    }
                    else if (_table.ByAddress(address) is { State: not Ipv6LeaseState.Offered } gone)
                    {
                        changes.Add(new Ipv6LeaseRemoval(gone));
                    }
                }
                _table.Apply(changes);
            }
            return rows.Count;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>The database cannot be used: pause leasing (logged once per outage) and let the sync loop reconnect.</summary>
    private void MarkUnavailable(Exception e)
    {
        lock (_lock)
        {
            if (_available)
            {
                // Written before leasing is seen paused: whoever finds IsAvailable false finds the reason too.
                PostgresLog.Unavailable6(_logger, _name, e.Message, PostgresReconciler.MaximumBackoff.TotalSeconds);
            }
            _available = false;
        }
        _stale.Writer.TryWrite(IPv6Address.Any);
    }

    /// <summary>Reloads the addresses asked for (a lost race, another server's notification), the whole table every
    /// <see cref="PostgresLeaseStore.ResyncInterval"/>, and while unavailable reconnects with backoff.</summary>
    private async Task SyncLoopAsync(CancellationToken stop)
    {
        var backoff = PostgresReconciler.MinimumBackoff;
        var addresses = new HashSet<IPv6Address>();
        while (!stop.IsCancellationRequested)
        {
            try
            {
                if (!IsAvailable)
                {
                    var count = await ConnectAsync(stop).ConfigureAwait(false);
                    PostgresLog.Reconnected6(_logger, _name, count);
                    await StoreUnstoredDuidsAsync(stop).ConfigureAwait(false);
                    backoff = PostgresReconciler.MinimumBackoff;
                    addresses.Clear();
                    continue;
                }
                var full = false;
                using (var wait = new CancellationTokenSource(PostgresLeaseStore.ResyncInterval, _time))
                using (var linked = CancellationTokenSource.CreateLinkedTokenSource(stop, wait.Token))
                {
                    try
                    {
                        await _stale.Reader.WaitToReadAsync(linked.Token).ConfigureAwait(false);
                    }
                    catch (OperationCanceledException) when (!stop.IsCancellationRequested)
                    {
                        full = true;
                    }
                }
                while (_stale.Reader.TryRead(out var address))
                {
                    full |= address.IsZero;
                    addresses.Add(address);
                }
                await ReloadAsync(full ? null : addresses, stop).ConfigureAwait(false);
                addresses.Clear();
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is NpgsqlException or TimeoutException or IOException or InvalidOperationException)
            {
                MarkUnavailable(e);
                try
                {
                    await Task.Delay(backoff, _time, stop).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
                backoff = PostgresReconciler.Longer(backoff);
            }
        }
    }

    /// <summary>LISTENs for other servers' commits and asks the sync loop to re-read their addresses; after a lost
    /// connection, listens again and asks for a full reload (notifications sent meanwhile are lost).</summary>
    private async Task ListenLoopAsync(TaskCompletionSource listening, CancellationToken stop)
    {
        var backoff = PostgresReconciler.MinimumBackoff;
        var listened = false;
        while (!stop.IsCancellationRequested)
        {
            try
            {
                await using var connection = await _dataSource.OpenConnectionAsync(stop).ConfigureAwait(false);
                connection.Notification += OnNotification;
                await using (var listen = new NpgsqlCommand($"LISTEN {NotifyChannel}", connection))
                {
                    await listen.ExecuteNonQueryAsync(stop).ConfigureAwait(false);
                }
                listening.TrySetResult();
                if (listened)
                {
                    _stale.Writer.TryWrite(IPv6Address.Any);
                }
                listened = true;
                backoff = PostgresReconciler.MinimumBackoff;
                while (true)
                {
                    await connection.WaitAsync(stop).ConfigureAwait(false);
                }
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is NpgsqlException or TimeoutException or IOException or InvalidOperationException)
            {
                if (listened)
                {
                    PostgresLog.ListenLost(_logger, _name, e.Message, backoff.TotalSeconds);
                }
                try
                {
                    await Task.Delay(backoff, _time, stop).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
                backoff = PostgresReconciler.Longer(backoff);
            }
        }
    }

    private void OnNotification(object sender, NpgsqlNotificationEventArgs e)
    {
        var payload = e.Payload;
        var space = payload.IndexOf(' ', StringComparison.Ordinal);
        if (space <= 0 || payload.AsSpan(0, space).SequenceEqual(Origin))
        {
            return;
        }
        foreach (var part in payload[(space + 1)..].Split(','))
        {
            if (part.Length == 2 * IPv6Address.Length)
            {
                try
                {
                    _stale.Writer.TryWrite(IPv6Address.FromBytes(Convert.FromHexString(part)));
                }
                catch (FormatException)
                {
                    // Not ours: ignored (the periodic reload repairs whatever it meant).
                }
            }
        }
    }

    private async Task StopAsync()
    {
        lock (_lock)
        {
            _disposing = true;
        }
        WakeWriter();
        _signal.Release();
        await _writer.ConfigureAwait(false);
        await _stop.CancelAsync().ConfigureAwait(false);
        await Task.WhenAll(_sync, _listener).ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync().ConfigureAwait(false);
        _stop.Dispose();
        _gate.Dispose();
        _signal.Dispose();
        await _dataSource.DisposeAsync().ConfigureAwait(false);
    }

    /// <summary>A change to write; a removal by expiry deletes the row only if it expired before <see cref="ExpiredBefore"/>.</summary>
    private sealed record Write(Ipv6LeaseChange Change, DateTimeOffset? ExpiredBefore);

    private sealed record PendingWrite(List<Write> Writes, TaskCompletionSource Done);
}

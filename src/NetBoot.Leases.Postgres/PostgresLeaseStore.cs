using System.Globalization;
using System.Text;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using NetBoot.Engine;
using NetBoot.Engine.Leases;
using NetBoot.Wire.Net;
using Npgsql;
using NpgsqlTypes;

namespace NetBoot.Leases.Postgres;

/// <summary>The shared lease store for several servers. Decisions run against an in-memory view as with SQLite, but
/// here the view is a cache of the shared table: the durable step is a transaction that either binds the address
/// (<c>netboot_put_lease</c>: the address row is locked, another client's unexpired lease wins) or fails the change's
/// <see cref="LeaseDecision.Durable"/> task, so that no ACK goes out, and re-reads the address. Other servers' commits
/// reach the cache through LISTEN/NOTIFY, and a full reload every <see cref="ResyncInterval"/> (and after any outage)
/// repairs whatever a lost notification left behind.</summary>
/// <remarks>Offers are not written (as with SQLite): a REQUEST is reconciled against the table when it is bound. The
/// address choice hashes the client's hardware address, so two servers answering one DISCOVER usually offer the same
/// address and the race costs nothing. Expiry deletes a row only if it is still expired in the table, so a lease
/// another server renewed a moment ago survives a stale cache.</remarks>
public sealed class PostgresLeaseStore : ILeaseStore
{
    public const string NotifyChannel = "netboot_leases";

    public static readonly TimeSpan ResyncInterval = TimeSpan.FromSeconds(30);

    private static readonly TimeSpan MinimumBackoff = TimeSpan.FromMilliseconds(250);
    private static readonly TimeSpan MaximumBackoff = TimeSpan.FromSeconds(10);
    private const int MaximumBatch = 1024;
    private const int NotifyPayloadLimit = 7000;
    private const string Columns = "address, client, htype, hwaddr, client_id, hostname, expires, state";

    private readonly NpgsqlDataSource _dataSource;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly string _name;
    private readonly LeaseTable _table = new() { IsShared = true };
    private readonly Lock _lock = new();
    private readonly Dictionary<IPv4Address, int> _inflight = [];
    private readonly Dictionary<IPv4Address, long> _touched = [];
    private readonly Channel<PendingWrite> _writes = Channel.CreateUnbounded<PendingWrite>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Channel<IPv4Address> _stale = Channel.CreateUnbounded<IPv4Address>(new UnboundedChannelOptions { SingleReader = true });
    private readonly LeaseChangeFeed _feed = new();
    private readonly CancellationTokenSource _stop = new();
    private TaskCompletionSource _reachableAgain = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _epoch;
    private bool _available;
    private bool _loaded;
    private bool _resyncAfterOutage;
    private bool _migrate;
    private int _paused;
    private DateTimeOffset _nextPausedLog = DateTimeOffset.MinValue;
    private Task _writer = Task.CompletedTask;
    private Task _listener = Task.CompletedTask;
    private Task _sync = Task.CompletedTask;

    /// <summary>How often, at most, the "DHCP paused" summary is logged while the database is unavailable.</summary>
    private static readonly TimeSpan PausedLogInterval = TimeSpan.FromSeconds(30);

    /// <summary>How often, at most, a failed reconnection attempt is logged after the first.</summary>
    private static readonly TimeSpan RetryLogInterval = TimeSpan.FromSeconds(30);

    private PostgresLeaseStore(NpgsqlDataSource dataSource, string name, ILogger logger, TimeProvider time)
    {
        _dataSource = dataSource;
        _name = name;
        _logger = logger;
        _time = time;
        Origin = $"{Environment.MachineName}/{Environment.ProcessId}/{Guid.NewGuid().ToString("N")[..8]}";
    }

    /// <summary>This server's id in <c>updated_by</c> and in notifications (its own are ignored).</summary>
    public string Origin { get; }

    /// <summary>False while the database cannot be reached: DHCP for leases pauses until it is back.</summary>
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

    /// <summary>True once the table has been loaded (false while a server that started without its database waits).</summary>
    public bool IsLoaded
    {
        get
        {
            lock (_lock)
            {
                return _loaded;
            }
        }
    }

    /// <summary>Checks (or, with <paramref name="migrate"/>, brings up to date) the schema, loads every lease and starts the
    /// writer, the listener and the periodic reload; throws when the database cannot be used. Takes ownership of
    /// <paramref name="dataSource"/> when it returns (the caller disposes it when this throws).</summary>
    public static async Task<PostgresLeaseStore> OpenAsync(NpgsqlDataSource dataSource, string name, ILogger logger, TimeProvider time, bool migrate, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(dataSource);
        var store = new PostgresLeaseStore(dataSource, name, logger, time) { _migrate = migrate };
        try
        {
            var count = await store.ConnectAsync(cancellationToken).ConfigureAwait(false);
            PostgresLog.Opened(logger, name, count, PostgresSchema.CurrentVersion, store.Origin);
            var listening = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            store.StartLoops(listening);
            // Changes committed between the load and LISTEN would be missed until the next reload: wait for LISTEN, then
            // reload once.
            await listening.Task.WaitAsync(TimeSpan.FromSeconds(10), cancellationToken).ConfigureAwait(false);
            await store.ResyncAsync(cancellationToken).ConfigureAwait(false);
            return store;
        }
        catch
        {
            await store.StopLoopsAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>As <see cref="OpenAsync"/>, but a database that cannot be reached now (stopped, starting, failing over,
    /// network down) does not stop the server: the store starts empty and unavailable (no lease is offered, acknowledged
    /// or refused), logs one error saying so, and keeps connecting with backoff; once it can, it migrates (when allowed),
    /// loads the table and takes leases. Errors a retry cannot mend (authentication, no such database, a schema this
    /// NetBoot cannot use) still throw.</summary>
    public static async Task<PostgresLeaseStore> OpenOrWaitAsync(NpgsqlDataSource dataSource, string name, ILogger logger, TimeProvider time, bool migrate, CancellationToken cancellationToken)
    {
        try
        {
            return await OpenAsync(dataSource, name, logger, time, migrate, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (IsUnreachable(e) && !cancellationToken.IsCancellationRequested)
        {
            var store = new PostgresLeaseStore(dataSource, name, logger, time) { _migrate = migrate, _resyncAfterOutage = true };
            PostgresLog.UnavailableAtStart(logger, name, e.Message, MaximumBackoff.TotalSeconds);
            store.StartLoops(new TaskCompletionSource());
            store._stale.Writer.TryWrite(default);
            return store;
        }
    }

    /// <summary>True for failures that waiting can mend: no connection (refused, timed out, reset), or a server that
    /// is shutting down, starting up or full.</summary>
    public static bool IsUnreachable(Exception exception) => exception switch
    {
        PostgresException e => e.SqlState.StartsWith("08", StringComparison.Ordinal) || e.SqlState is PostgresErrorCodes.AdminShutdown
            or PostgresErrorCodes.CrashShutdown or PostgresErrorCodes.CannotConnectNow or PostgresErrorCodes.TooManyConnections,
        NpgsqlException or TimeoutException or IOException or System.Net.Sockets.SocketException => true,
        _ => false,
    };

    /// <summary>Migrates (when allowed), checks the schema version and loads the whole table; the number of leases.</summary>
    private async Task<int> ConnectAsync(CancellationToken cancellationToken)
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
        return await ResyncAsync(cancellationToken).ConfigureAwait(false);
    }

    private void StartLoops(TaskCompletionSource listening)
    {
        _writer = Task.Run(WriteLoopAsync, CancellationToken.None);
        _listener = Task.Run(() => ListenLoopAsync(listening), CancellationToken.None);
        _sync = Task.Run(SyncLoopAsync, CancellationToken.None);
    }

    private async Task StopLoopsAsync()
    {
        _writes.Writer.TryComplete();
        await _writer.ConfigureAwait(false);
        await _stop.CancelAsync().ConfigureAwait(false);
        await Task.WhenAll(_listener, _sync).ConfigureAwait(false);
    }

    /// <summary>While the database is unavailable, DHCP for leases pauses: no offer (so that clients take another
    /// server's, if one still has the database), no ACK (it could not be made durable) and no NAK (the view may be stale,
    /// or empty when the table was never loaded). Replies that need no lease (proxy DHCP, PXE, INFORM) go on.</summary>
    public LeaseDecision Execute(Func<ILeaseView, DhcpOutcome> decide)
    {
        ArgumentNullException.ThrowIfNull(decide);
        int paused;
        lock (_lock)
        {
            var outcome = decide(_table);
            if (_available || !DurabilityRule.NeedsDurableStore(outcome))
            {
                if (outcome.Change is not { } change)
                {
                    return new LeaseDecision(outcome, Task.CompletedTask);
                }
                _table.Apply(change);
                return new LeaseDecision(outcome, IsStored(change) ? PersistLocked(change, expiredBefore: null) : Task.CompletedTask);
            }
            paused = CountPausedLocked();
        }
        if (paused > 0)
        {
            PostgresLog.Paused(_logger, paused, _name, PausedLogInterval.TotalSeconds);
        }
        return new LeaseDecision(new DhcpOutcome(new NoReply(NoReplyReason.LeaseStoreUnavailable,
            $"DHCP paused: the lease database {_name} is unavailable (no lease can be made durable)")), Task.CompletedTask);
    }

    /// <summary>Counts a request left unanswered; the count to log now (once per <see cref="PausedLogInterval"/>), else 0.</summary>
    private int CountPausedLocked()
    {
        _paused++;
        var now = _time.GetUtcNow();
        if (now < _nextPausedLog)
        {
            return 0;
        }
        var count = _paused;
        _paused = 0;
        _nextPausedLog = now + PausedLogInterval;
        return count;
    }

    /// <summary>A lease change (every ACK of a lease carries one), an OFFER of an address (even one without a change:
    /// its ACK would need the database), or a NAK. Not the boot server's ACK on 4011 (its yiaddr is the client's ciaddr,
    /// with no lease behind it), nor a proxy offer (yiaddr 0), nor an INFORM's ACK.</summary>
    private static bool NeedsTheDatabase(DhcpOutcome outcome) =>
        outcome.Change is not null
        || outcome.Decision is SendReply { Message.MessageType: Wire.Dhcp.DhcpMessageType.Nak }
            or SendReply { Message: { MessageType: Wire.Dhcp.DhcpMessageType.Offer, YourAddress.IsZero: false } };

    public IReadOnlyList<Lease> Expire(DateTimeOffset now)
    {
        lock (_lock)
        {
            var expired = _table.Expired(now);
            foreach (var lease in expired)
            {
                _table.Remove(lease.Address);
                if (lease.State != LeaseState.Offered)
                {
                    // Deleted only if still expired in the table: another server may have renewed it a moment ago.
                    PersistLocked(new LeaseRemoval(lease, lease.State == LeaseState.Bound ? LeaseEvent.Del : LeaseEvent.None), expiredBefore: now);
                }
            }
            return [.. expired.Where(l => l.State == LeaseState.Bound)];
        }
    }

    public IReadOnlyList<Lease> Snapshot() => _table.SnapshotByAddress(_lock);

    public ChannelReader<LeaseChange> Subscribe() => _feed.Subscribe();

    public Task FlushAsync()
    {
        var pending = new PendingWrite(null, null, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
        if (!_writes.Writer.TryWrite(pending))
        {
            pending.Done.SetException(new ObjectDisposedException(nameof(PostgresLeaseStore)));
        }
        return pending.Done.Task;
    }

    /// <summary>Offer holds live in this server's memory only; bound and declined leases (and their removal) are shared.</summary>
    private static bool IsStored(LeaseChange change) => change switch
    {
        LeaseUpsert upsert => upsert.Lease.State != LeaseState.Offered,
        LeaseRemoval removal => removal.Lease.State != LeaseState.Offered,
        _ => false,
    };

    private Task PersistLocked(LeaseChange change, DateTimeOffset? expiredBefore)
    {
        var address = AddressOf(change);
        _inflight[address] = _inflight.GetValueOrDefault(address) + 1;
        _touched[address] = ++_epoch;
        var pending = new PendingWrite(change, expiredBefore, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
        if (!_writes.Writer.TryWrite(pending))
        {
            pending.Done.SetException(new ObjectDisposedException(nameof(PostgresLeaseStore)));
        }
        return pending.Done.Task;
    }

    /// <summary>Every address a change writes: its own and those of the leases it replaces.</summary>
    private static IEnumerable<IPv4Address> AddressesOf(LeaseChange change) =>
        change is LeaseUpsert upsert ? upsert.Replaces.Select(r => r.Address).Prepend(upsert.Lease.Address).Distinct() : [AddressOf(change)];

    private static IPv4Address AddressOf(LeaseChange change) => change switch
    {
        LeaseUpsert upsert => upsert.Lease.Address,
        LeaseRemoval removal => removal.Lease.Address,
        _ => throw new ArgumentOutOfRangeException(nameof(change)),
    };

    private async Task WriteLoopAsync()
    {
        var batch = new List<PendingWrite>();
        while (await _writes.Reader.WaitToReadAsync().ConfigureAwait(false))
        {
            while (batch.Count < MaximumBatch && _writes.Reader.TryRead(out var pending))
            {
                batch.Add(pending);
            }
            await WriteBatchAsync(batch).ConfigureAwait(false);
            batch.Clear();
        }
    }

    private async Task WriteBatchAsync(List<PendingWrite> batch)
    {
        if (!IsAvailable)
        {
            // Known to be down: fail at once rather than hold the clients; the reload loop reconnects, and clients that
            // ask again are served once it has.
            Finish(batch, null, new NpgsqlException($"the lease database {_name} is unavailable"));
            return;
        }
        bool[] accepted;
        try
        {
            accepted = await CommitAsync(batch).ConfigureAwait(false);
        }
        catch (PostgresException e) when (e.SqlState is PostgresErrorCodes.DeadlockDetected or PostgresErrorCodes.UniqueViolation or PostgresErrorCodes.SerializationFailure && batch.Count > 1)
        {
            // Two servers' batches crossed (lock order, or one client bound by both): settle each change on its own.
            foreach (var single in batch)
            {
                await WriteBatchAsync([single]).ConfigureAwait(false);
            }
            return;
        }
        catch (Exception e) when (e is NpgsqlException or TimeoutException or IOException or InvalidOperationException)
        {
            MarkUnavailable(e);
            Finish(batch, null, e);
            return;
        }
        Finish(batch, accepted, null);
    }

    /// <summary>The database cannot be used: pause leasing (logged once per outage) and let the reload loop reconnect.</summary>
    private void MarkUnavailable(Exception e)
    {
        bool first;
        lock (_lock)
        {
            first = _available;
            _available = false;
            _resyncAfterOutage = true;
        }
        if (first)
        {
            PostgresLog.Unavailable(_logger, _name, e.Message, MaximumBackoff.TotalSeconds);
            _stale.Writer.TryWrite(default);
        }
    }

    /// <summary>Completes each write: durable, refused (conflict: the address is re-read), or failed (outage).</summary>
    private void Finish(List<PendingWrite> batch, bool[]? accepted, Exception? failure)
    {
        var published = new List<LeaseChange>();
        lock (_lock)
        {
            for (var i = 0; i < batch.Count; i++)
            {
                if (batch[i].Change is not { } change)
                {
                    continue;
                }
                var address = AddressOf(change);
                _touched[address] = ++_epoch;
                if (_inflight.TryGetValue(address, out var count))
                {
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
        for (var i = 0; i < batch.Count; i++)
        {
            var pending = batch[i];
            if (failure is not null)
            {
                pending.Done.SetException(failure);
            }
            else if (pending.Change is null || accepted![i])
            {
                pending.Done.SetResult();
                if (pending.Change is { } change)
                {
                    published.Add(change);
                }
            }
            else
            {
                var change = (LeaseUpsert)pending.Change;
                PostgresLog.Conflict(_logger, change.Lease.Address.ToString(), change.Lease.Client.Value);
                pending.Done.SetException(new LeaseConflictException($"{change.Lease.Address} is held by another client in the shared lease database"));
                _stale.Writer.TryWrite(change.Lease.Address);
            }
        }
        Publish(published);
    }

    /// <summary>One transaction for the whole batch (group commit: one fsync for many ACKs), changes in address order (so two servers lock rows in
    /// the same order), and one notification listing the addresses for the other servers.</summary>
    private async Task<bool[]> CommitAsync(List<PendingWrite> batch)
    {
        var order = Enumerable.Range(0, batch.Count).Where(i => batch[i].Change is not null)
            .OrderBy(i => AddressOf(batch[i].Change!)).ToArray();
        var accepted = new bool[batch.Count];
        if (order.Length == 0)
        {
            return accepted;
        }
        var now = _time.GetUtcNow().ToUnixTimeMilliseconds();
        await using var connection = await _dataSource.OpenConnectionAsync().ConfigureAwait(false);
        // A batch without an explicit transaction runs as one implicit transaction (one Sync): all or nothing, in one
        // round trip, with the notification delivered at its commit.
        await using var command = new NpgsqlBatch(connection);
        foreach (var i in order)
        {
            command.BatchCommands.Add(ToCommand(batch[i], now));
        }
        foreach (var payload in NotifyPayloads(order.SelectMany(i => AddressesOf(batch[i].Change!))))
        {
            var notify = new NpgsqlBatchCommand($"SELECT count(*)::int > 0 FROM pg_notify('{NotifyChannel}', $1)");
            notify.Parameters.Add(new NpgsqlParameter { Value = payload, NpgsqlDbType = NpgsqlDbType.Text });
            command.BatchCommands.Add(notify);
        }
        await using (var reader = await command.ExecuteReaderAsync().ConfigureAwait(false))
        {
            foreach (var i in order)
            {
                await reader.ReadAsync().ConfigureAwait(false);
                accepted[i] = batch[i].Change is LeaseRemoval || reader.GetBoolean(0);
                await reader.NextResultAsync().ConfigureAwait(false);
            }
        }
        return accepted;
    }

    private NpgsqlBatchCommand ToCommand(PendingWrite pending, long now)
    {
        switch (pending.Change)
        {
            case LeaseUpsert { Lease: var lease } upsert:
                var put = new NpgsqlBatchCommand("SELECT netboot_put_lease($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)");
                put.Parameters.Add(new NpgsqlParameter { Value = (long)lease.Address.Value, NpgsqlDbType = NpgsqlDbType.Bigint });
                put.Parameters.Add(new NpgsqlParameter { Value = lease.Client.Value, NpgsqlDbType = NpgsqlDbType.Text });
                put.Parameters.Add(new NpgsqlParameter { Value = (short)lease.HardwareAddress.HardwareType, NpgsqlDbType = NpgsqlDbType.Smallint });
                put.Parameters.Add(new NpgsqlParameter { Value = lease.HardwareAddress.Bytes.ToArray(), NpgsqlDbType = NpgsqlDbType.Bytea });
                put.Parameters.Add(new NpgsqlParameter { Value = lease.ClientId.IsDefault ? [] : lease.ClientId.ToArray(), NpgsqlDbType = NpgsqlDbType.Bytea });
                put.Parameters.Add(new NpgsqlParameter { Value = (object?)lease.HostName ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
                put.Parameters.Add(new NpgsqlParameter { Value = lease.IsInfinite ? long.MaxValue : lease.Expires.ToUnixTimeMilliseconds(), NpgsqlDbType = NpgsqlDbType.Bigint });
                put.Parameters.Add(new NpgsqlParameter { Value = (short)lease.State, NpgsqlDbType = NpgsqlDbType.Smallint });
                put.Parameters.Add(new NpgsqlParameter { Value = now, NpgsqlDbType = NpgsqlDbType.Bigint });
                put.Parameters.Add(new NpgsqlParameter { Value = Origin, NpgsqlDbType = NpgsqlDbType.Text });
                // The holders this write may replace (another identity of the same machine); any other unexpired holder
                // still refuses it.
                put.Parameters.Add(new NpgsqlParameter
                {
                    Value = upsert.Replaces.Select(r => r.Client.Value).ToArray(),
                    NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text,
                });
                return put;
            case LeaseRemoval { Lease: var removed }:
                var delete = new NpgsqlBatchCommand(
                    "WITH gone AS (DELETE FROM netboot_leases WHERE address = $1 AND client = $2 AND expires <= $3 RETURNING 1) SELECT count(*) > 0 FROM gone");
                delete.Parameters.Add(new NpgsqlParameter { Value = (long)removed.Address.Value, NpgsqlDbType = NpgsqlDbType.Bigint });
                delete.Parameters.Add(new NpgsqlParameter { Value = removed.Client.Value, NpgsqlDbType = NpgsqlDbType.Text });
                delete.Parameters.Add(new NpgsqlParameter
                {
                    Value = pending.ExpiredBefore is { } before ? before.ToUnixTimeMilliseconds() : long.MaxValue,
                    NpgsqlDbType = NpgsqlDbType.Bigint,
                });
                return delete;
            default:
                throw new InvalidOperationException("no change to write");
        }
    }

    /// <summary><c>origin address,address,…</c>, split to stay under PostgreSQL's 8000-byte payload limit.</summary>
    internal IEnumerable<string> NotifyPayloads(IEnumerable<IPv4Address> addresses)
    {
        var text = new StringBuilder(Origin).Append(' ');
        var empty = text.Length;
        foreach (var address in addresses)
        {
            if (text.Length > NotifyPayloadLimit)
            {
                yield return text.ToString(0, text.Length - 1);
                text.Length = empty;
            }
            text.Append(address.Value.ToString(CultureInfo.InvariantCulture)).Append(',');
        }
        if (text.Length > empty)
        {
            yield return text.ToString(0, text.Length - 1);
        }
    }

    private void Publish(List<LeaseChange> changes)
    {
        if (changes.Count == 0)
        {
            return;
        }
        _feed.Publish(changes);
    }

    private async Task ListenLoopAsync(TaskCompletionSource listening)
    {
        var backoff = MinimumBackoff;
        var listened = false;
        var connected = false;
        while (!_stop.IsCancellationRequested)
        {
            try
            {
                await using var connection = await _dataSource.OpenConnectionAsync(_stop.Token).ConfigureAwait(false);
                connected = true;
                connection.Notification += OnNotification;
                await using (var listen = new NpgsqlCommand($"LISTEN {NotifyChannel}", connection))
                {
                    await listen.ExecuteNonQueryAsync(_stop.Token).ConfigureAwait(false);
                }
                listening.TrySetResult();
                if (listened || !IsLoaded)
                {
                    // Notifications sent while we were not listening are lost: reload everything.
                    _stale.Writer.TryWrite(default);
                }
                listened = true;
                backoff = MinimumBackoff;
                while (true)
                {
                    await connection.WaitAsync(_stop.Token).ConfigureAwait(false);
                }
            }
            catch (OperationCanceledException) when (_stop.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is NpgsqlException or TimeoutException or IOException or InvalidOperationException)
            {
                if (connected)
                {
                    // The listening connection dropped: say so once, then reconnect.
                    PostgresLog.ListenLost(_logger, _name, e.Message, backoff.TotalSeconds);
                }
                else if (IsUnreachable(e))
                {
                    // Cannot even connect: the database is down (logged once per outage by MarkUnavailable).
                    MarkUnavailable(e);
                }
                connected = false;
                // Wait out the backoff, unless the reload loop reaches the database first: then listen again at once,
                // so that the view does not miss other servers' commits for up to a whole backoff after an outage.
                var reachable = Volatile.Read(ref _reachableAgain).Task;
                using (var wake = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token))
                {
                    await Task.WhenAny(Task.Delay(backoff, _time, wake.Token), reachable).ConfigureAwait(false);
                    await wake.CancelAsync().ConfigureAwait(false);
                }
                if (_stop.IsCancellationRequested)
                {
                    return;
                }
                backoff = reachable.IsCompleted ? MinimumBackoff : TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, MaximumBackoff.Ticks));
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
            if (uint.TryParse(part, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value != 0)
            {
                _stale.Writer.TryWrite(new IPv4Address(value));
            }
        }
    }

    /// <summary>Re-reads the addresses other servers changed (or that we lost a race for); 0.0.0.0 in the queue, or
    /// <see cref="ResyncInterval"/> without news, asks for a full reload. While the database is unavailable this loop is
    /// the one that reconnects: a full reload (or, if the table was never loaded, migration and load) with backoff from
    /// <see cref="MinimumBackoff"/> to <see cref="MaximumBackoff"/>.</summary>
    private async Task SyncLoopAsync()
    {
        var addresses = new HashSet<IPv4Address>();
        var backoff = MinimumBackoff;
        var attempts = 0;
        var nextRetryLog = DateTimeOffset.MinValue;
        while (!_stop.IsCancellationRequested)
        {
            var full = false;
            try
            {
                using var wait = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
                wait.CancelAfter(ResyncInterval);
                full = !await _stale.Reader.WaitToReadAsync(wait.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!_stop.IsCancellationRequested)
            {
                full = true;
            }
            catch (OperationCanceledException)
            {
                return;
            }
            while (_stale.Reader.TryRead(out var address))
            {
                full |= address.Value == 0;
                addresses.Add(address);
            }
            try
            {
                if (!IsLoaded)
                {
                    await ConnectAsync(_stop.Token).ConfigureAwait(false);
                }
                else if (full || !IsAvailable)
                {
                    await ResyncAsync(_stop.Token).ConfigureAwait(false);
                }
                else
                {
                    await RefreshAsync(addresses, _stop.Token).ConfigureAwait(false);
                }
                addresses.Clear();
                backoff = MinimumBackoff;
                attempts = 0;
                nextRetryLog = DateTimeOffset.MinValue;
            }
            catch (OperationCanceledException) when (_stop.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is NpgsqlException or TimeoutException or IOException or InvalidOperationException)
            {
                MarkUnavailable(e);
                attempts++;
                var now = _time.GetUtcNow();
                if (attempts == 1)
                {
                    // The outage itself was logged (MarkUnavailable, or at start): the next line only if it lasts.
                    nextRetryLog = now + RetryLogInterval;
                }
                else if (now >= nextRetryLog)
                {
                    PostgresLog.StillUnavailable(_logger, _name, attempts, e.Message, backoff.TotalSeconds);
                    nextRetryLog = now + RetryLogInterval;
                }
                _stale.Writer.TryWrite(default);
                try
                {
                    await Task.Delay(backoff, _time, _stop.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
                backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, MaximumBackoff.Ticks));
            }
        }
    }

    /// <summary>Replaces the cached leases of <paramref name="addresses"/> by the table's, except where this server has a
    /// change in flight or committed after the read began (its own view is newer there).</summary>
    private async Task RefreshAsync(HashSet<IPv4Address> addresses, CancellationToken cancellationToken)
    {
        if (addresses.Count == 0)
        {
            return;
        }
        long start;
        lock (_lock)
        {
            start = _epoch;
        }
        var rows = (await ReadAsync([.. addresses.Select(a => (long)a.Value)], cancellationToken).ConfigureAwait(false))
            .ToDictionary(l => l.Address);
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

    /// <summary>Reloads the whole table into the cache, keeping this server's offer holds and its newer changes.</summary>
    private async Task<int> ResyncAsync(CancellationToken cancellationToken)
    {
        long start;
        lock (_lock)
        {
            start = _epoch;
        }
        var rows = await ReadAsync(null, cancellationToken).ConfigureAwait(false);
        bool reconnected;
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
            // A successful reload means the database is back: leases are accepted again.
            _available = true;
            _loaded = true;
            reconnected = _resyncAfterOutage;
            _resyncAfterOutage = false;
        }
        if (reconnected)
        {
            Interlocked.Exchange(ref _reachableAgain, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
            PostgresLog.Reconnected(_logger, _name, rows.Count);
        }
        return rows.Count;
    }

    private bool IsLocallyNewer(IPv4Address address, long start) =>
        _inflight.ContainsKey(address) || _touched.GetValueOrDefault(address) > start;

    private async Task<List<Lease>> ReadAsync(long[]? addresses, CancellationToken cancellationToken)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var command = new NpgsqlCommand(addresses is null
            ? $"SELECT {Columns} FROM netboot_leases"
            : $"SELECT {Columns} FROM netboot_leases WHERE address = ANY($1)", connection);
        if (addresses is not null)
        {
            command.Parameters.Add(new NpgsqlParameter { Value = addresses, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Bigint });
        }
        return await ReadLeasesAsync(command, cancellationToken).ConfigureAwait(false);
    }

    internal static async Task<List<Lease>> ReadLeasesAsync(NpgsqlCommand command, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(command);
        var leases = new List<Lease>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            var expires = reader.GetInt64(6);
            leases.Add(new Lease(
                new IPv4Address((uint)reader.GetInt64(0)),
                new ClientKey(reader.GetString(1)),
                new HardwareAddress((byte)reader.GetInt16(2), (byte[])reader[3]),
                [.. (byte[])reader[4]],
                reader.IsDBNull(5) ? null : reader.GetString(5),
                expires == long.MaxValue ? DateTimeOffset.MaxValue : DateTimeOffset.FromUnixTimeMilliseconds(expires),
                (LeaseState)reader.GetInt16(7)));
        }
        return leases;
    }

    /// <summary>Every lease in the database (for <c>netboot leases</c>), ordered by address.</summary>
    public static async Task<IReadOnlyList<Lease>> ReadAllAsync(NpgsqlDataSource dataSource, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(dataSource);
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var command = new NpgsqlCommand($"SELECT {Columns} FROM netboot_leases ORDER BY address", connection);
        return await ReadLeasesAsync(command, cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        await StopLoopsAsync().ConfigureAwait(false);
        _feed.Complete();
        _stop.Dispose();
        await _dataSource.DisposeAsync().ConfigureAwait(false);
    }

    private sealed record PendingWrite(LeaseChange? Change, DateTimeOffset? ExpiredBefore, TaskCompletionSource Done);
}

using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using NetBoot.Engine;
using NetBoot.Engine.Dhcp;
using NetBoot.Engine.Leases;
using Npgsql;

namespace NetBoot.Leases.Postgres;

/// <summary>The shared lease store for several servers. Decisions run against an in-memory view as with SQLite, but
/// here the view is a cache of the shared table (<see cref="PostgresLeaseCache"/>): the durable step is a transaction
/// (<see cref="PostgresLeaseWriter"/>) that either binds the address (<c>netboot_put_lease</c>: the address row is
/// locked, another client's unexpired lease wins) or fails the change's <see cref="LeaseDecision.Durable"/> task, so
/// that no ACK goes out, and re-reads the address. Other servers' commits reach the cache through LISTEN/NOTIFY
/// (<see cref="PostgresChangeListener"/>), and a full reload every <see cref="ResyncInterval"/> (and after any outage)
/// repairs whatever a lost notification left behind (<see cref="PostgresReconciler"/>, which also owns the outage
/// state). This class only composes them.</summary>
/// <remarks>Offers are not written (as with SQLite): a REQUEST is reconciled against the table when it is bound. The
/// address choice hashes the client's hardware address, so two servers answering one DISCOVER usually offer the same
/// address and the race costs nothing. Expiry deletes a row only if it is still expired in the table, so a lease
/// another server renewed a moment ago survives a stale cache.</remarks>
public sealed class PostgresLeaseStore : ILeaseStore
{
    public const string NotifyChannel = "netboot_leases";

    public static readonly TimeSpan ResyncInterval = TimeSpan.FromSeconds(30);

    /// <summary>How often, at most, the "DHCP paused" summary is logged while the database is unavailable.</summary>
    private static readonly TimeSpan PausedLogInterval = TimeSpan.FromSeconds(30);

    private readonly NpgsqlDataSource _dataSource;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly string _name;
    private readonly PostgresLeaseCache _cache = new();
    private readonly LeaseChangeFeed _feed = new();
    private readonly PostgresReconciler _reconciler;
    private readonly PostgresLeaseWriter _writer;
    private readonly PostgresChangeListener _listener;
    private readonly CancellationTokenSource _stop = new();
    private readonly Lock _pausedLock = new();
    private int _paused;
    private DateTimeOffset _nextPausedLog = DateTimeOffset.MinValue;

    /// <summary><see cref="Execute"/>'s two steps, made once (not a closure per request).</summary>
    private readonly Func<DhcpOutcome, bool> _mayApply;
    private readonly Func<LeaseChange, Task> _write;

    private PostgresLeaseStore(NpgsqlDataSource dataSource, string name, ILogger logger, TimeProvider time, bool migrate)
    {
        _dataSource = dataSource;
        _name = name;
        _logger = logger;
        _time = time;
        Origin = $"{Environment.MachineName}/{Environment.ProcessId}/{Guid.NewGuid().ToString("N")[..8]}";
        _reconciler = new PostgresReconciler(dataSource, name, logger, time, _cache, migrate);
        _writer = new PostgresLeaseWriter(dataSource, name, Origin, logger, time, _cache, _reconciler, _feed);
        _listener = new PostgresChangeListener(dataSource, name, Origin, logger, time, _reconciler);
        _mayApply = outcome => _reconciler.IsAvailable || !DurabilityRule.NeedsDurableStore(outcome);
        _write = change => _writer.Enqueue(change);
    }

    /// <summary>This server's id in <c>updated_by</c> and in notifications (its own are ignored).</summary>
    public string Origin { get; }

    /// <summary>False while the database cannot be reached: DHCP for leases pauses until it is back.</summary>
    public bool IsAvailable => _reconciler.IsAvailable;

    /// <summary>True once the table has been loaded (false while a server that started without its database waits).</summary>
    public bool IsLoaded => _reconciler.IsLoaded;

    /// <summary>Checks (or, with <paramref name="migrate"/>, brings up to date) the schema, loads every lease and starts the
    /// writer, the listener and the periodic reload; throws when the database cannot be used. Takes ownership of
    /// <paramref name="dataSource"/> when it returns (the caller disposes it when this throws).</summary>
    public static async Task<PostgresLeaseStore> OpenAsync(NpgsqlDataSource dataSource, string name, ILogger logger, TimeProvider time, bool migrate, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(dataSource);
        var store = new PostgresLeaseStore(dataSource, name, logger, time, migrate);
        try
        {
            var count = await store._reconciler.ConnectAsync(cancellationToken).ConfigureAwait(false);
            PostgresLog.Opened(logger, name, count, PostgresSchema.CurrentVersion, store.Origin);
            var listening = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            store.StartLoops(listening);
            // Changes committed between the load and LISTEN would be missed until the next reload: wait for LISTEN, then
            // reload once.
            await listening.Task.WaitAsync(TimeSpan.FromSeconds(10), cancellationToken).ConfigureAwait(false);
            await store._reconciler.ResyncAsync(cancellationToken).ConfigureAwait(false);
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
            var store = new PostgresLeaseStore(dataSource, name, logger, time, migrate);
            PostgresLog.UnavailableAtStart(logger, name, e.Message, PostgresReconciler.MaximumBackoff.TotalSeconds);
            store._reconciler.StartUnavailable();
            store.StartLoops(new TaskCompletionSource());
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

    private void StartLoops(TaskCompletionSource listening)
    {
        _writer.Start();
        _listener.Start(listening, _stop.Token);
        _reconciler.Start(_stop.Token);
    }

    private async Task StopLoopsAsync()
    {
        await _writer.StopAsync().ConfigureAwait(false);
        await _stop.CancelAsync().ConfigureAwait(false);
        await Task.WhenAll(_listener.Stopped, _reconciler.Stopped).ConfigureAwait(false);
    }

    /// <summary>While the database is unavailable, DHCP for leases pauses: no offer (so that clients take another
    /// server's, if one still has the database), no ACK (it could not be made durable) and no NAK (the view may be stale,
    /// or empty when the table was never loaded). Replies that need no lease (proxy DHCP, PXE, INFORM) go on.</summary>
    public LeaseDecision Execute(Func<ILeaseView, DhcpOutcome> decide)
    {
        ArgumentNullException.ThrowIfNull(decide);
        var decision = _cache.Decide(decide, _mayApply, _write);
        if (decision is { } taken)
        {
            return taken;
        }
        if (CountPaused() is var paused and > 0)
        {
            PostgresLog.Paused(_logger, paused, _name, PausedLogInterval.TotalSeconds);
        }
        return new LeaseDecision(new DhcpOutcome(new NoReply(NoReplyReason.LeaseStoreUnavailable)
        {
            Lease = new LeaseSilence(LeaseSilenceReason.LeaseStoreUnavailable),
        }), Task.CompletedTask);
    }

    /// <summary>Counts a request left unanswered; the count to log now (once per <see cref="PausedLogInterval"/>), else 0.</summary>
    private int CountPaused()
    {
        lock (_pausedLock)
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
    }

    public IReadOnlyList<Lease> Expire(DateTimeOffset now) =>
        // Deleted only if still expired in the table: another server may have renewed it a moment ago.
        _cache.Expire(now, change => _writer.Enqueue(change, expiredBefore: now));

    public IReadOnlyList<Lease> Snapshot() => _cache.Snapshot();

    public ChannelReader<LeaseChange> Subscribe() => _feed.Subscribe();

    public Task FlushAsync() => _writer.Enqueue(null);

    /// <summary>Every lease in the database (for <c>netboot leases</c>), ordered by address.</summary>
    public static async Task<IReadOnlyList<Lease>> ReadAllAsync(NpgsqlDataSource dataSource, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(dataSource);
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var command = new NpgsqlCommand($"SELECT {PostgresLeaseRows.Columns} FROM netboot_leases ORDER BY address", connection);
        return await PostgresLeaseRows.ReadAsync(command, cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        await StopLoopsAsync().ConfigureAwait(false);
        _feed.Complete();
        _stop.Dispose();
        await _dataSource.DisposeAsync().ConfigureAwait(false);
    }
}

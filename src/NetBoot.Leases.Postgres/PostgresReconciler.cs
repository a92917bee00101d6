using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using NetBoot.Engine.Leases;
using NetBoot.Wire.Net;
using Npgsql;
using NpgsqlTypes;

namespace NetBoot.Leases.Postgres;

/// <summary>Keeps the cache in step with the shared table, and owns the outage state. It re-reads the addresses other
/// servers changed (or that we lost a race for); 0.0.0.0 in its queue, or <see cref="PostgresLeaseStore.ResyncInterval"/>
/// without news, asks for a full reload. While the database is unavailable it is the one that reconnects: a full reload
/// (or, if the table was never loaded, migration and load) with backoff from <see cref="MinimumBackoff"/> to
/// <see cref="MaximumBackoff"/>; the first reload that succeeds makes the store available again.</summary>
internal sealed class PostgresReconciler
{
    public static readonly TimeSpan MinimumBackoff = TimeSpan.FromMilliseconds(250);
    public static readonly TimeSpan MaximumBackoff = TimeSpan.FromSeconds(10);

    /// <summary>How often, at most, a failed reconnection attempt is logged after the first.</summary>
    private static readonly TimeSpan RetryLogInterval = TimeSpan.FromSeconds(30);

    private readonly NpgsqlDataSource _dataSource;
    private readonly string _name;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly PostgresLeaseCache _cache;
    private readonly bool _migrate;
    private readonly Channel<IPv4Address> _stale = Channel.CreateUnbounded<IPv4Address>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Lock _lock = new();
    private TaskCompletionSource _reachableAgain = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private bool _available;
    private bool _loaded;
    private bool _resyncAfterOutage;
    private Task _loop = Task.CompletedTask;

    public PostgresReconciler(NpgsqlDataSource dataSource, string name, ILogger logger, TimeProvider time, PostgresLeaseCache cache, bool migrate)
    {
        _dataSource = dataSource;
        _name = name;
        _logger = logger;
        _time = time;
        _cache = cache;
        _migrate = migrate;
    }

    /// <summary>False while the database cannot be reached.</summary>
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

    /// <summary>True once the table has been loaded.</summary>
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

    /// <summary>Completes at the next reload that ends an outage (the listener then listens again at once).</summary>
    public Task ReachableAgain => Volatile.Read(ref _reachableAgain).Task;

    public static TimeSpan Longer(TimeSpan backoff) => TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, MaximumBackoff.Ticks));

    public void Start(CancellationToken stop) => _loop = Task.Run(() => SyncLoopAsync(stop), CancellationToken.None);

    /// <summary>Completes when the loop has ended (after its token is cancelled).</summary>
    public Task Stopped => _loop;

    /// <summary>Another server changed <paramref name="address"/>, or we lost a race for it: re-read it.</summary>
    public void Invalidate(IPv4Address address) => _stale.Writer.TryWrite(address);

    public void RequestFullReload() => _stale.Writer.TryWrite(default);

    /// <summary>Started without the database: unavailable and not loaded until the loop connects.</summary>
    public void StartUnavailable()
    {
        lock (_lock)
        {
            _resyncAfterOutage = true;
        }
        RequestFullReload();
    }

    /// <summary>The database cannot be used: pause leasing (logged once per outage) and reconnect.</summary>
    public void MarkUnavailable(Exception e)
    {
        bool first;
        lock (_lock)
        {
            first = _available;
            if (first)
            {
                // Written before leasing is seen paused (once per outage): whoever finds IsAvailable false finds the
                // reason in the log too.
                PostgresLog.Unavailable(_logger, _name, e.Message, MaximumBackoff.TotalSeconds);
            }
            _available = false;
            _resyncAfterOutage = true;
        }
        if (first)
        {
            RequestFullReload();
        }
    }

    /// <summary>Migrates (when allowed), checks the schema version and loads the whole table; the number of leases.</summary>
    public async Task<int> ConnectAsync(CancellationToken cancellationToken)
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

    private async Task SyncLoopAsync(CancellationToken stop)
    {
        var addresses = new HashSet<IPv4Address>();
        var backoff = MinimumBackoff;
        var attempts = 0;
        var nextRetryLog = DateTimeOffset.MinValue;
        while (!stop.IsCancellationRequested)
        {
            var full = false;
            try
            {
                using var wait = CancellationTokenSource.CreateLinkedTokenSource(stop);
                wait.CancelAfter(PostgresLeaseStore.ResyncInterval);
                full = !await _stale.Reader.WaitToReadAsync(wait.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!stop.IsCancellationRequested)
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
                await ReconcileAsync(addresses, full, stop).ConfigureAwait(false);
                addresses.Clear();
                backoff = MinimumBackoff;
                attempts = 0;
                nextRetryLog = DateTimeOffset.MinValue;
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
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
                RequestFullReload();
                try
                {
                    await Task.Delay(backoff, _time, stop).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
                backoff = Longer(backoff);
            }
        }
    }

    private Task ReconcileAsync(HashSet<IPv4Address> addresses, bool full, CancellationToken stop) =>
        !IsLoaded ? ConnectAsync(stop)
        : full || !IsAvailable ? ResyncAsync(stop)
        : RefreshAsync(addresses, stop);

    /// <summary>Replaces the cached leases of <paramref name="addresses"/> by the table's, except where this server has a
    /// change in flight or committed after the read began (its own view is newer there).</summary>
    private async Task RefreshAsync(HashSet<IPv4Address> addresses, CancellationToken cancellationToken)
    {
        if (addresses.Count == 0)
        {
            return;
        }
        var start = _cache.Epoch;
        var rows = await ReadAsync([.. addresses.Select(a => (long)a.Value)], cancellationToken).ConfigureAwait(false);
        _cache.Refresh(addresses, rows.ToDictionary(l => l.Address), start);
    }

    /// <summary>Reloads the whole table into the cache, keeping this server's offer holds and its newer changes; a
    /// successful reload means the database is back: leases are accepted again.</summary>
    public async Task<int> ResyncAsync(CancellationToken cancellationToken)
    {
        var start = _cache.Epoch;
        var rows = await ReadAsync(null, cancellationToken).ConfigureAwait(false);
        _cache.ReplaceAll(rows, start);
        bool reconnected;
        lock (_lock)
        {
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

    private async Task<List<Lease>> ReadAsync(long[]? addresses, CancellationToken cancellationToken)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var command = new NpgsqlCommand(addresses is null
            ? $"SELECT {PostgresLeaseRows.Columns} FROM netboot_leases"
            : $"SELECT {PostgresLeaseRows.Columns} FROM netboot_leases WHERE address = ANY($1)", connection);
        if (addresses is not null)
        {
            command.Parameters.Add(new NpgsqlParameter { Value = addresses, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Bigint });
        }
        return await PostgresLeaseRows.ReadAsync(command, cancellationToken).ConfigureAwait(false);
    }
}

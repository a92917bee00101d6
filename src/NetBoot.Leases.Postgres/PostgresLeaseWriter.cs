using System.Globalization;
using System.Text;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using NetBoot.Engine.Leases;
using NetBoot.Wire.Net;
using Npgsql;
using NpgsqlTypes;

namespace NetBoot.Leases.Postgres;

/// <summary>The group-commit writer: changes queue in decision order; one loop takes whatever has queued (up to
/// <see cref="MaximumBatch"/>) into one transaction (one fsync for many ACKs) that also notifies the other servers.
/// Each change's task completes when it is durable, or fails: refused (another client holds the address: the address is
/// re-read) or not written (the database is unavailable).</summary>
internal sealed class PostgresLeaseWriter
{
    private const int MaximumBatch = 1024;
    private const int NotifyPayloadLimit = 7000;

    private readonly NpgsqlDataSource _dataSource;
    private readonly string _name;
    private readonly string _origin;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly PostgresLeaseCache _cache;
    private readonly PostgresReconciler _reconciler;
    private readonly LeaseChangeFeed _feed;
    private readonly Channel<PendingWrite> _writes = Channel.CreateUnbounded<PendingWrite>(new UnboundedChannelOptions { SingleReader = true });
    private Task _loop = Task.CompletedTask;

    public PostgresLeaseWriter(NpgsqlDataSource dataSource, string name, string origin, ILogger logger, TimeProvider time,
        PostgresLeaseCache cache, PostgresReconciler reconciler, LeaseChangeFeed feed)
    {
        _dataSource = dataSource;
        _name = name;
        _origin = origin;
        _logger = logger;
        _time = time;
        _cache = cache;
        _reconciler = reconciler;
        _feed = feed;
    }

    public void Start() => _loop = Task.Run(WriteLoopAsync, CancellationToken.None);

    /// <summary>Writes what is queued, then stops.</summary>
    public Task StopAsync()
    {
        _writes.Writer.TryComplete();
        return _loop;
    }

    /// <summary>Queues <paramref name="change"/>; a removal with <paramref name="expiredBefore"/> deletes the row only if
    /// it is still expired then in the table (another server may have renewed it a moment ago).</summary>
    public Task Enqueue(LeaseChange? change, DateTimeOffset? expiredBefore = null)
    {
        var pending = new PendingWrite(change, expiredBefore, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
        if (!_writes.Writer.TryWrite(pending))
        {
            pending.Done.SetException(new ObjectDisposedException(nameof(PostgresLeaseStore)));
        }
        return pending.Done.Task;
    }

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
        if (!_reconciler.IsAvailable)
        {
            // Known to be down: fail at once rather than hold the clients; the reconciler reconnects, and clients that
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
            _reconciler.MarkUnavailable(e);
            Finish(batch, null, e);
            return;
        }
        Finish(batch, accepted, null);
    }

    /// <summary>Completes each write: durable, refused (conflict: the address is re-read), or failed (outage).</summary>
    private void Finish(List<PendingWrite> batch, bool[]? accepted, Exception? failure)
    {
        _cache.Settle(batch.Select(p => p.Change).OfType<LeaseChange>());
        var published = new List<LeaseChange>();
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
                _reconciler.Invalidate(change.Lease.Address);
            }
        }
        if (published.Count > 0)
        {
            _feed.Publish(published);
        }
    }

    /// <summary>One transaction for the whole batch (group commit: one fsync for many ACKs), changes in address order (so two servers lock rows in
    /// the same order), and one notification listing the addresses for the other servers.</summary>
    private async Task<bool[]> CommitAsync(List<PendingWrite> batch)
    {
        var order = Enumerable.Range(0, batch.Count).Where(i => batch[i].Change is not null)
            .OrderBy(i => PostgresLeaseCache.AddressOf(batch[i].Change!)).ToArray();
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
        foreach (var payload in NotifyPayloads(_origin, order.SelectMany(i => AddressesOf(batch[i].Change!))))
        {
            var notify = new NpgsqlBatchCommand($"SELECT count(*)::int > 0 FROM pg_notify('{PostgresLeaseStore.NotifyChannel}', $1)");
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

    /// <summary>Every address a change writes: its own and those of the leases it replaces.</summary>
    private static IEnumerable<IPv4Address> AddressesOf(LeaseChange change) =>
        change is LeaseUpsert upsert ? upsert.Replaces.Select(r => r.Address).Prepend(upsert.Lease.Address).Distinct() : [PostgresLeaseCache.AddressOf(change)];

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
                put.Parameters.Add(new NpgsqlParameter { Value = _origin, NpgsqlDbType = NpgsqlDbType.Text });
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
    internal static IEnumerable<string> NotifyPayloads(string origin, IEnumerable<IPv4Address> addresses)
    {
        var text = new StringBuilder(origin).Append(' ');
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

    private sealed record PendingWrite(LeaseChange? Change, DateTimeOffset? ExpiredBefore, TaskCompletionSource Done);
}

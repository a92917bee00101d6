using System.Globalization;
using Microsoft.Extensions.Logging;
using NetBoot.Wire.Net;
using Npgsql;

namespace NetBoot.Leases.Postgres;

/// <summary>LISTENs on <see cref="PostgresLeaseStore.NotifyChannel"/> on a connection of its own and hands the
/// addresses other servers changed to the reconciler. Notifications sent while it was not listening are lost, so each
/// time it listens again it asks for a full reload.</summary>
internal sealed class PostgresChangeListener
{
    private readonly NpgsqlDataSource _dataSource;
    private readonly string _name;
    private readonly string _origin;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly PostgresReconciler _reconciler;
    private Task _loop = Task.CompletedTask;

    public PostgresChangeListener(NpgsqlDataSource dataSource, string name, string origin, ILogger logger, TimeProvider time, PostgresReconciler reconciler)
    {
        _dataSource = dataSource;
        _name = name;
        _origin = origin;
        _logger = logger;
        _time = time;
        _reconciler = reconciler;
    }

    /// <summary>Starts listening; <paramref name="listening"/> completes at the first successful LISTEN.</summary>
    public void Start(TaskCompletionSource listening, CancellationToken stop) =>
        _loop = Task.Run(() => ListenLoopAsync(listening, stop), CancellationToken.None);

    /// <summary>Completes when the loop has ended (after its token is cancelled).</summary>
    public Task Stopped => _loop;

    private async Task ListenLoopAsync(TaskCompletionSource listening, CancellationToken stop)
    {
        var backoff = PostgresReconciler.MinimumBackoff;
        var listened = false;
        var connected = false;
        while (!stop.IsCancellationRequested)
        {
            try
            {
                await using var connection = await _dataSource.OpenConnectionAsync(stop).ConfigureAwait(false);
                connected = true;
                connection.Notification += OnNotification;
                await using (var listen = new NpgsqlCommand($"LISTEN {PostgresLeaseStore.NotifyChannel}", connection))
                {
                    await listen.ExecuteNonQueryAsync(stop).ConfigureAwait(false);
                }
                listening.TrySetResult();
                if (listened || !_reconciler.IsLoaded)
                {
                    // Notifications sent while we were not listening are lost: reload everything.
                    _reconciler.RequestFullReload();
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
                if (connected)
                {
                    // The listening connection dropped: say so once, then reconnect.
                    PostgresLog.ListenLost(_logger, _name, e.Message, backoff.TotalSeconds);
                }
                else if (PostgresLeaseStore.IsUnreachable(e))
                {
                    // Cannot even connect: the database is down (logged once per outage by MarkUnavailable).
                    _reconciler.MarkUnavailable(e);
                }
                connected = false;
                // Wait out the backoff, unless the reconciler reaches the database first: then listen again at once,
                // so that the view does not miss other servers' commits for up to a whole backoff after an outage.
                var reachable = _reconciler.ReachableAgain;
                using (var wake = CancellationTokenSource.CreateLinkedTokenSource(stop))
                {
                    await Task.WhenAny(Task.Delay(backoff, _time, wake.Token), reachable).ConfigureAwait(false);
                    await wake.CancelAsync().ConfigureAwait(false);
                }
                if (stop.IsCancellationRequested)
                {
                    return;
                }
                backoff = reachable.IsCompleted ? PostgresReconciler.MinimumBackoff : PostgresReconciler.Longer(backoff);
            }
        }
    }

    private void OnNotification(object sender, NpgsqlNotificationEventArgs e)
    {
        var payload = e.Payload;
        var space = payload.IndexOf(' ', StringComparison.Ordinal);
        if (space <= 0 || payload.AsSpan(0, space).SequenceEqual(_origin))
        {
            return;
        }
        foreach (var part in payload[(space + 1)..].Split(','))
        {
            if (uint.TryParse(part, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value != 0)
            {
                _reconciler.Invalidate(new IPv4Address(value));
            }
        }
    }
}

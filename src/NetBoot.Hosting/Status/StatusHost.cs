using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using NetBoot.Configuration.Model;
using NetBoot.Hosting.Telemetry;
using NetBoot.Leases;

namespace NetBoot.Hosting.Status;

/// <summary>Everything observability needs for one <c>netboot serve</c>: the meter (from an <see cref="IMeterFactory"/>),
/// the <see cref="BootTelemetry"/> the services report to, the recent-errors log, and the web endpoint serving
/// <c>/metrics</c> and the dashboard when <c>metrics-listen</c> / <c>dashboard-listen</c> ask for it.</summary>
public sealed class StatusHost : IDisposable
{
    private readonly ServiceProvider _services;

    public StatusHost(ServerConfig config, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(config);
        _services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        Metrics = new NetBootMetrics(_services.GetRequiredService<IMeterFactory>());
        Telemetry = new BootTelemetry(Metrics, time, trackClients: config.Status.Dashboard is not null);
        RecentLog = new RecentLog(time);
        Time = time;
    }

    public NetBootMetrics Metrics { get; }
    public BootTelemetry Telemetry { get; }

    /// <summary>The DHCPv6 leases the dashboard lists (ordered by address), when DHCPv6 is served.</summary>
    public Func<IReadOnlyList<Engine.Dhcp6.Ipv6Lease>>? Ipv6Leases { get; set; }
    public RecentLog RecentLog { get; }
    public TimeProvider Time { get; }

    private readonly TaskCompletionSource _started = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes once the endpoints listen (at once when none is configured); faults when they cannot.</summary>
    public Task Started => _started.Task;

    internal void OnStarted(Exception? failure = null)
    {
        if (failure is null)
        {
            _started.TrySetResult();
        }
        else
        {
            _started.TrySetException(failure);
        }
    }

    /// <summary>Serves the configured endpoints until cancelled (returns at once when none is configured).</summary>
    public Task RunAsync(ConfigSnapshot config, ILeaseStore? leases, Microsoft.Extensions.Logging.ILogger logger, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(config);
        Metrics.ObservePools(() => PoolUsageCalculator.Compute(config.Current.Ranges, leases?.Snapshot() ?? [], Time.GetUtcNow()));
        if (!config.Current.Status.IsEnabled)
        {
            OnStarted();
            return Task.CompletedTask;
        }
        return ServeAsync(new StatusWebService(config.Current.Status, this, config, leases, logger), cancellationToken);
    }

    /// <summary>The web endpoint, and beside it the tracker's fold loop (which ends with it, also when it fails).</summary>
    private async Task ServeAsync(StatusWebService service, CancellationToken cancellationToken)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var folding = Telemetry.RunAsync(stop.Token);
        try
        {
            await service.RunAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            await stop.CancelAsync().ConfigureAwait(false);
            await folding.ConfigureAwait(false);
        }
    }

    public void Dispose() => _services.Dispose();
}

using System.Buffers;
using System.Collections.Immutable;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using NetBoot.Configuration.Model;
using NetBoot.Hosting.Telemetry;
using NetBoot.Leases;

namespace NetBoot.Hosting.Status;

/// <summary>The observability endpoint (Kestrel): <c>/metrics</c> on <c>metrics-listen</c>; the dashboard page
/// <c>/</c>, its snapshot <c>/state</c> and its server-sent events <c>/events</c> on <c>dashboard-listen</c>
/// (one port may serve both). Read-only: GET and HEAD only. With <c>dashboard-token</c> every dashboard URL needs
/// <c>?token=</c> or <c>Authorization: Bearer</c>. A request naming a host the server is not known by gets 421
/// (<see cref="StatusAccess"/>).</summary>
internal sealed class StatusWebService(StatusConfig status, StatusHost host, ConfigSnapshot config, ILeaseStore? leases, ILogger logger)
{
    /// <summary>How often the event stream checks for changes (and samples transfer progress).</summary>
    private static readonly TimeSpan EventInterval = TimeSpan.FromMilliseconds(250);
    /// <summary>A full snapshot is sent at least this often even without a change (leases expire, clocks move).</summary>
    private static readonly TimeSpan RefreshInterval = TimeSpan.FromSeconds(5);

    private readonly PrometheusExporter? _exporter = status.Metrics is null ? null : new PrometheusExporter(host.Metrics.Meter);
    /// <summary>Names a request may give in Host besides an address and localhost (<see cref="StatusAccess.IsAllowedHost"/>).</summary>
    private readonly string[] _hostNames = [Dns.GetHostName(), .. status.HostNames];
    private CancellationToken _stopping;

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        _stopping = cancellationToken;
        var endpoints = new[] { status.Metrics, status.Dashboard }.OfType<ListenEndpoint>().Distinct().ToImmutableArray();
        foreach (var endpoint in endpoints.Where(e => !e.IsLoopback))
        {
            if (endpoint == status.Dashboard && status.DashboardToken is null)
            {
                StatusLog.ExposedWithoutToken(logger, endpoint.ToString());
            }
        }
        var app = Build(endpoints);
        await using (app.ConfigureAwait(false))
        {
            try
            {
                await app.StartAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is IOException or System.Net.Sockets.SocketException)
            {
                host.OnStarted(e);
                throw;
            }
            host.OnStarted();
            var bound = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses ?? [];
            StatusLog.Listening(logger, string.Join(" ", bound),
                status.Metrics is { } m ? $"http://{m}/metrics" : "off",
                status.Dashboard is { } d ? $"http://{d}/" + (status.DashboardToken is null ? "" : " (token required)") : "off");
            try
            {
                await Task.Delay(Timeout.Infinite, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
            }
            await app.StopAsync(CancellationToken.None).ConfigureAwait(false);
        }
        _exporter?.Dispose();
    }

    private WebApplication Build(ImmutableArray<ListenEndpoint> endpoints)
    {
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.Services.AddLogging();
        builder.WebHost.UseKestrelCore().ConfigureKestrel(options =>
        {
            options.AddServerHeader = false;
            foreach (var endpoint in endpoints)
            {
                options.Listen(new IPEndPoint(endpoint.Address.ToIPAddress(), endpoint.Port));
            }
        });
        var app = builder.Build();
        app.Run(HandleAsync);
        return app;
    }

    private async Task HandleAsync(HttpContext context)
    {
        var request = context.Request;
        var response = context.Response;
        response.Headers.CacheControl = "no-store";
        if (!StatusAccess.IsAllowedHost(request.Headers.Host.ToString(), ArrivedOnLoopback(context), _hostNames))
        {
            // A DNS-rebinding page names its own host: nothing is served to it, not even metrics.
            await PlainAsync(context, StatusAccess.RefusedHostStatus,
                "misdirected request: this server does not answer to that Host name; use its address, or add the name with status-host=").ConfigureAwait(false);
            return;
        }
        if (!HttpMethods.IsGet(request.Method) && !HttpMethods.IsHead(request.Method))
        {
            response.Headers.Allow = "GET, HEAD";
            await PlainAsync(context, StatusCodes.Status405MethodNotAllowed, "read-only: GET and HEAD only").ConfigureAwait(false);
            return;
        }
        var path = request.Path.Value ?? "/";
        var onMetrics = Arrived(context, status.Metrics);
        var onDashboard = Arrived(context, status.Dashboard);
        if (path == "/metrics" && onMetrics && _exporter is not null)
        {
            response.ContentType = PrometheusExporter.ContentType;
            await response.WriteAsync(_exporter.Collect(), context.RequestAborted).ConfigureAwait(false);
            return;
        }
        if (!onDashboard || path is not ("/" or "/state" or "/events"))
        {
            await PlainAsync(context, StatusCodes.Status404NotFound,
                onMetrics ? "not found: metrics are at /metrics" : "not found: the dashboard is at /").ConfigureAwait(false);
            return;
        }
        if (!IsAuthorised(request))
        {
            await PlainAsync(context, StatusCodes.Status401Unauthorized, "this dashboard needs its token: open /?token=<dashboard-token>").ConfigureAwait(false);
            return;
        }
        switch (path)
        {
            case "/":
                response.ContentType = "text/html; charset=utf-8";
                response.Headers.ContentSecurityPolicy = "default-src 'self'; script-src 'unsafe-inline'; style-src 'unsafe-inline'";
                await using (var page = DashboardPage.Open())
                {
                    await page.CopyToAsync(response.Body, context.RequestAborted).ConfigureAwait(false);
                }
                return;
            case "/state":
                response.ContentType = "application/json";
                var state = new ArrayBufferWriter<byte>(SnapshotBufferSize);
                Snapshot(state);
                await response.Body.WriteAsync(state.WrittenMemory, context.RequestAborted).ConfigureAwait(false);
                return;
            default:
                await StreamEventsAsync(context).ConfigureAwait(false);
                return;
        }
    }

    /// <summary>Server-sent events: the whole state as one <c>data:</c> line whenever anything changed (checked every
    /// <see cref="EventInterval"/>), and at least every <see cref="RefreshInterval"/>.</summary>
    private async Task StreamEventsAsync(HttpContext context)
    {
        var response = context.Response;
        response.ContentType = "text/event-stream";
        response.Headers["X-Accel-Buffering"] = "no";
        // Event streams never end by themselves: shutting down ends them at once, or Kestrel would wait its shutdown timeout.
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, _stopping);
        var aborted = linked.Token;
        var time = host.Time;
        using var timer = new PeriodicTimer(EventInterval, time);
        // One buffer for the stream's life: a snapshot of 256 clients with their history runs to hundreds of KiB, and a
        // fresh one four times a second would churn the large-object heap (and the process's memory) for nothing.
        var buffer = new ArrayBufferWriter<byte>(SnapshotBufferSize);
        (long, long) sent = (-1, -1);
        var sentAt = DateTimeOffset.MinValue;
        try
        {
            do
            {
                host.Telemetry.SampleProgress();
                var version = (host.Telemetry.Version, host.RecentLog.Version);
                if (version != sent || time.GetUtcNow() - sentAt >= RefreshInterval)
                {
                    sent = version;
                    sentAt = time.GetUtcNow();
                    buffer.ResetWrittenCount();
                    Snapshot(buffer);
                    await response.WriteAsync("event: state\ndata: ", aborted).ConfigureAwait(false);
                    await response.Body.WriteAsync(buffer.WrittenMemory, aborted).ConfigureAwait(false);
                    await response.WriteAsync("\n\n", aborted).ConfigureAwait(false);
                    await response.Body.FlushAsync(aborted).ConfigureAwait(false);
                }
            }
            while (await timer.WaitForNextTickAsync(aborted).ConfigureAwait(false));
        }
        catch (OperationCanceledException) when (aborted.IsCancellationRequested)
        {
            // The page went away, or NetBoot is stopping.
        }
    }

    private const int SnapshotBufferSize = 64 * 1024;

    private void Snapshot(IBufferWriter<byte> buffer)
    {
        var now = host.Time.GetUtcNow();
        var leaseList = leases?.Snapshot() ?? [];
        var pools = PoolUsageCalculator.Compute(config.Current.Ranges, leaseList, now);
        DashboardJson.Write(buffer, now, host.Telemetry.Clients, leaseList, pools, host.RecentLog.Lines(), config.Current.Ranges,
            host.Ipv6Leases?.Invoke());
    }

    private static bool Arrived(HttpContext context, ListenEndpoint? endpoint) =>
        endpoint is { } e && context.Connection.LocalPort == e.Port
        && (context.Connection.LocalIpAddress is not { } local || e.Address.IsZero || local.Equals(e.Address.ToIPAddress()) || local.IsIPv4MappedToIPv6 && local.MapToIPv4().Equals(e.Address.ToIPAddress()));

    private bool IsAuthorised(HttpRequest request)
    {
        if (status.DashboardToken is not { } token)
        {
            return true;
        }
        var given = request.Query["token"].ToString();
        if (given.Length == 0 && request.Headers.Authorization.ToString() is { } header && header.StartsWith("Bearer ", StringComparison.Ordinal))
        {
            given = header["Bearer ".Length..];
        }
        return StatusAccess.TokenMatches(given, token);
    }

    private static bool ArrivedOnLoopback(HttpContext context) =>
        context.Connection.LocalIpAddress is { } local && IPAddress.IsLoopback(local.IsIPv4MappedToIPv6 ? local.MapToIPv4() : local);

    private static async Task PlainAsync(HttpContext context, int status, string text)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "text/plain; charset=utf-8";
        await context.Response.WriteAsync($"{status} {text}\n", context.RequestAborted).ConfigureAwait(false);
    }
}

internal static partial class StatusLog
{
    [LoggerMessage(1500, LogLevel.Information, "status endpoint listening on {Addresses}: metrics {Metrics}, dashboard {Dashboard}")]
    public static partial void Listening(ILogger logger, string addresses, string metrics, string dashboard);

    [LoggerMessage(1501, LogLevel.Warning, "dashboard-listen={Endpoint} is not a loopback address and no dashboard-token is set: anyone who reaches it sees your clients and leases (add dashboard-token=<secret>)")]
    public static partial void ExposedWithoutToken(ILogger logger, string endpoint);
}

using System.Collections.Immutable;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using NetBoot.Configuration.Model;
using NetBoot.Hosting.Net;

namespace NetBoot.Hosting.Http;

/// <summary>Serves boot files over HTTP (<c>http-root</c>/<c>http-port</c>) with Kestrel, on the IPv4 addresses of
/// the interfaces DHCP may use (as TFTP does), so iPXE and UEFI HTTP Boot fetch kernels and initrds at wire speed.</summary>
public sealed class HttpBootService(ConfigSnapshot config, ILogger<HttpBootService> logger, Status.BootTelemetry? telemetry = null)
{
    private readonly TaskCompletionSource<ImmutableArray<IPEndPoint>> _started = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>The endpoints actually bound (a port 0 request resolved), once listening.</summary>
    public Task<ImmutableArray<IPEndPoint>> Started => _started.Task;

    public Task RunAsync(ImmutableArray<HostInterface> hostInterfaces, CancellationToken cancellationToken)
    {
        var snapshot = config.Current;
        if (!snapshot.Http.IsEnabled)
        {
            _started.TrySetResult([]);
            return Task.CompletedTask;
        }
        var endpoints = SelectInterfaces(snapshot, hostInterfaces)
            .SelectMany(nic => nic.Addresses)
            .Select(a => new IPEndPoint(a.Address.ToIPAddress(), snapshot.Http.Port))
            .Distinct()
            .ToImmutableArray();
        return RunAsync(endpoints, cancellationToken);
    }

    /// <summary>Listens on <paramref name="endpoints"/> until cancelled; throws at start-up when the root is missing
    /// or a port cannot be bound (the caller stops the other services: never half a server).</summary>
    public async Task RunAsync(ImmutableArray<IPEndPoint> endpoints, CancellationToken cancellationToken)
    {
        var snapshot = config.Current;
        var root = snapshot.Http.EffectiveRoot(snapshot.Tftp);
        if (root is null || !Directory.Exists(root))
        {
            HttpLog.RootMissing(logger, root ?? "(none: set http-root or tftp-root)");
            var failure = new DirectoryNotFoundException($"HTTP root {root ?? "(not configured)"} inaccessible");
            _started.TrySetException(failure);
            throw failure;
        }
        var handler = new HttpBootHandler(Path.GetFullPath(root), logger, telemetry: telemetry);
        var app = Build(endpoints, handler);
        await using (app.ConfigureAwait(false))
        {
            try
            {
                await app.StartAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is IOException or System.Net.Sockets.SocketException)
            {
                _started.TrySetException(e);
                throw;
            }
            var bound = BoundEndpoints(app);
            HttpLog.Listening(logger, string.Join(" ", bound), handler.Root);
            _started.TrySetResult(bound);
            try
            {
                await Task.Delay(Timeout.Infinite, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
            }
            await app.StopAsync(CancellationToken.None).ConfigureAwait(false);
        }
    }

    /// <summary>As TFTP: every interface DHCP may use; loopback only when named by <c>interface=</c>.</summary>
    internal static IEnumerable<HostInterface> SelectInterfaces(ServerConfig config, IEnumerable<HostInterface> interfaces) =>
        interfaces.Where(nic => config.Interfaces.Allows(nic.Name) && (!nic.IsLoopback || config.Interfaces.Include.Contains(nic.Name)));

    private static WebApplication Build(ImmutableArray<IPEndPoint> endpoints, HttpBootHandler handler)
    {
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        // Kestrel's own logs are not wanted: the handler writes one line per transfer.
        builder.Services.AddLogging();
        builder.WebHost.UseKestrelCore().ConfigureKestrel(options =>
        {
            options.AddServerHeader = false;
            foreach (var endpoint in endpoints)
            {
                options.Listen(endpoint);
            }
        });
        var app = builder.Build();
        app.Run(handler.HandleAsync);
        return app;
    }

    private static ImmutableArray<IPEndPoint> BoundEndpoints(WebApplication app)
    {
        var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses ?? [];
        return [.. addresses.Select(a => new Uri(a)).Select(u => new IPEndPoint(IPAddress.Parse(u.Host), u.Port))];
    }
}

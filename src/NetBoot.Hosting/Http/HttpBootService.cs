using System.Collections.Immutable;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using NetBoot.Configuration.Model;
using NetBoot.Hosting.Net;

namespace NetBoot.Hosting.Http;

/// <summary>Serves boot files over HTTP (<c>http-root</c>/<c>http-port</c>) with Kestrel, on the IPv4 addresses of
/// the interfaces DHCP may use (as TFTP does), so iPXE and UEFI HTTP Boot fetch kernels and initrds at wire speed.</summary>
public sealed class HttpBootService(ConfigSnapshot config, ILogger<HttpBootService> logger, Status.BootTelemetry? telemetry = null,
    TimeProvider? time = null)
{
    private readonly TimeProvider _time = time ?? TimeProvider.System;

    private readonly TaskCompletionSource<ImmutableArray<IPEndPoint>> _started = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>The endpoints actually bound (a port 0 request resolved), once listening.</summary>
    public Task<ImmutableArray<IPEndPoint>> Started => _started.Task;

    /// <summary>Listens on each interface DHCP may use, on 0.0.0.0 bound to the device (SO_BINDTODEVICE) rather than on
    /// the interface's address: a server renumbered while running (its address assigned by another DHCP server) keeps
    /// serving on its new address, and nothing has to be bound again after privileges are dropped.</summary>
    public async Task RunAsync(ImmutableArray<HostInterface> hostInterfaces, CancellationToken cancellationToken)
    {
        var snapshot = config.Current;
        if (!snapshot.Http.IsEnabled)
        {
            _started.TrySetResult([]);
            return;
        }
        var listeners = new List<(Socket Socket, HostInterface Nic)>();
        try
        {
            foreach (var nic in SelectInterfaces(snapshot, hostInterfaces).Where(n => !n.Addresses.IsEmpty))
            {
                listeners.Add((OpenDeviceListener(nic.Name, snapshot.Http.Port), nic));
            }
        }
        catch (SocketException e)
        {
            foreach (var (socket, _) in listeners)
            {
                socket.Dispose();
            }
            _started.TrySetException(e);
            throw;
        }
        if (listeners.Count == 0)
        {
            // Kestrel with no listener would fall back to localhost:5000: never serve where nobody asked.
            _started.TrySetResult([]);
            return;
        }
        try
        {
            // What the log and Started report: each interface's addresses with the port its socket got.
            var described = listeners
                .SelectMany(l => l.Nic.Addresses.Select(a => new IPEndPoint(a.Address.ToIPAddress(), ((IPEndPoint)l.Socket.LocalEndPoint!).Port)))
                .ToImmutableArray();
            await RunAsync(options =>
            {
                foreach (var (socket, _) in listeners)
                {
                    // Kestrel wraps the descriptor without owning it: the socket is disposed below, after the app stopped.
                    options.ListenHandle((ulong)socket.SafeHandle.DangerousGetHandle(), HttpLimits.Configure);
                }
            }, _ => described, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            foreach (var (socket, _) in listeners)
            {
                socket.Dispose();
            }
        }
    }

    private static Socket OpenDeviceListener(string interfaceName, int port)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
            socket.SetRawSocketOption(SolSocket, SoBindToDevice, Encoding.ASCII.GetBytes(interfaceName + "\0"));
            socket.Bind(new IPEndPoint(IPAddress.Any, port));
            socket.Listen(512);
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    private const int SolSocket = 1;
    private const int SoBindToDevice = 25;

    /// <summary>Listens on <paramref name="endpoints"/> until cancelled; throws at start-up when the root is missing
    /// or a port cannot be bound (the caller stops the other services: never half a server).</summary>
    public Task RunAsync(ImmutableArray<IPEndPoint> endpoints, CancellationToken cancellationToken) =>
        RunAsync(options =>
        {
            foreach (var endpoint in endpoints)
            {
                options.Listen(endpoint, HttpLimits.Configure);
            }
        }, BoundEndpoints, cancellationToken);

    private async Task RunAsync(Action<KestrelServerOptions> listen, Func<WebApplication, ImmutableArray<IPEndPoint>> bound,
        CancellationToken cancellationToken)
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
        // The listeners are bound by now: what is open is what the process holds before any client arrives.
        var budget = HttpConnectionBudget.Derive(snapshot.Http, snapshot.Tftp, DescriptorLimit.SoftLimit(), DescriptorLimit.OpenCount());
        LogBudget(snapshot.Http, budget);
        var table = new HttpConnectionTable(budget.Capacity, budget.PerClient);
        using var transport = new BudgetedSocketTransport(table, new HttpConnectionReport(logger, _time, budget.Capacity, budget.PerClient), logger, _time);
        var app = Build(listen, handler, budget, table, transport);
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
            var endpoints = bound(app);
            HttpLog.Listening(logger, string.Join(" ", endpoints), handler.Root);
            _started.TrySetResult(endpoints);
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

    private void LogBudget(HttpConfig http, HttpConnectionBudget budget)
    {
        var why = budget.IsLimitedByDescriptors ? "lowered to what the file descriptors allow"
            : http.MaxConnections == HttpConfig.DefaultMaxConnections && http.MaxConnectionsPerClient == HttpConfig.DefaultMaxConnectionsPerClient
                ? "the defaults" : "http-max-connections";
        HttpLog.Budget(logger, budget.Capacity, budget.PerClient, why, budget.DescriptorLimit, budget.Reserve);
        if (budget.IsDescriptorLimitTooLow)
        {
            HttpLog.DescriptorLimitTooLow(logger, budget.DescriptorLimit, budget.Reserve, budget.Capacity);
        }
    }

    private static WebApplication Build(Action<KestrelServerOptions> listen, HttpBootHandler handler, HttpConnectionBudget budget,
        HttpConnectionTable table, BudgetedSocketTransport transport)
    {
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        // Kestrel's own logs are not wanted: the handler writes one line per transfer.
        builder.Services.AddLogging();
        builder.WebHost.UseKestrelCore().ConfigureKestrel(options =>
        {
            options.AddServerHeader = false;
            HttpLimits.Apply(options.Limits, budget);
            listen(options);
        });
        // In place of Kestrel's socket transport (registered by UseKestrelCore), never beside it: every connection is
        // admitted by the budget, and accept failures back off.
        builder.Services.RemoveAll<IConnectionListenerFactory>();
        builder.Services.AddSingleton<IConnectionListenerFactory>(transport);
        var app = builder.Build();
        app.UseConnectionTracking(table);
        app.Run(handler.HandleAsync);
        return app;
    }

    private static ImmutableArray<IPEndPoint> BoundEndpoints(WebApplication app)
    {
        var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses ?? [];
        return [.. addresses.Select(a => new Uri(a)).Select(u => new IPEndPoint(IPAddress.Parse(u.Host), u.Port))];
    }
}

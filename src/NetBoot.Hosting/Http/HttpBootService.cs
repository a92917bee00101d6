using System.Collections.Immutable;
using System.Net;
using System.Net.Sockets;
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
using NetBoot.Hosting.Telemetry;
using NetBoot.Hosting.Udp;

namespace NetBoot.Hosting.Http;

/// <summary>Serves boot files over HTTP (<c>http-root</c>/<c>http-port</c>) with Kestrel, on the IPv4 and IPv6 addresses
/// of the interfaces DHCP may use (as TFTP does), so iPXE and UEFI HTTP Boot fetch kernels and initrds at wire speed.</summary>
public sealed class HttpBootService(ConfigSnapshot config, ILogger<HttpBootService> logger, Status.BootTelemetry? telemetry = null,
    TimeProvider? time = null)
{
    private readonly TimeProvider _time = time ?? TimeProvider.System;

    private readonly TaskCompletionSource<ImmutableArray<IPEndPoint>> _started = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>The endpoints actually bound (a port 0 request resolved), once listening.</summary>
    public Task<ImmutableArray<IPEndPoint>> Started => _started.Task;

    /// <summary>Serves on a fixed set of interfaces until cancelled.</summary>
    public Task RunAsync(ImmutableArray<HostInterface> hostInterfaces, CancellationToken cancellationToken) =>
        RunAsync(InterfaceAddresses.Fixed(hostInterfaces), cancellationToken);

    /// <summary>Listens on each interface DHCP may use that is up and has IPv4 or an IPv6 address beyond its link-local
    /// one, now or whenever <paramref name="addresses"/> says so later, on 0.0.0.0 and [::] bound to the device
    /// (SO_BINDTODEVICE) rather than on the interface's address: a server
    /// renumbered while running (its address assigned by another DHCP server) keeps serving on its new address, nothing
    /// has to be bound again after privileges are dropped, and an interface that is gone takes only its own socket along.</summary>
    public async Task RunAsync(InterfaceAddresses addresses, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(addresses);
        var snapshot = config.Current;
        if (!snapshot.Http.IsEnabled)
        {
            _started.TrySetResult([]);
            return;
        }
        var policy = InterfacePolicy.Create(snapshot.Interfaces, addresses.Initial);
        var queue = new DeviceAcceptQueue(_time);
        var loops = new List<Task>();
        var listeners = new InterfaceListeners<DeviceListener>(
            nic => nic.IsUp && (nic.HasIPv4 || nic.HasIPv6) && policy.Covers(nic),
            (nic, report) => OpenDevice(nic, report, snapshot.Http.Port, queue, loops, cancellationToken),
            (nic, device) =>
            {
                RuntimeLog.StoppedListening(logger, "HTTP", nic.Name);
                device.Stop.Cancel();
            });
        void OnAddressesChanged(InterfaceReading reading) => listeners.Update(reading);
        try
        {
            try
            {
                listeners.Update(addresses.Current, throwOnFailure: true);
            }
            catch (SocketException e)
            {
                _started.TrySetException(e);
                throw;
            }
            addresses.Changed += OnAddressesChanged;
            listeners.Update(addresses.Current);
            // What the log and Started report: each interface's addresses with the port (IPv6: beyond link-local).
            var described = listeners.Listeners.SelectMany(Describe).ToImmutableArray();
            var endpoint = new DeviceSetEndPoint(queue, snapshot.Http.Port);
            await RunAsync(options => options.Listen(endpoint, HttpLimits.Configure), _ => described, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            addresses.Changed -= OnAddressesChanged;
            listeners.Stop();
            Task[] running;
            lock (loops)
            {
                running = [.. loops];
            }
            await Task.WhenAll(running).ConfigureAwait(false);
        }
    }

    /// <summary>One interface's listening socket and what stops its accept loop (not linked to the service's token:
    /// nothing to unregister when the interface goes; the loop links both).</summary>
    private sealed record DeviceListener(HostInterface Nic, int Port, bool ListensIPv6, CancellationTokenSource Stop);

    private static IEnumerable<IPEndPoint> Describe(DeviceListener listener) =>
        listener.Nic.Addresses.Select(a => new IPEndPoint(a.Address.ToIPAddress(), listener.Port))
            .Concat(listener.ListensIPv6 && !listener.Nic.IPv6Addresses.IsDefault
                ? listener.Nic.IPv6Addresses.Where(a => !a.Address.IsLinkLocal).Select(a => new IPEndPoint(a.Address.ToIPAddress(), listener.Port))
                : []);

    private DeviceListener OpenDevice(HostInterface nic, bool report, int port, DeviceAcceptQueue queue, List<Task> loops, CancellationToken cancellationToken)
    {
        Socket socket;
        try
        {
            socket = DeviceAcceptQueue.OpenDeviceListener(nic.Name, port);
        }
        catch (SocketException e)
        {
            if (report)
            {
                Log.CannotListen(logger, nic.Name, port, e.Message, BoundUdpSocket.Hint(e));
            }
            throw;
        }
        // A second socket for IPv6 rather than one dual-stack socket: see TftpService.Open. On the port the IPv4 one got
        // (the same unless http-port is 0, in tests).
        var bound = ((IPEndPoint)socket.LocalEndPoint!).Port;
        Socket? socket6;
        try
        {
            socket6 = DeviceAcceptQueue.OpenIPv6DeviceListener(nic.Name, bound);
        }
        catch (SocketException e)
        {
            socket.Dispose();
            if (report)
            {
                Log.CannotListen(logger, nic.Name, bound, e.Message, BoundUdpSocket.Hint(e));
            }
            throw;
        }
        Log.Listening(logger, "HTTP", nic.Name, string.Join(" ", nic.Addresses.Select(a => a.Address)), port);
        var stop = new CancellationTokenSource();
        Accept(queue, socket, loops, cancellationToken, stop.Token);
        if (socket6 is not null)
        {
            Log.Listening(logger, "HTTP", nic.Name, Tftp.TftpService.DescribeIPv6(nic), port);
            Accept(queue, socket6, loops, cancellationToken, stop.Token);
        }
        return new DeviceListener(nic, bound, socket6 is not null, stop);
    }

    private static void Accept(DeviceAcceptQueue queue, Socket socket, List<Task> loops, CancellationToken service, CancellationToken listener)
    {
        var loop = AcceptUntilStoppedAsync(queue, socket, service, listener);
        lock (loops)
        {
            loops.RemoveAll(t => t.IsCompleted);
            loops.Add(loop);
        }
    }

    private static async Task AcceptUntilStoppedAsync(DeviceAcceptQueue queue, Socket socket, CancellationToken service, CancellationToken listener)
    {
        using (socket)
        using (var stop = CancellationTokenSource.CreateLinkedTokenSource(service, listener))
        {
            await queue.RunAsync(socket, stop.Token).ConfigureAwait(false);
        }
    }

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

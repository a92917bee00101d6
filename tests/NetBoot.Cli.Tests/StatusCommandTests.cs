using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging.Abstractions;
using NetBoot.Configuration.Model;
using NetBoot.Hosting;
using NetBoot.Hosting.Status;
using NetBoot.Wire.Net;

namespace NetBoot.Cli.Tests;

/// <summary><c>netboot status</c> against a real status endpoint on loopback (the one <c>serve</c> runs for
/// <c>dashboard-listen</c>): the ranges, the pool, a client that failed and why, the token.</summary>
public sealed class StatusCommandTests : IAsyncLifetime
{
    private const string Token = "s3cret";
    private readonly CancellationTokenSource _stop = new();
    private StatusHost _host = null!;
    private Task _running = Task.CompletedTask;
    private string _url = "";

    public async Task InitializeAsync()
    {
        var port = FreePort();
        _url = $"http://127.0.0.1:{port}";
        var config = new ServerConfig
        {
            Ranges =
            [
                new DhcpRangeConfig { Start = IPv4Address.Parse("10.9.0.0"), End = IPv4Address.Parse("10.9.0.0"), Mode = DhcpRangeMode.Proxy, Source = new SourceLocation("netboot.conf", 3) },
                new DhcpRangeConfig { Start = IPv4Address.Parse("10.8.0.100"), End = IPv4Address.Parse("10.8.0.149"), Source = new SourceLocation("netboot.conf", 4) },
            ],
            Status = new StatusConfig { Dashboard = new ListenEndpoint(IPv4Address.Parse("127.0.0.1"), port), DashboardToken = Token },
        };
        _host = new StatusHost(config, TimeProvider.System);
        _running = _host.RunAsync(new ConfigSnapshot(config), null, NullLogger.Instance, _stop.Token);
        await _host.Started.WaitAsync(TimeSpan.FromSeconds(30));
    }

    public async Task DisposeAsync()
    {
        await _stop.CancelAsync();
        await _running;
        _host.Dispose();
        _stop.Dispose();
    }

    [Fact]
    public async Task Status_shows_the_ranges_the_pool_and_a_failed_client_with_its_reason()
    {
        _host.Telemetry.TftpRefused(IPAddress.Parse("10.9.0.77"), "pxelinux.0", "not_found", "file not found");

        var (code, stdout, stderr) = await CliRun.InvokeAsync("status", "--url", _url, "--token", Token);

        Assert.True(code == 0, stderr);
        Assert.Contains($"NetBoot at {_url}", stdout, StringComparison.Ordinal);
        Assert.Contains("ranges (2):\n  10.9.0.0 proxy (at line 3 of netboot.conf)\n  10.8.0.100-10.8.0.149 dynamic (at line 4 of netboot.conf)\n", stdout, StringComparison.Ordinal);
        Assert.Contains("pools (1):\n  10.8.0.100-10.8.0.149: 0 of 50 addresses leased\n", stdout, StringComparison.Ordinal);
        Assert.Matches(@"clients booting \(1\):\n  ip:10\.9\.0\.77  failed: tftp pxelinux\.0: file not found  10\.9\.0\.77  file pxelinux\.0  last seen \d+ s ago\n", stdout);
        Assert.Contains("leases (0):\n  none\n", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Without_the_token_the_server_says_it_wants_one_and_status_exits_2()
    {
        var (code, _, stderr) = await CliRun.InvokeAsync("status", "--url", _url);
        Assert.Equal(2, code);
        Assert.Contains("401 this dashboard needs its token", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_json_is_the_servers_state()
    {
        var (code, stdout, _) = await CliRun.InvokeAsync("status", "--url", _url, "--token", Token, "--json");
        Assert.Equal(0, code);
        Assert.StartsWith("{\"now\":", stdout, StringComparison.Ordinal);
        Assert.Contains("\"ranges\":[{\"start\":\"10.9.0.0\",\"end\":\"10.9.0.0\",\"mode\":\"proxy\"", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_configuration_without_dashboard_listen_says_what_to_add()
    {
        var (code, _, stderr) = await CliRun.InvokeAsync("status", "--dhcp-range=10.0.0.0,proxy", "--pxe-service=x86PC,Boot,pxelinux");
        Assert.Equal(1, code);
        Assert.Contains("no dashboard-listen in the configuration", stderr, StringComparison.Ordinal);
        Assert.Contains("dashboard-listen=9168", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task No_server_listening_is_an_error_that_names_the_address()
    {
        var (code, _, stderr) = await CliRun.InvokeAsync("status", "--url", $"http://127.0.0.1:{FreePort()}");
        Assert.Equal(2, code);
        Assert.Contains("no answer", stderr, StringComparison.Ordinal);
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using Microsoft.Extensions.Logging.Abstractions;
using NetBoot.Configuration.Model;
using NetBoot.Hosting.Status;
using NetBoot.Wire.Net;

namespace NetBoot.Hosting.Tests.Status;

/// <summary>The status endpoint on loopback: routes, read-only methods, the Host check, the dashboard token, metrics
/// after activity.</summary>
public sealed class StatusWebServiceTests : IAsyncLifetime
{
    private const string Token = "t0ken";
    private readonly CancellationTokenSource _stop = new();
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(20) };
    private StatusHost _host = null!;
    private Task _running = Task.CompletedTask;
    private int _metricsPort;
    private int _dashboardPort;

    public async Task InitializeAsync()
    {
        _metricsPort = FreePort();
        _dashboardPort = FreePort();
        var loopback = IPv4Address.Parse("127.0.0.1");
        var config = new ServerConfig
        {
            Status = new StatusConfig
            {
                Metrics = new ListenEndpoint(loopback, _metricsPort),
                Dashboard = new ListenEndpoint(loopback, _dashboardPort),
                DashboardToken = Token,
                HostNames = ["example-status-name"],
            },
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
        _http.Dispose();
        _stop.Dispose();
    }

    private string Dashboard(string path) => $"http://127.0.0.1:{_dashboardPort}{path}";

    [Fact]
    public async Task The_dashboard_asks_for_its_token()
    {
        var refused = await _http.GetAsync(new Uri(Dashboard("/")));
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        Assert.Contains("token", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        var page = await _http.GetAsync(new Uri(Dashboard("/?token=" + Token)));
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Contains("<title>NetBoot dashboard</title>", await page.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(Dashboard("/state")));
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", Token);
        var state = await _http.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, state.StatusCode);
        Assert.StartsWith("{\"now\":", await state.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("evil.example")]
    [InlineData("evil.example:80")]
    [InlineData("localhost.evil.example")]
    public async Task A_request_naming_another_host_is_refused_on_both_ports(string host)
    {
        foreach (var url in new[] { Dashboard("/?token=" + Token), $"http://127.0.0.1:{_metricsPort}/metrics" })
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(url));
            request.Headers.Host = host;
            var response = await _http.SendAsync(request);
            Assert.Equal((HttpStatusCode)421, response.StatusCode);
            var body = await response.Content.ReadAsStringAsync();
            Assert.DoesNotContain("netboot_", body, StringComparison.Ordinal);
            Assert.DoesNotContain("<title>", body, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("localhost")]
    [InlineData("127.0.0.1")]
    [InlineData("example-status-name")]
    public async Task A_request_naming_this_server_is_served(string host)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(Dashboard("/?token=" + Token)));
        request.Headers.Host = $"{host}:{_dashboardPort}";
        var response = await _http.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);

        using var scrape = new HttpRequestMessage(HttpMethod.Get, new Uri($"http://127.0.0.1:{_metricsPort}/metrics"));
        scrape.Headers.Host = host;
        Assert.Equal(HttpStatusCode.OK, (await _http.SendAsync(scrape)).StatusCode);
    }

    [Fact]
    public async Task This_machines_host_name_is_known()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri($"http://127.0.0.1:{_metricsPort}/metrics"));
        request.Headers.Host = Dns.GetHostName();
        Assert.Equal(HttpStatusCode.OK, (await _http.SendAsync(request)).StatusCode);
    }

    [Fact]
    public async Task It_is_read_only()
    {
        using var content = new StringContent("x");
        var response = await _http.PostAsync(new Uri(Dashboard("/?token=" + Token)), content);
        Assert.Equal(HttpStatusCode.MethodNotAllowed, response.StatusCode);
    }

    [Fact]
    public async Task Metrics_are_served_on_their_own_port_only_and_count_what_was_reported()
    {
        _host.Telemetry.TftpRefused(IPAddress.Loopback, "missing.bin", "not_found", "file not found");
        var metrics = await _http.GetStringAsync(new Uri($"http://127.0.0.1:{_metricsPort}/metrics"));
        Assert.Contains("netboot_tftp_transfers_total{result=\"not_found\"} 1", metrics, StringComparison.Ordinal);

        var elsewhere = await _http.GetAsync(new Uri(Dashboard("/metrics?token=" + Token)));
        Assert.Equal(HttpStatusCode.NotFound, elsewhere.StatusCode);
    }

    [Fact]
    public async Task Events_stream_the_state_of_a_client()
    {
        _host.Telemetry.TftpRefused(IPAddress.Parse("10.9.9.9"), "pxelinux.0", "not_found", "file not found");
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(Dashboard("/events?token=" + Token)));
        using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        Assert.Equal("event: state", await reader.ReadLineAsync());
        var data = await reader.ReadLineAsync();
        Assert.NotNull(data);
        Assert.Contains("\"stageText\":\"failed: tftp pxelinux.0: file not found\"", data, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Events_list_the_ipv6_leases()
    {
        var duid = Wire.Dhcp6.Duid.LinkLayer(HardwareAddress.Ethernet([0x52, 0x54, 0, 0x12, 0x34, 0x56]));
        _host.Ipv6Leases = () =>
        [
            new Engine.Dhcp6.Ipv6Lease(duid, 7, IPv6Address.Parse("2001:db8::1a7"), TimeSpan.FromHours(1), TimeSpan.FromHours(1),
                DateTimeOffset.UtcNow.AddHours(1), Engine.Dhcp6.Ipv6LeaseState.Bound),
        ];
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(Dashboard("/events?token=" + Token)));
        using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        Assert.Equal("event: state", await reader.ReadLineAsync());
        var data = await reader.ReadLineAsync();

        Assert.NotNull(data);
        Assert.Contains("\"leases6\":[{\"address\":\"2001:db8::1a7\",\"duid\":\"00:03:00:01:52:54:00:12:34:56\",\"iaid\":7,\"state\":\"bound\"", data, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Stopping_ends_an_open_event_stream_instead_of_waiting_for_the_page()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(Dashboard("/events?token=" + Token)));
        using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        Assert.Equal("event: state", await reader.ReadLineAsync());

        await _stop.CancelAsync();

        // Kestrel would otherwise wait its 30 s shutdown timeout for the stream to end.
        await _running.WaitAsync(TimeSpan.FromSeconds(15));
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

using System.Net;
using NetBoot.Configuration.Model;
using NetBoot.Hosting.Http;
using NetBoot.Hosting.Status;
using NetBoot.Hosting.Telemetry;
using NetBoot.Hosting.Tests.Http;
using NetBoot.Wire.Net;

namespace NetBoot.Hosting.Tests.Status;

/// <summary>The HTTP boot server on loopback reporting to telemetry: requests by status class and result, bytes sent,
/// durations, and the client's stage on the dashboard.</summary>
public sealed class HttpTelemetryTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("netboot-http-telemetry-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public async Task A_file_sent_and_a_file_missing_are_counted_and_tracked()
    {
        await File.WriteAllBytesAsync(Path.Combine(_root, "vmlinuz"), new byte[70_000]);
        var config = new ServerConfig
        {
            Http = new HttpConfig { IsEnabled = true, Root = _root, Port = 0 },
            Status = new StatusConfig { Dashboard = new ListenEndpoint(IPv4Address.Parse("127.0.0.1"), 9168) },
        };
        using var status = new StatusHost(config, TimeProvider.System);
        using var exporter = new PrometheusExporter(status.Metrics.Meter);
        var log = new RecordingLogger<HttpBootService>();
        var service = new HttpBootService(new ConfigSnapshot(config), log, status.Telemetry);
        using var stop = new CancellationTokenSource();
        var running = service.RunAsync([new IPEndPoint(IPAddress.Loopback, 0)], stop.Token);
        var endpoint = Assert.Single(await service.Started.WaitAsync(TimeSpan.FromSeconds(20)));
        using var client = new HttpClient { BaseAddress = new Uri($"http://{endpoint}/"), Timeout = TimeSpan.FromSeconds(20) };

        Assert.Equal(70_000, (await client.GetByteArrayAsync(new Uri("vmlinuz", UriKind.Relative))).Length);
        await log.WaitForAsync(l => l.StartsWith("HTTP GET /vmlinuz", StringComparison.Ordinal));
        Assert.Equal("done", status.Telemetry.Clients.Clients["ip:127.0.0.1"].StageText);
        using var missing = await client.GetAsync(new Uri("initrd.img", UriKind.Relative));
        await log.WaitForAsync(l => l.StartsWith("HTTP GET /initrd.img", StringComparison.Ordinal));

        var text = exporter.Collect();
        Assert.Contains("netboot_http_requests_total{status=\"2xx\",result=\"ok\"} 1\n", text, StringComparison.Ordinal);
        Assert.Contains("netboot_http_requests_total{status=\"4xx\",result=\"not_found\"} 1\n", text, StringComparison.Ordinal);
        Assert.Contains("netboot_http_sent_bytes_total 70000\n", text, StringComparison.Ordinal);
        Assert.Contains("netboot_http_request_duration_seconds_count{result=\"ok\"} 1\n", text, StringComparison.Ordinal);
        Assert.Equal("failed: http /initrd.img: file not found", status.Telemetry.Clients.Clients["ip:127.0.0.1"].StageText);
        await stop.CancelAsync();
        await running;
    }
}

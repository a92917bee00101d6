using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using NetBoot.Hosting.Status;
using NetBoot.Hosting.Telemetry;

namespace NetBoot.Hosting.Tests.Status;

public sealed class PrometheusExporterTests : IDisposable
{
    private readonly ServiceProvider _services = new ServiceCollection().AddMetrics().BuildServiceProvider();
    private readonly NetBootMetrics _metrics;
    private readonly PrometheusExporter _exporter;

    public PrometheusExporterTests()
    {
        _metrics = new NetBootMetrics(_services.GetRequiredService<IMeterFactory>());
        _exporter = new PrometheusExporter(_metrics.Meter);
    }

    public void Dispose()
    {
        _exporter.Dispose();
        _services.Dispose();
    }

    private static string[] Samples(string text) => [.. text.Split('\n').Where(l => l.Length > 0 && !l.StartsWith('#'))];

    [Fact]
    public void Counters_are_named_with_unit_and_total_and_carry_their_labels()
    {
        _metrics.DhcpRequests.Add(1, new("message_type", "discover"), new("mode", "proxy"));
        _metrics.DhcpRequests.Add(2, new("message_type", "discover"), new("mode", "proxy"));
        _metrics.DhcpRequests.Add(1, new("message_type", "request"), new("mode", "4011"));
        _metrics.TftpSent.Add(1234);

        var text = _exporter.Collect();

        Assert.Contains("# TYPE netboot_dhcp_requests_total counter\n", text, StringComparison.Ordinal);
        Assert.Contains("# HELP netboot_dhcp_requests_total DHCP and PXE requests received", text, StringComparison.Ordinal);
        var samples = Samples(text);
        Assert.Contains("netboot_dhcp_requests_total{message_type=\"discover\",mode=\"proxy\"} 3", samples);
        Assert.Contains("netboot_dhcp_requests_total{message_type=\"request\",mode=\"4011\"} 1", samples);
        Assert.Contains("netboot_tftp_sent_bytes_total 1234", samples);
    }

    [Fact]
    public void Histograms_have_cumulative_buckets_sum_and_count()
    {
        _metrics.LeaseCommitDuration.Record(0.0002);
        _metrics.LeaseCommitDuration.Record(0.003);
        _metrics.LeaseCommitDuration.Record(5);

        var samples = Samples(_exporter.Collect());

        Assert.Contains("netboot_dhcp_lease_commit_duration_seconds_bucket{le=\"0.0001\"} 0", samples);
        Assert.Contains("netboot_dhcp_lease_commit_duration_seconds_bucket{le=\"0.00025\"} 1", samples);
        Assert.Contains("netboot_dhcp_lease_commit_duration_seconds_bucket{le=\"0.005\"} 2", samples);
        Assert.Contains("netboot_dhcp_lease_commit_duration_seconds_bucket{le=\"1\"} 2", samples);
        Assert.Contains("netboot_dhcp_lease_commit_duration_seconds_bucket{le=\"+Inf\"} 3", samples);
        Assert.Contains("netboot_dhcp_lease_commit_duration_seconds_count 3", samples);
        Assert.Contains(samples, s => s.StartsWith("netboot_dhcp_lease_commit_duration_seconds_sum 5.003", StringComparison.Ordinal));
    }

    [Fact]
    public void Labelled_histograms_put_le_last()
    {
        _metrics.TftpDuration.Record(0.2, new KeyValuePair<string, object?>("result", "completed"));
        Assert.Contains("netboot_tftp_transfer_duration_seconds_bucket{result=\"completed\",le=\"0.25\"} 1", Samples(_exporter.Collect()));
    }

    [Fact]
    public void Up_down_counters_and_observed_pools_are_gauges()
    {
        _metrics.TftpActive.Add(2);
        _metrics.TftpActive.Add(-1);
        var used = 3;
        _metrics.ObservePools(() => [new PoolUsage("10.0.0.100-10.0.0.199", 100, used)]);

        var text = _exporter.Collect();
        Assert.Contains("# TYPE netboot_tftp_active gauge\n", text, StringComparison.Ordinal);
        Assert.Contains("netboot_tftp_active 1", Samples(text));
        Assert.Contains("netboot_dhcp_pool_size{range=\"10.0.0.100-10.0.0.199\"} 100", Samples(text));
        Assert.Contains("netboot_dhcp_pool_used{range=\"10.0.0.100-10.0.0.199\"} 3", Samples(text));

        used = 7;
        Assert.Contains("netboot_dhcp_pool_used{range=\"10.0.0.100-10.0.0.199\"} 7", Samples(_exporter.Collect()));
    }

    [Fact]
    public void The_pool_series_of_a_range_removed_by_a_reload_vanish_and_the_new_range_appears()
    {
        var snapshot = new ConfigSnapshot(Config("dhcp-range=10.0.0.100,10.0.0.199\ndhcp-range=10.0.1.100,10.0.1.149"));
        _metrics.ObservePools(() => PoolUsageCalculator.Compute(snapshot.Current.Ranges, [], DateTimeOffset.UnixEpoch));
        var before = Samples(_exporter.Collect());
        Assert.Contains("netboot_dhcp_pool_size{range=\"10.0.0.100-10.0.0.199\"} 100", before);
        Assert.Contains("netboot_dhcp_pool_size{range=\"10.0.1.100-10.0.1.149\"} 50", before);

        snapshot.Swap(Config("dhcp-range=10.0.1.100,10.0.1.149\ndhcp-range=10.0.2.10,10.0.2.19"));
        var after = Samples(_exporter.Collect());

        Assert.DoesNotContain(after, s => s.Contains("10.0.0.100-10.0.0.199", StringComparison.Ordinal));
        Assert.Contains("netboot_dhcp_pool_size{range=\"10.0.1.100-10.0.1.149\"} 50", after);
        Assert.Contains("netboot_dhcp_pool_size{range=\"10.0.2.10-10.0.2.19\"} 10", after);
        Assert.Contains("netboot_dhcp_pool_used{range=\"10.0.2.10-10.0.2.19\"} 0", after);
    }

    private static Configuration.Model.ServerConfig Config(string text) => Configuration.Parsing.DnsmasqConfigReader.Parse(text).Config!;

    [Fact]
    public void Label_values_are_escaped()
    {
        _metrics.DhcpDrops.Add(1, new KeyValuePair<string, object?>("reason", "a\"b\\c\nd"));
        Assert.Contains("netboot_dhcp_drops_total{reason=\"a\\\"b\\\\c\\nd\"} 1", Samples(_exporter.Collect()));
    }

    [Fact]
    public void Another_meter_is_not_exported()
    {
        using var other = new Meter("NetBoot.Other");
        other.CreateCounter<long>("other.thing").Add(1);
        Assert.DoesNotContain("other_thing", _exporter.Collect(), StringComparison.Ordinal);
    }
}

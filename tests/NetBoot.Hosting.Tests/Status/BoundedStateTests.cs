using System.Diagnostics.Metrics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using NetBoot.Configuration.Model;
using NetBoot.Engine;
using NetBoot.Engine.Leases;
using NetBoot.Engine.Limits;
using NetBoot.Hosting.Dhcp;
using NetBoot.Hosting.Status;
using NetBoot.Hosting.Telemetry;
using NetBoot.Hosting.Tests.Http;
using NetBoot.Wire.Dhcp;
using NetBoot.Wire.Net;

namespace NetBoot.Hosting.Tests.Status;

/// <summary>docs/hostile-input.md, "Bounded memory": every per-client structure stays within its bound under a flood of
/// 200 000 distinct keys, and an event or packet costs the same work however many clients are held (counted in steps,
/// never timed).</summary>
public sealed class BoundedStateTests : IDisposable
{
    private const int Flood = 200_000;
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly ArrivalInterface Lan = new("lan0", 2, IPv4Address.Parse("10.0.0.1"), IPv4Address.Parse("255.255.255.0"));

    /// <summary>The most an event may cost the tracker: itself, then for each of its (at most 3) addresses a look through
    /// the client's <see cref="BootTracker.MaxAddresses"/>, one dropped, one claimed and one address-only entry merged
    /// away (2), then one client evicted with its addresses.</summary>
    private const int MaxStepsPerEvent = 1 + 3 * (BootTracker.MaxAddresses + 1 + 1 + 2) + 1 + BootTracker.MaxAddresses;

    private readonly StatusHost _tracking = new(new ServerConfig
    {
        Status = new StatusConfig { Dashboard = new ListenEndpoint(IPv4Address.Parse("127.0.0.1"), 9168) },
    }, TimeProvider.System);

    public void Dispose() => _tracking.Dispose();

    private static HardwareAddress Mac(int n, byte type = 1) => new(type, [2, 0, (byte)(n >> 24), (byte)(n >> 16), (byte)(n >> 8), (byte)n]);

    private static IPv4Address Address(int n) => new((uint)(0x0a000000 + n));

    private static DhcpExchanged Request(int second, HardwareAddress client, IPv4Address ciaddr, IPv4Address source = default) =>
        new(T0.AddSeconds(second), client, "REQUEST", "4011", [ciaddr, source], "ACK", "pxelinux.0");

    /// <summary>Applies <paramref name="e"/> and returns what it cost.</summary>
    private static long Cost(BootTracker tracker, BootEvent e)
    {
        var before = tracker.Steps;
        tracker.Apply(e);
        return tracker.Steps - before;
    }

    [Fact]
    public void The_tracker_holds_at_most_its_capacity_of_clients_and_addresses_under_200000_new_macs()
    {
        var tracker = new BootTracker();
        var maxCost = 0L;
        for (var n = 0; n < Flood; n++)
        {
            maxCost = Math.Max(maxCost, Cost(tracker, Request(n / 1000, Mac(n), Address(n), Address(n + Flood))));
            Assert.InRange(tracker.Count, 1, BootTracker.DefaultCapacity);
            Assert.InRange(tracker.OwnerCount, 1, BootTracker.DefaultCapacity * BootTracker.MaxAddresses);
        }
        Assert.Equal(BootTracker.DefaultCapacity, tracker.Count);
        // The newest are kept, the oldest went first.
        var clients = tracker.Snapshot().Clients;
        Assert.Contains(BootClientId.Of(Mac(Flood - 1)).Text, clients.Keys);
        Assert.DoesNotContain(BootClientId.Of(Mac(Flood - 1 - BootTracker.DefaultCapacity)).Text, clients.Keys);
        Assert.InRange(maxCost, 1, MaxStepsPerEvent);
    }

    [Fact]
    public void One_mac_cycling_htype_and_ciaddr_is_bounded_like_any_other_flood()
    {
        var tracker = new BootTracker();
        for (var n = 0; n < Flood; n++)
        {
            var type = (byte)(1 + n % 255);
            Assert.InRange(Cost(tracker, Request(n / 1000, Mac(7, type), Address(n))), 1, MaxStepsPerEvent);
            Assert.InRange(tracker.Count, 1, BootTracker.DefaultCapacity);
        }
        // 255 identities (as the leases see them), each with its last addresses only.
        Assert.Equal(255, tracker.Count);
        Assert.All(tracker.Snapshot().Clients.Values, c => Assert.InRange(c.Addresses.Length, 1, BootTracker.MaxAddresses));
        Assert.InRange(tracker.OwnerCount, 1, 255 * BootTracker.MaxAddresses);
    }

    [Fact]
    public void An_event_costs_the_same_with_one_client_tracked_as_with_a_full_table()
    {
        var alone = new BootTracker();
        var full = new BootTracker();
        for (var n = 0; n < BootTracker.DefaultCapacity; n++)
        {
            for (var a = 0; a < BootTracker.MaxAddresses; a++)
            {
                full.Apply(Request(0, Mac(n), Address(n * 8 + a)));
            }
        }
        Assert.Equal(BootTracker.DefaultCapacity * BootTracker.MaxAddresses, full.OwnerCount);

        // The same stream of 20 000 requests (one client, a new ciaddr each) into both trackers.
        long aloneCost = 0, fullCost = 0;
        for (var n = 0; n < 20_000; n++)
        {
            var e = Request(1, Mac(Flood), Address(Flood + n));
            aloneCost += Cost(alone, e);
            fullCost += Cost(full, e);
        }
        // The full table evicted one client for the newcomer, once; otherwise the work was the same, event for event.
        Assert.InRange(fullCost - aloneCost, 0, MaxStepsPerEvent);
        Assert.InRange(aloneCost, 20_000, 20_000L * MaxStepsPerEvent);
    }

    [Fact]
    public async Task Reporting_never_waits_for_a_stalled_tracker_and_a_full_queue_drops_and_counts()
    {
        using var exporter = new PrometheusExporter(_tracking.Metrics.Meter);
        var telemetry = _tracking.Telemetry;
        using var stalled = new ManualResetEventSlim();
        using var release = new ManualResetEventSlim();
        // The folding side is stuck (it holds its lock and does not move): nothing drains the queue.
        var folder = Task.Factory.StartNew(() =>
        {
            lock (telemetry.FoldLock)
            {
                stalled.Set();
                release.Wait();
            }
        }, TaskCreationOptions.LongRunning);
        stalled.Wait();

        var reporting = Task.Factory.StartNew(() =>
        {
            for (var n = 0; n < Flood; n++)
            {
                var request = new DhcpRequest(DhcpMessage.CreateRequest(DhcpMessageType.Discover, Mac(n), 1), Lan, default, 68, 67);
                telemetry.DhcpDecided(request, new NoReply(NoReplyReason.NotAPxeClient), hasLeaseStore: false);
            }
        }, TaskCreationOptions.LongRunning);
        // A reporter that waited for the folding side would still be waiting when this gives up (a deadlock guard, not
        // a measure of speed: the folding side is only released after it).
        await reporting.WaitAsync(TimeSpan.FromSeconds(60));

        Assert.Equal(BootTelemetry.QueueCapacity, telemetry.EventsWaiting);
        Assert.Equal(Flood - BootTelemetry.QueueCapacity, telemetry.EventsDropped);
        Assert.Contains($"netboot_status_events_dropped_total {Flood - BootTelemetry.QueueCapacity}\n", exporter.Collect(), StringComparison.Ordinal);

        release.Set();
        await folder;
        var clients = telemetry.Clients.Clients;
        Assert.Equal(BootTelemetry.MaxClients, clients.Count);
        Assert.Equal(0, telemetry.EventsWaiting);
        Assert.Contains(BootClientId.Of(Mac(BootTelemetry.QueueCapacity - 1)).Text, clients.Keys);
    }

    [Fact]
    public void The_event_queue_holds_at_most_its_capacity_and_counts_what_it_drops()
    {
        var queue = new BoundedEventQueue<int>(100);
        for (var n = 0; n < Flood; n++)
        {
            Assert.Equal(n < 100, queue.TryEnqueue(n));
            Assert.InRange(queue.Count, 1, 100);
        }
        Assert.Equal(Flood - 100, queue.Dropped);
        Assert.True(queue.TryDequeue(out var first));
        Assert.Equal(0, first);
        Assert.True(queue.TryEnqueue(-1));
        Assert.Equal(100, queue.Count);
    }

    [Fact]
    public void The_recent_log_keeps_its_last_lines_each_cut_to_its_length()
    {
        var log = new RecentLog(TimeProvider.System);
        for (var n = 0; n < Flood; n++)
        {
            log.Add(LogLevel.Warning, "netboot", n % 1000 == 0 ? new string('x', 100_000) : "line " + n);
        }
        var lines = log.Lines();
        Assert.Equal(50, lines.Count);
        Assert.Equal("line " + (Flood - 1), lines[^1].Text);
        Assert.Equal("line " + (Flood - 50), lines[0].Text);
        Assert.Equal(Flood, log.Version);

        log.Add(LogLevel.Error, "netboot", new string('x', 100_000));
        Assert.Equal(RecentLog.MaxTextLength, log.Lines()[^1].Text.Length);
    }

    [Fact]
    public void The_malformed_log_limiter_remembers_at_most_its_capacity_and_writes_at_most_that_many_lines_an_interval()
    {
        var time = new FakeTimeProvider(T0);
        var limiter = new MalformedLogLimiter(time, TimeSpan.FromMinutes(1), capacity: 1024);
        var logged = 0;
        for (var n = 0; n < Flood; n++)
        {
            logged += limiter.ShouldLog(Address(n)) ? 1 : 0;
            Assert.InRange(limiter.Count, 1, 1024);
        }
        Assert.Equal(1024, logged);

        time.Advance(TimeSpan.FromMinutes(1));
        Assert.True(limiter.ShouldLog(Address(Flood)));
        Assert.False(limiter.ShouldLog(Address(Flood)));
        // A source logged a moment ago is still remembered after a flood of others that fits the table.
        for (var n = 0; n < 1000; n++)
        {
            limiter.ShouldLog(Address(2 * Flood + n));
        }
        Assert.False(limiter.ShouldLog(Address(Flood)));
    }

    [Fact]
    public void Ping_probes_wait_at_most_their_capacity_and_each_costs_O1()
    {
        var probes = new PingProbes(PingCheck.MaxPending);
        var now = T0;
        var calls = 0L;
        var accepted = 0;
        var expired = 0;
        for (var n = 0; n < Flood; n++)
        {
            // 20 000 probes a second for 10 s (five times what fits in one wait), every other one answered at once.
            now = now.AddMicroseconds(50);
            if (probes.TryAdd(Address(n), now + PingCheck.Wait, _ => { }, out var sequence))
            {
                accepted++;
                if (n % 2 == 0)
                {
                    Assert.NotNull(probes.Settle(sequence, Address(n)));
                }
            }
            Assert.Null(probes.Settle(sequence, Address(n + 1))); // an echo reply from another address settles nothing
            expired += probes.TakeDue(now)?.Count ?? 0;
            calls += 4;
            Assert.InRange(probes.Count, 0, PingCheck.MaxPending);
        }
        Assert.InRange(accepted, 2 * PingCheck.MaxPending, Flood / 2);
        Assert.InRange(expired, 1, accepted / 2 + 1);
        Assert.InRange(probes.Steps, calls / 4, 2 * calls);
    }

    [Fact]
    public void A_metric_fed_200000_distinct_tag_values_keeps_at_most_its_series_limit_and_counts_the_rest_in_overflow()
    {
        var counter = _tracking.Metrics.Meter.CreateCounter<long>("netboot.test.flood", "{request}", "test");
        using var exporter = new PrometheusExporter(_tracking.Metrics.Meter);
        for (var n = 0; n < Flood; n++)
        {
            counter.Add(1, new KeyValuePair<string, object?>("client", "c" + n));
        }
        var series = exporter.Collect().Split('\n').Where(l => l.StartsWith("netboot_test_flood_total", StringComparison.Ordinal)).ToList();
        Assert.Equal(PrometheusExporter.MaxSeriesPerMetric + 1, series.Count);
        Assert.Contains($"netboot_test_flood_total{{otel_metric_overflow=\"true\"}} {Flood - PrometheusExporter.MaxSeriesPerMetric}", series);
    }

    [Fact]
    public void The_rate_gate_tracks_at_most_its_capacity_of_clients_per_socket()
    {
        var time = new FakeTimeProvider(T0);
        var gate = new DhcpRateGate(new RecordingLogger<DhcpService>(), time);
        var limits = new DhcpRateLimitConfig(5, 0);
        for (var n = 0; n < Flood; n++)
        {
            time.Advance(TimeSpan.FromMicroseconds(50));
            gate.Admit("eth0", 67, limits, new ClientIdentity(Mac(n), [(byte)n, (byte)(n >> 8), (byte)(n >> 16)]), isKnown: false);
            Assert.InRange(gate.TrackedClients, 1, DhcpAdmission.ClientCapacity);
        }
        Assert.Equal(DhcpAdmission.ClientCapacity, gate.TrackedClients);
    }
}

using System.Diagnostics.Metrics;

namespace NetBoot.Hosting.Telemetry;

/// <summary>NetBoot's instruments (meter <c>NetBoot</c>): dotted names with UCUM units, exported as Prometheus text by
/// <see cref="PrometheusExporter"/>. Tag values are drawn from small fixed sets (message types, modes, reasons, results),
/// never from client data, so the number of series stays bounded.</summary>
public sealed class NetBootMetrics
{
    public const string MeterName = "NetBoot";

    /// <summary>Seconds: DHCP decisions and commits are sub-millisecond; transfers take seconds to minutes.</summary>
    internal static readonly double[] CommitBuckets = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1];
    internal static readonly double[] TransferBuckets = [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300];

    public NetBootMetrics(IMeterFactory meterFactory)
    {
        ArgumentNullException.ThrowIfNull(meterFactory);
        Meter = meterFactory.Create(MeterName);
        DhcpRequests = Meter.CreateCounter<long>("netboot.dhcp.requests", "{request}", "DHCP and PXE requests received, by message type and mode (proxy, 4011, full)");
        DhcpReplies = Meter.CreateCounter<long>("netboot.dhcp.replies", "{reply}", "DHCP and PXE replies sent, by message type and mode");
        DhcpDrops = Meter.CreateCounter<long>("netboot.dhcp.drops", "{request}", "DHCP requests not answered, by reason");
        LeaseCommitDuration = Meter.CreateHistogram<double>("netboot.dhcp.lease.commit.duration", "s", "Time from a lease decision until its change is durable in the lease store",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = CommitBuckets });
        TftpTransfers = Meter.CreateCounter<long>("netboot.tftp.transfers", "{transfer}", "TFTP transfers ended, by result");
        TftpSent = Meter.CreateCounter<long>("netboot.tftp.sent", "By", "TFTP data bytes sent, retransmissions included");
        TftpDuration = Meter.CreateHistogram<double>("netboot.tftp.transfer.duration", "s", "TFTP transfer durations, by result",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = TransferBuckets });
        TftpActive = Meter.CreateUpDownCounter<long>("netboot.tftp.active", "{transfer}", "TFTP transfers running");
        HttpRequests = Meter.CreateCounter<long>("netboot.http.requests", "{request}", "HTTP boot-file requests answered, by status code class and result");
        HttpSent = Meter.CreateCounter<long>("netboot.http.sent", "By", "HTTP boot-file bytes sent");
        HttpDuration = Meter.CreateHistogram<double>("netboot.http.request.duration", "s", "HTTP boot-file request durations, by result",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = TransferBuckets });
        Dhcp6Requests = Meter.CreateCounter<long>("netboot.dhcp6.requests", "{request}", "DHCPv6 messages received, by message type (relayed ones by their inner message)");
        Dhcp6Replies = Meter.CreateCounter<long>("netboot.dhcp6.replies", "{reply}", "DHCPv6 replies sent, by message type (ADVERTISE, REPLY)");
        Dhcp6Drops = Meter.CreateCounter<long>("netboot.dhcp6.drops", "{request}", "DHCPv6 messages not answered, by reason");
        StatusEventsDropped = Meter.CreateCounter<long>("netboot.status.events.dropped", "{event}",
            "Client events the dashboard's tracker did not get because its queue was full (the services never wait for it)");
    }

    public Meter Meter { get; }
    public Counter<long> DhcpRequests { get; }
    public Counter<long> DhcpReplies { get; }
    public Counter<long> DhcpDrops { get; }
    public Histogram<double> LeaseCommitDuration { get; }
    public Counter<long> TftpTransfers { get; }
    public Counter<long> TftpSent { get; }
    public Histogram<double> TftpDuration { get; }
    public UpDownCounter<long> TftpActive { get; }
    public Counter<long> HttpRequests { get; }
    public Counter<long> HttpSent { get; }
    public Histogram<double> HttpDuration { get; }
    public Counter<long> StatusEventsDropped { get; }
    public Counter<long> Dhcp6Requests { get; }
    public Counter<long> Dhcp6Replies { get; }
    public Counter<long> Dhcp6Drops { get; }

    /// <summary>IPv6 (IA_NA) leases by state (offered, bound, declined), read at each scrape from <paramref name="observe"/>.</summary>
    public void ObserveIpv6Leases(Func<IEnumerable<(string State, long Count)>> observe) =>
        Meter.CreateObservableGauge("netboot.dhcp6.leases", () => observe().Select(s => new Measurement<long>(s.Count, new KeyValuePair<string, object?>("state", s.State))),
            "{lease}", "IPv6 (IA_NA) leases held, by state");

    /// <summary>Pool size and use per <c>dhcp-range</c>, read at each scrape from <paramref name="observe"/>.</summary>
    public void ObservePools(Func<IEnumerable<PoolUsage>> observe)
    {
        Meter.CreateObservableGauge("netboot.dhcp.pool.size", () => observe().Select(p => new Measurement<long>(p.Size, new KeyValuePair<string, object?>("range", p.Range))),
            "{address}", "Addresses in each dynamic dhcp-range");
        Meter.CreateObservableGauge("netboot.dhcp.pool.used", () => observe().Select(p => new Measurement<long>(p.Used, new KeyValuePair<string, object?>("range", p.Range))),
            "{address}", "Addresses of each dynamic dhcp-range held by an active lease (offered, bound or declined)");
    }
}

/// <summary>One dynamic range (<c>START-END</c>) and how many of its addresses are leased.</summary>
public readonly record struct PoolUsage(string Range, long Size, long Used);

using System.Collections.Immutable;
using NetBoot.Configuration.Model;
using NetBoot.Engine.Leases;
using NetBoot.Hosting.Status;
using NetBoot.Hosting.Telemetry;
using NetBoot.Wire.Net;

namespace NetBoot.Hosting.Tests.Status;

public class PoolUsageCalculatorTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 26, 1, 0, 0, TimeSpan.Zero);

    private static DhcpRangeConfig Range(string start, string end, DhcpRangeMode mode = DhcpRangeMode.Dynamic) => new()
    {
        Start = IPv4Address.Parse(start),
        End = IPv4Address.Parse(end),
        Mode = mode,
        Source = new SourceLocation("t.conf", 1),
    };

    private static Lease Lease(string address, TimeSpan left) => new(
        IPv4Address.Parse(address), default, default, ImmutableArray<byte>.Empty, null, Now + left, LeaseState.Bound);

    [Fact]
    public void Counts_active_leases_inside_each_dynamic_range_only()
    {
        var usage = PoolUsageCalculator.Compute(
            [Range("10.0.0.100", "10.0.0.109"), Range("10.0.1.0", "10.0.1.0", DhcpRangeMode.Proxy), Range("10.0.2.10", "10.0.2.12")],
            [
                Lease("10.0.0.100", TimeSpan.FromHours(1)),
                Lease("10.0.0.109", TimeSpan.FromHours(1)),
                Lease("10.0.0.105", TimeSpan.FromHours(-1)),
                Lease("10.0.0.110", TimeSpan.FromHours(1)),
                Lease("10.0.2.11", TimeSpan.FromMinutes(1)),
            ],
            Now);
        Assert.Equal(
            [new PoolUsage("10.0.0.100-10.0.0.109", 10, 2), new PoolUsage("10.0.2.10-10.0.2.12", 3, 1)],
            usage);
    }
}

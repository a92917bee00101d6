using NetBoot.Configuration.Model;
using NetBoot.Engine.Leases;
using NetBoot.Hosting.Telemetry;

namespace NetBoot.Hosting.Status;

/// <summary>How full each dynamic <c>dhcp-range</c> is: leases whose address falls inside it and whose time is not up.</summary>
public static class PoolUsageCalculator
{
    public static IReadOnlyList<PoolUsage> Compute(IEnumerable<DhcpRangeConfig> ranges, IReadOnlyList<Lease> leases, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(ranges);
        ArgumentNullException.ThrowIfNull(leases);
        var active = leases.Where(l => l.IsActiveAt(now)).Select(l => l.Address.Value).Order().ToArray();
        return
        [
            .. ranges.Where(r => r.Mode == DhcpRangeMode.Dynamic).Select(r => new PoolUsage(
                $"{r.Start}-{r.End}",
                (long)r.End.Value - r.Start.Value + 1,
                CountBetween(active, r.Start.Value, r.End.Value))),
        ];
    }

    private static long CountBetween(uint[] sorted, uint first, uint last)
    {
        var from = Array.BinarySearch(sorted, first);
        from = from >= 0 ? from : ~from;
        var to = Array.BinarySearch(sorted, last);
        to = to >= 0 ? to + 1 : ~to;
        return Math.Max(0, to - from);
    }
}

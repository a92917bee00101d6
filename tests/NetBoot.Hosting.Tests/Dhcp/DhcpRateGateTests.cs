using Microsoft.Extensions.Time.Testing;
using NetBoot.Configuration.Model;
using NetBoot.Engine.Leases;
using NetBoot.Hosting.Dhcp;
using NetBoot.Hosting.Tests.Http;
using NetBoot.Wire.Net;

namespace NetBoot.Hosting.Tests.Dhcp;

public sealed class DhcpRateGateTests
{
    private static ClientIdentity Mac(int n) => new(HardwareAddress.Ethernet([2, 0, 0, (byte)(n >> 16), (byte)(n >> 8), (byte)n]), []);

    [Fact]
    public void A_flood_logs_one_line_when_shedding_starts_then_one_summary_per_interval_and_other_interfaces_keep_their_budget()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
        var logger = new RecordingLogger<DhcpService>();
        var gate = new DhcpRateGate(logger, time);
        var limits = new DhcpRateLimitConfig(5, 100);

        var admitted = Enumerable.Range(0, 5000).Count(n => gate.Admit("eth0", 67, limits, Mac(n), isKnown: false));
        Assert.Equal(100 * DhcpRateLimitConfig.BurstSeconds, admitted);
        Assert.True(gate.Admit("eth0", 67, limits, Mac(1_000_000), isKnown: true), "a known client is shed with the flood");
        Assert.True(gate.Admit("eth1", 67, limits, Mac(2_000_000), isKnown: false), "another interface is shed with the flood");
        Assert.True(gate.Admit("eth0", 4011, limits, Mac(3_000_000), isKnown: false), "the boot-server port is shed with the flood");
        Assert.Equal("DHCP rate limit reached on eth0 port 67", Assert.Single(logger.Lines)[..39]);

        time.Advance(TimeSpan.FromSeconds(10));
        gate.Admit("eth0", 67, limits, Mac(4_000_000), isKnown: true);
        Assert.Equal(2, logger.Lines.Count);
        Assert.Contains("4600 requests dropped in the last 10s (4600 from unknown clients over 100/s, 0 from clients over 5/s each)", logger.Lines.Last());
    }

    [Fact]
    public void Off_admits_everything_and_logs_nothing()
    {
        var logger = new RecordingLogger<DhcpService>();
        var gate = new DhcpRateGate(logger, TimeProvider.System);
        Assert.All(Enumerable.Range(0, 10_000), n => Assert.True(gate.Admit("eth0", 67, DhcpRateLimitConfig.Off, Mac(n % 2), false)));
        Assert.Empty(logger.Lines);
    }
}

using NetBoot.Hosting.Dhcp;
using NetBoot.Wire.Net;

namespace NetBoot.Hosting.Tests.Dhcp;

/// <summary>dhcp-relay's upstream interface: the longest-prefix route of /proc/net/route (little-endian hex).</summary>
public sealed class RouteTableTests
{
    // A default route via eth0, 10.82.0.0/24 on nbs1 and 10.82.0.128/25 on nbs2, as the kernel prints them.
    private static readonly string[] Lines =
    [
        "Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT",
        "eth0\t00000000\t0101A8C0\t0003\t0\t0\t0\t00000000\t0\t0\t0",
        "nbs1\t0000520A\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0",
        "nbs2\t8000520A\t00000000\t0001\t0\t0\t0\t80FFFFFF\t0\t0\t0",
        "garbage line",
    ];

    [Theory]
    [InlineData("10.82.0.2", "nbs1")]
    [InlineData("10.82.0.200", "nbs2")]
    [InlineData("192.0.2.1", "eth0")]
    public void The_longest_matching_prefix_wins(string server, string expected) =>
        Assert.Equal(expected, RouteTable.InterfaceFor(IPv4Address.Parse(server), Lines));

    [Fact]
    public void No_route_gives_null() =>
        Assert.Null(RouteTable.InterfaceFor(IPv4Address.Parse("10.82.0.2"), Lines.Take(1)));
}

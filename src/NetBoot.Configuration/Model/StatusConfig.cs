using System.Collections.Immutable;
using NetBoot.Wire.Net;

namespace NetBoot.Configuration.Model;

/// <summary>An address and TCP port to listen on, from <c>[ADDRESS:]PORT</c> (the address defaults to loopback).</summary>
public readonly record struct ListenEndpoint(IPv4Address Address, int Port)
{
    public bool IsLoopback => Address.ToString().StartsWith("127.", StringComparison.Ordinal);

    public override string ToString() => $"{Address}:{Port}";
}

/// <summary>NetBoot's own observability directives (dnsmasq has none): <c>metrics-listen=[ADDR:]PORT</c> serves
/// Prometheus text on <c>/metrics</c>; <c>dashboard-listen=[ADDR:]PORT</c> serves the read-only live dashboard
/// (<c>/</c>, <c>/events</c>, <c>/state</c>); <c>dashboard-token=SECRET</c> makes the dashboard ask for it. Both
/// are off unless given, and bind to 127.0.0.1 when no address is written. One port may serve both;
/// <c>status-host=NAME</c> adds a name they may be reached by.</summary>
public sealed record StatusConfig
{
    public ListenEndpoint? Metrics { get; init; }
    public ListenEndpoint? Dashboard { get; init; }
    /// <summary>Required (as <c>?token=</c> or <c>Authorization: Bearer</c>) by every dashboard URL when set.</summary>
    public string? DashboardToken { get; init; }
    /// <summary><c>status-host=NAME[,NAME…]</c>: names both ports answer to besides an address, <c>localhost</c> (on
    /// loopback) and this machine's host name; a request naming any other host is refused (DNS rebinding).</summary>
    public ImmutableArray<string> HostNames { get; init; } = [];
    public SourceLocation? Source { get; init; }

    public bool IsEnabled => Metrics is not null || Dashboard is not null;
}

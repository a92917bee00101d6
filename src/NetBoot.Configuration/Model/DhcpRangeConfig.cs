using NetBoot.Wire.Net;

namespace NetBoot.Configuration.Model;

public enum DhcpRangeMode
{
    /// <summary>Leases from <c>Start</c>..<c>End</c>.</summary>
    Dynamic,
    /// <summary><c>static</c>: only <c>dhcp-host</c> addresses are given on this net.</summary>
    Static,
    /// <summary><c>proxy</c>: boot information only; another server leases addresses (PXE spec proxyDHCP).</summary>
    Proxy,
}

/// <summary><c>dhcp-range=[tag:t,…][set:t,]start[,end|static|proxy][,netmask[,broadcast]][,lease]</c>.</summary>
public sealed record DhcpRangeConfig
{
    public required IPv4Address Start { get; init; }
    public required IPv4Address End { get; init; }
    public DhcpRangeMode Mode { get; init; } = DhcpRangeMode.Dynamic;
    /// <summary>Null: taken from the interface the range's subnet is on.</summary>
    public IPv4Address? Netmask { get; init; }
    public IPv4Address? Broadcast { get; init; }
    /// <summary>Null for <c>infinite</c>.</summary>
    public TimeSpan? LeaseTime { get; init; } = TimeSpan.FromHours(1);
    /// <summary>The <c>set:</c> tag added when a request is served from this range.</summary>
    public string? SetTag { get; init; }
    public TagFilter Filter { get; init; } = TagFilter.None;
    public required SourceLocation Source { get; init; }
}

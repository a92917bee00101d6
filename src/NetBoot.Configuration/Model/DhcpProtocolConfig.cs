using System.Collections.Immutable;
using NetBoot.Wire.Net;

namespace NetBoot.Configuration.Model;

/// <summary>dnsmasq's DHCP protocol switches (issue 18): who gets broadcast replies, which client names are kept or
/// made, rapid commit, option 81 flags, the client identifier, the server identifier seen through relays, and which
/// networks share an interface or relay.</summary>
public sealed record DhcpProtocolConfig
{
    /// <summary><c>dhcp-broadcast[=tag:x…]</c>: replies to matching clients carry the broadcast flag (an empty filter:
    /// every client).</summary>
    public ImmutableArray<TagFilter> Broadcast { get; init; } = [];
    /// <summary><c>dhcp-ignore-names[=tag:x…]</c>: the name a matching client gives is not kept.</summary>
    public ImmutableArray<TagFilter> IgnoreNames { get; init; } = [];
    /// <summary><c>dhcp-generate-names[=tag:x…]</c>: a matching client without a name is named from its MAC.</summary>
    public ImmutableArray<TagFilter> GenerateNames { get; init; } = [];
    /// <summary><c>dhcp-name-match=set:tag,name[*]</c>.</summary>
    public ImmutableArray<DhcpNameMatchConfig> NameMatches { get; init; } = [];
    /// <summary><c>dhcp-ignore-clid</c>: option 61 is not used to identify clients.</summary>
    public bool IgnoreClientId { get; init; }
    /// <summary><c>dhcp-rapid-commit</c>: a DISCOVER carrying option 80 is answered with an ACK (RFC 4039).</summary>
    public bool RapidCommit { get; init; }
    /// <summary><c>dhcp-client-update</c>: option 81 replies let the client update its own A record.</summary>
    public bool ClientUpdate { get; init; }
    /// <summary><c>dhcp-proxy</c> given: relayed replies name the relay as server identifier (RFC 5107 by hand).</summary>
    public bool OverrideServerIdentifier { get; init; }
    /// <summary><c>dhcp-proxy=addr…</c>: only these relays (none listed: every relay).</summary>
    public ImmutableArray<IPv4Address> OverrideRelays { get; init; } = [];
    /// <summary><c>shared-network=interface|relay,address</c>.</summary>
    public ImmutableArray<SharedNetworkConfig> SharedNetworks { get; init; } = [];
    /// <summary><c>dhcp-relay=local,server[#port][,interface]</c>.</summary>
    public ImmutableArray<DhcpRelayConfig> Relays { get; init; } = [];
    /// <summary><c>bridge-interface=interface,alias[,alias…]</c>.</summary>
    public ImmutableArray<BridgeInterfaceConfig> Bridges { get; init; } = [];
}

/// <summary><c>bridge-interface=INTERFACE,ALIAS[,ALIAS…]</c> (dnsmasq <c>LOPT_BRIDGE</c>): requests arriving on an alias
/// (a name, or a prefix with a trailing <c>*</c>) are served as if they had arrived on <see cref="InterfaceName"/> (its
/// address, ranges and server identifier); the reply leaves by the alias they came in on.</summary>
public sealed record BridgeInterfaceConfig(string InterfaceName, ImmutableArray<string> Aliases, SourceLocation Source)
{
    /// <summary>Whether <paramref name="name"/> is one of the aliases (dnsmasq <c>wildcard_matchn</c>).</summary>
    public bool HasAlias(string name) =>
        Aliases.Any(a => a.EndsWith('*') ? name.StartsWith(a[..^1], StringComparison.Ordinal) : a == name);
}

/// <summary><c>dhcp-relay=LOCAL,SERVER[#PORT][,INTERFACE]</c> (dnsmasq, DHCPv4): requests arriving on the interface that
/// holds <see cref="Local"/> (or on <see cref="InterfaceName"/>) are forwarded to <see cref="Server"/> with
/// <c>giaddr</c> = LOCAL; the server's replies to LOCAL go back to the client.</summary>
public sealed record DhcpRelayConfig(IPv4Address Local, IPv4Address Server, ushort ServerPort, string? InterfaceName, SourceLocation Source);

/// <summary><c>dhcp-name-match=set:TAG,NAME[*]</c>: the client's name (option 81 or 12) equals <see cref="Name"/>, or
/// starts with it when <see cref="IsPrefix"/>; compared without regard to case (dnsmasq <c>hostname_isequal</c>).</summary>
public sealed record DhcpNameMatchConfig(string SetTag, string Name, bool IsPrefix, SourceLocation Source);

/// <summary><c>shared-network=INTERFACE|RELAY,ADDRESS</c> (dnsmasq 2.86): requests arriving on the interface, or relayed
/// with <c>giaddr</c> = the relay address, may also be served from the ranges whose network holds
/// <see cref="SharedAddress"/>.</summary>
public sealed record SharedNetworkConfig(string? InterfaceName, IPv4Address? RelayAddress, IPv4Address SharedAddress, SourceLocation Source);

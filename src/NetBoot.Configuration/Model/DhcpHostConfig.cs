using System.Collections.Immutable;
using NetBoot.Wire.Net;

namespace NetBoot.Configuration.Model;

/// <summary><c>dhcp-host=[mac…][,id:…][,set:t][,tag:t][,address][,hostname][,lease|infinite][,ignore]</c>.</summary>
public sealed record DhcpHostConfig
{
    /// <summary>Hardware addresses (type and bytes; a null byte is a <c>*</c> wildcard). Several addresses name one
    /// machine (a laptop's wired and wireless NICs): one of them holds the address at a time.</summary>
    public ImmutableArray<HardwareAddressPattern> HardwareAddresses { get; init; } = [];
    /// <summary><c>id:</c> client identifiers (option 61 bytes).</summary>
    public ImmutableArray<ImmutableArray<byte>> ClientIds { get; init; } = [];
    /// <summary><c>id:*</c>: match on hardware address even if the client sends a client-id, and keep no client-id on
    /// its lease, so that every boot stage of the machine finds the same lease by its hardware address.</summary>
    public bool IgnoresClientId { get; init; }
    public IPv4Address? Address { get; init; }
    /// <summary><c>[2001:db8::5]</c>: the DHCPv6 address, given when it is on the prefix of a range of the client's link
    /// (the engine's <c>Dhcp6Hosts</c>). A zero network part (<c>[::5]</c>) is a wildcard: the host part on the prefix of
    /// each <c>constructor:</c> range (dnsmasq's CONFIG_WILDCARD). One address per line; dnsmasq 2.81's several
    /// addresses and <c>[addr/prefix]</c> blocks are not read.</summary>
    public IPv6Address? Ipv6Address { get; init; }
    public string? HostName { get; init; }
    /// <summary>Null with <see cref="IsInfinite"/> false: the range's lease time.</summary>
    public TimeSpan? LeaseTime { get; init; }
    public bool IsInfinite { get; init; }
    public bool IsIgnored { get; init; }
    public ImmutableArray<string> SetTags { get; init; } = [];
    public TagFilter Filter { get; init; } = TagFilter.None;
    public required SourceLocation Source { get; init; }
}

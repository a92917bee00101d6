using System.Collections.Immutable;
using NetBoot.Wire.Net;

namespace NetBoot.Wire.Icmp6;

/// <summary>ICMPv6 message types NetBoot reads or writes (RFC 4443 §2.1, RFC 4861 §4).</summary>
public enum Icmp6Type : byte
{
    RouterSolicitation = 133,
    RouterAdvertisement = 134,
    NeighborSolicitation = 135,
    NeighborAdvertisement = 136,
}

/// <summary>Neighbor Discovery option types (RFC 4861 §4.6, RFC 8106 §5, RFC 4191 §2.3).</summary>
public enum NeighborDiscoveryOptionType : byte
{
    SourceLinkLayerAddress = 1,
    TargetLinkLayerAddress = 2,
    PrefixInformation = 3,
    RedirectedHeader = 4,
    Mtu = 5,
    RouteInformation = 24,
    /// <summary>RDNSS (RFC 8106 §5.1).</summary>
    RecursiveDnsServer = 25,
    /// <summary>DNSSL (RFC 8106 §5.2).</summary>
    DnsSearchList = 31,
}

/// <summary>Default Router Preference, the 2-bit <c>Prf</c> field of the RA flags (RFC 4191 §2.1); dnsmasq's
/// <c>ra-param=…,high|low</c> sets it.</summary>
public enum RouterPreference : byte
{
    Medium = 0,
    High = 1,
    /// <summary>RFC 4191 §2.2: a receiver treats 10 as Medium.</summary>
    Reserved = 2,
    Low = 3,
}

/// <summary>Why bytes are not a well-formed Router Advertisement or Solicitation.</summary>
public enum Icmp6DecodeError
{
    None,
    /// <summary>Shorter than the message's fixed part (RS 8 bytes, RA 16 bytes).</summary>
    TooShort,
    /// <summary>The ICMPv6 type is not the one asked for.</summary>
    WrongType,
    /// <summary>RFC 4861 §6.1: the ICMP code must be 0.</summary>
    BadCode,
    /// <summary>RFC 4861 §4.6: an option of length 0 makes the whole packet invalid.</summary>
    ZeroLengthOption,
    /// <summary>An option runs past the end of the message.</summary>
    TruncatedOption,
    /// <summary>A known option whose length does not fit its layout (prefix information not 32 bytes, …).</summary>
    MalformedOption,
    /// <summary>More than <see cref="NeighborDiscoveryDecoder.MaximumOptionCount"/> options.</summary>
    TooManyOptions,
}

/// <summary>An option kept as raw bytes: its type and the bytes after the type and length octets (padding included).</summary>
public readonly record struct NeighborDiscoveryOption(NeighborDiscoveryOptionType Type, ImmutableArray<byte> Data)
{
    public bool Equals(NeighborDiscoveryOption other) => Type == other.Type && Data.AsSpan().SequenceEqual(other.Data.AsSpan());

    public override int GetHashCode() => HashCode.Combine(Type, Data.Length);
}

/// <summary>Prefix Information option (RFC 4861 §4.6.2).</summary>
/// <param name="IsOnLink">L flag: the prefix is on-link.</param>
/// <param name="IsAutonomous">A flag: hosts may form addresses from it by SLAAC (RFC 4862).</param>
/// <param name="OtherFlags">The remaining flag bits as sent (R, RFC 6275 §7.2, and reserved ones).</param>
public readonly record struct PrefixInformation(
    IPv6Address Prefix, byte PrefixLength, bool IsOnLink, bool IsAutonomous, TimeSpan ValidLifetime, TimeSpan PreferredLifetime, byte OtherFlags = 0);

/// <summary>RDNSS option (RFC 8106 §5.1): DNS servers valid for <paramref name="Lifetime"/>.</summary>
public readonly record struct RecursiveDnsServerOption(TimeSpan Lifetime, ImmutableArray<IPv6Address> Servers)
{
    public bool Equals(RecursiveDnsServerOption other) => Lifetime == other.Lifetime && Servers.AsSpan().SequenceEqual(other.Servers.AsSpan());

    public override int GetHashCode() => HashCode.Combine(Lifetime, Servers.Length);
}

/// <summary>DNSSL option (RFC 8106 §5.2): search domains valid for <paramref name="Lifetime"/>.</summary>
public readonly record struct DnsSearchListOption(TimeSpan Lifetime, ImmutableArray<string> Domains)
{
    public bool Equals(DnsSearchListOption other) => Lifetime == other.Lifetime && Domains.AsSpan().SequenceEqual(other.Domains.AsSpan());

    public override int GetHashCode() => HashCode.Combine(Lifetime, Domains.Length);
}

/// <summary>Router Solicitation (RFC 4861 §4.1).</summary>
public sealed record RouterSolicitation
{
    /// <summary>Option 1; empty when absent (a host without an address yet must leave it out, RFC 4861 §4.1).</summary>
    public ImmutableArray<byte> SourceLinkLayerAddress { get; init; } = [];

    public ImmutableArray<NeighborDiscoveryOption> OtherOptions { get; init; } = [];

    public bool Equals(RouterSolicitation? other) =>
        other is not null && SourceLinkLayerAddress.AsSpan().SequenceEqual(other.SourceLinkLayerAddress.AsSpan())
        && OtherOptions.AsSpan().SequenceEqual(other.OtherOptions.AsSpan());

    public override int GetHashCode() => SourceLinkLayerAddress.Length;
}

/// <summary>Router Advertisement (RFC 4861 §4.2) with the options a DHCPv6/RA server sends (dnsmasq's radv.c set).</summary>
public sealed record RouterAdvertisement
{
    /// <summary>Cur Hop Limit; 0 means unspecified.</summary>
    public byte CurrentHopLimit { get; init; }

    /// <summary>M flag: addresses are available from DHCPv6.</summary>
    public bool IsManaged { get; init; }

    /// <summary>O flag: other configuration (DNS, boot options) is available from DHCPv6.</summary>
    public bool IsOtherConfiguration { get; init; }

    /// <summary>Prf (RFC 4191 §2.2).</summary>
    public RouterPreference Preference { get; init; }

    /// <summary>The flag bits other than M, O and Prf (H, RFC 6275; reserved), kept as sent.</summary>
    public byte OtherFlags { get; init; }

    /// <summary>0 means "not a default router" (RFC 4861 §4.2); at most 9000 s.</summary>
    public TimeSpan RouterLifetime { get; init; }

    /// <summary>Milliseconds on the wire; 0 means unspecified.</summary>
    public TimeSpan ReachableTime { get; init; }

    /// <summary>Milliseconds on the wire; 0 means unspecified.</summary>
    public TimeSpan RetransmitTimer { get; init; }

    /// <summary>Option 1; empty when absent.</summary>
    public ImmutableArray<byte> SourceLinkLayerAddress { get; init; } = [];

    /// <summary>Option 5.</summary>
    public uint? Mtu { get; init; }

    public ImmutableArray<PrefixInformation> Prefixes { get; init; } = [];

    public ImmutableArray<RecursiveDnsServerOption> DnsServers { get; init; } = [];

    public ImmutableArray<DnsSearchListOption> SearchLists { get; init; } = [];

    /// <summary>Options of other types, raw, in wire order.</summary>
    public ImmutableArray<NeighborDiscoveryOption> OtherOptions { get; init; } = [];

    public bool Equals(RouterAdvertisement? other) =>
        other is not null
        && CurrentHopLimit == other.CurrentHopLimit && IsManaged == other.IsManaged
        && IsOtherConfiguration == other.IsOtherConfiguration && Preference == other.Preference && OtherFlags == other.OtherFlags
        && RouterLifetime == other.RouterLifetime && ReachableTime == other.ReachableTime && RetransmitTimer == other.RetransmitTimer
        && SourceLinkLayerAddress.AsSpan().SequenceEqual(other.SourceLinkLayerAddress.AsSpan()) && Mtu == other.Mtu
        && Prefixes.AsSpan().SequenceEqual(other.Prefixes.AsSpan())
        && DnsServers.AsSpan().SequenceEqual(other.DnsServers.AsSpan())
        && SearchLists.AsSpan().SequenceEqual(other.SearchLists.AsSpan())
        && OtherOptions.AsSpan().SequenceEqual(other.OtherOptions.AsSpan());

    public override int GetHashCode() => HashCode.Combine(RouterLifetime, Prefixes.Length);
}

using System.Collections.Immutable;
using NetBoot.Wire.Icmp6;
using NetBoot.Wire.Net;

namespace NetBoot.Engine.Ra;

/// <summary>One IPv6 address of an interface as the kernel lists it (dnsmasq's <c>iface_enumerate</c> callback
/// arguments). Lifetimes are <see cref="RaLifetime.Infinite"/> for a permanent (statically added) address.</summary>
/// <param name="IsPermanent">IFA_F_PERMANENT: configured, not learnt by SLAAC or DHCPv6; only such an address makes a
/// <c>constructor:</c> range (dnsmasq construct_worker).</param>
public sealed record RaInterfaceAddress(
    IPv6Address Address,
    int PrefixLength,
    TimeSpan PreferredLifetime,
    TimeSpan ValidLifetime,
    bool IsDeprecated = false,
    bool IsTentative = false,
    bool IsPermanent = true)
{
    public static RaInterfaceAddress Permanent(IPv6Address address, int prefixLength) =>
        new(address, prefixLength, RaLifetime.Infinite, RaLifetime.Infinite);

    /// <summary>fc00::/7 (RFC 4193): dnsmasq keeps the best ULA apart from the best global address.</summary>
    public bool IsUniqueLocal => (Address.Value >> 121) == 0x7E;

    /// <summary>What a prefix can be advertised from: not link-local, multicast or loopback.</summary>
    public bool IsRoutable => !Address.IsLinkLocal && !Address.IsMulticast && Address.Value != UInt128.One;
}

/// <summary>The interface an RA is planned for: its name (for ra-param, constructor: and the interface tag), MAC (source
/// link-layer address option), IPv6 MTU (<c>/proc/sys/net/ipv6/conf/&lt;if&gt;/mtu</c>), the hop limit to advertise and
/// its IPv6 addresses.</summary>
public sealed record RaLinkState(
    string InterfaceName,
    ImmutableArray<byte> HardwareAddress,
    int Mtu,
    byte HopLimit,
    ImmutableArray<RaInterfaceAddress> Addresses);

/// <summary>Lifetimes on the wire are 32-bit seconds; all ones means infinity (RFC 4861 §4.6.2).</summary>
public static class RaLifetime
{
    public static readonly TimeSpan Infinite = TimeSpan.FromSeconds(uint.MaxValue);

    public static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;
}

/// <summary>Why no router advertisement is sent on an interface (the reason of log event 4403, a value a structured sink
/// can filter on; <see cref="RaNotSentReasons.Describe"/> puts it in words for the summary).</summary>
public enum RaNotSentReason
{
    /// <summary>No enable-ra and no dhcp-range with an RA mode (ra-only, slaac, ra-names, ra-stateless, ra-advrouter).</summary>
    NotEnabled,
    /// <summary>The interface has no link-local address an RA can come from (none, tentative or deprecated):
    /// RFC 4861 §6.1.2.</summary>
    NoLinkLocalAddress,
    /// <summary>enable-ra is on and no dhcp-range matches an address of this interface.</summary>
    NoRangeMatches,
    /// <summary>enable-ra is off and no dhcp-range with an RA mode matches an address of this interface.</summary>
    NoRaModeRangeMatches,
}

public static class RaNotSentReasons
{
    /// <summary>The reason in words (the configuration summary's "none (…)").</summary>
    public static string Describe(this RaNotSentReason reason) => reason switch
    {
        RaNotSentReason.NotEnabled => "no enable-ra and no dhcp-range with ra-only, slaac, ra-names, ra-stateless or ra-advrouter",
        RaNotSentReason.NoLinkLocalAddress => "the interface has no usable link-local address (RFC 4861 §6.1.2)",
        RaNotSentReason.NoRangeMatches => "no dhcp-range matches an address of this interface",
        RaNotSentReason.NoRaModeRangeMatches => "no dhcp-range with an RA mode matches an address of this interface (enable-ra is off)",
        _ => reason.ToString(),
    };
}

/// <summary>What to send on one interface, or why nothing is sent there.</summary>
/// <param name="Message">Null when nothing is advertised on the interface (see <paramref name="NotSentReason"/>).</param>
/// <param name="Source">The link-local address the RA must come from (RFC 4861 §4.2, §6.1.2).</param>
/// <param name="Interval">MaxRtrAdvInterval: ra-param's interval, 600 s by default, kept within 4…1800 s.</param>
public sealed record RouterAdvertisementPlan(
    string InterfaceName,
    RouterAdvertisement? Message,
    IPv6Address Source,
    TimeSpan Interval,
    RaNotSentReason? NotSentReason)
{
    public bool Sends => Message is not null;

    public ImmutableArray<PrefixInformation> Prefixes => Message?.Prefixes ?? [];
}

using System.Collections.Immutable;
using NetBoot.Configuration.Model;
using NetBoot.Wire.Dhcp;
using NetBoot.Wire.Net;

namespace NetBoot.Engine.Dhcp;

/// <summary>A <c>dhcp-range</c> that applies to a request (dnsmasq's <c>context</c>), with the netmask in effect.</summary>
public sealed record RangeContext(DhcpRangeConfig Range, IPv4Address Netmask)
{
    public bool IsProxy => Range.Mode == DhcpRangeMode.Proxy;

    /// <summary>dnsmasq <c>is_same_net</c> on both ends of the range.</summary>
    public bool Contains(IPv4Address address) =>
        address.IsInSubnet(Range.Start, Netmask) && address.IsInSubnet(Range.End, Netmask);
}

/// <summary>Which ranges a request belongs to (dnsmasq <c>complete_context</c> and the start of <c>dhcp_reply</c>):
/// those on the arrival interface's network; for a relayed request those containing <c>giaddr</c>; for a client that
/// already has an address (<c>ciaddr</c>) those containing it, falling back to the interface's.</summary>
public static class RangeSelector
{
    public static ImmutableArray<RangeContext> Select(DhcpMessage message, ArrivalInterface arrival, ServerConfig config)
    {
        var onInterface = OnInterface(arrival, config);

        // RFC 2131 §4.3.1: a relayed request is served from the relay's subnet (giaddr), never the interface's.
        if (!message.RelayAgentAddress.IsZero)
        {
            return Containing(message.RelayAgentAddress, arrival, config);
        }
        if (message.ClientAddress.IsZero || onInterface.Any(c => c.Contains(message.ClientAddress)))
        {
            return onInterface;
        }
        // dnsmasq: a client renewing without its relay is matched by ciaddr; if nothing matches, keep the interface's.
        var byClientAddress = Containing(message.ClientAddress, arrival, config);
        return byClientAddress.IsEmpty ? onInterface : byClientAddress;
    }

    /// <summary>dnsmasq <c>complete_context</c>: ranges on the interface's network, under the range's netmask or, when it
    /// gives none, the interface's.</summary>
    public static ImmutableArray<RangeContext> OnInterface(ArrivalInterface arrival, ServerConfig config) =>
        [.. config.Ranges
            .Select(r => new RangeContext(r, r.Netmask ?? arrival.Netmask))
            .Where(c => c.Contains(arrival.Address))];

    /// <summary>Ranges whose network contains <paramref name="address"/> (a relay's or a client's), in configuration order.</summary>
    public static ImmutableArray<RangeContext> Containing(IPv4Address address, ArrivalInterface arrival, ServerConfig config) =>
        [.. config.Ranges
            .Select(r => new RangeContext(r, EffectiveNetmask(r, arrival)))
            .Where(c => !c.Netmask.IsZero && c.Contains(address))];

    /// <summary>The range's own netmask; else the interface's when the range lies on its network; else dnsmasq's
    /// guess for relayed networks by address class (A /8, B /16, C /24).</summary>
    public static IPv4Address EffectiveNetmask(DhcpRangeConfig range, ArrivalInterface arrival)
    {
        if (range.Netmask is { } mask)
        {
            return mask;
        }
        if (range.Start.IsInSubnet(arrival.Address, arrival.Netmask) && range.End.IsInSubnet(arrival.Address, arrival.Netmask))
        {
            return arrival.Netmask;
        }
        return ClassfulNetmask(range.Start) is var start && start == ClassfulNetmask(range.End) ? start : IPv4Address.Any;
    }

    private static IPv4Address ClassfulNetmask(IPv4Address address) => (address.Value >> 28) switch
    {
        < 0x8 => IPv4Address.MaskFromPrefix(8),
        < 0xC => IPv4Address.MaskFromPrefix(16),
        < 0xE => IPv4Address.MaskFromPrefix(24),
        _ => IPv4Address.Any,
    };
}

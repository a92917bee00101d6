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
        var shares = !config.Protocol.SharedNetworks.IsEmpty;
        var onInterface = OnInterface(arrival, config);
        if (shares)
        {
            onInterface = WithShared(onInterface, SharedOnInterface(arrival, config));
        }

        // RFC 2131 §4.3.1: a relayed request is served from the relay's subnet (giaddr), never the interface's.
        if (!message.RelayAgentAddress.IsZero)
        {
            var relayed = Containing(message.RelayAgentAddress, arrival, config);
            return shares ? WithShared(relayed, SharedByRelay(message.RelayAgentAddress, arrival, config)) : relayed;
        }
        if (message.ClientAddress.IsZero || onInterface.Any(c => c.Contains(message.ClientAddress)))
        {
            return onInterface;
        }
        // dnsmasq: a client renewing without its relay is matched by ciaddr; if nothing matches, keep the interface's.
        var byClientAddress = Containing(message.ClientAddress, arrival, config);
        return byClientAddress.IsEmpty ? onInterface : byClientAddress;
    }

    /// <summary><c>shared-network=INTERFACE,ADDRESS</c> (dnsmasq 2.86 <c>complete_context</c> over shared addresses): the
    /// ranges on the network of each address shared with the arrival interface, under the range's netmask or the
    /// interface's, so one link can carry several subnets.</summary>
    private static IEnumerable<RangeContext> SharedOnInterface(ArrivalInterface arrival, ServerConfig config) =>
        config.Protocol.SharedNetworks
            .Where(n => n.InterfaceName == arrival.Name)
            .SelectMany(n => config.Ranges.Select(r => new RangeContext(r, r.Netmask ?? arrival.Netmask)).Where(c => c.Contains(n.SharedAddress)));

    /// <summary><c>shared-network=RELAY,ADDRESS</c> (dnsmasq <c>dhcp_reply</c>, <c>via_relay</c>): a request relayed with
    /// <c>giaddr</c> = RELAY may also use the ranges on ADDRESS's network (netmask as for any relayed network).</summary>
    private static IEnumerable<RangeContext> SharedByRelay(IPv4Address relay, ArrivalInterface arrival, ServerConfig config) =>
        config.Protocol.SharedNetworks
            .Where(n => n.RelayAddress == relay)
            .SelectMany(n => config.Ranges.Select(r => new RangeContext(r, EffectiveNetmask(r, arrival)))
                .Where(c => !c.Netmask.IsZero && c.Contains(n.SharedAddress)));

    /// <summary>The request's own ranges first, then shared ones not already among them.</summary>
    private static ImmutableArray<RangeContext> WithShared(ImmutableArray<RangeContext> own, IEnumerable<RangeContext> shared) =>
        [.. own, .. shared.Where(c => !own.Any(o => ReferenceEquals(o.Range, c.Range))).DistinctBy(c => c.Range)];

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

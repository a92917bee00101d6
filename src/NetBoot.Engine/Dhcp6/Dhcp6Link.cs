using System.Collections.Immutable;
using NetBoot.Configuration.Model;
using NetBoot.Wire.Net;

namespace NetBoot.Engine.Dhcp6;

/// <summary>An IPv6 <c>dhcp-range</c> made concrete for one link: a literal range as written, a <c>constructor:</c> one
/// with the interface's prefix filled in by the caller (which knows the interface addresses).</summary>
public sealed record Dhcp6LinkRange(IPv6Address Start, IPv6Address End, int PrefixLength, TimeSpan? LeaseTime, Dhcp6RangeConfig Config)
{
    public static Dhcp6LinkRange FromLiteral(Dhcp6RangeConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        return new(config.Start, config.End, config.PrefixLength, config.LeaseTime, config);
    }

    /// <summary>dnsmasq <c>constructor:</c>: the interface prefix with the template's host bits.</summary>
    public static Dhcp6LinkRange Constructed(Dhcp6RangeConfig config, IPv6Address interfacePrefix)
    {
        ArgumentNullException.ThrowIfNull(config);
        var length = config.PrefixLength;
        UInt128 hostMask = length >= 128 ? UInt128.Zero : UInt128.MaxValue >> length;
        var network = interfacePrefix.Mask(length).Value;
        return new(new(network | (config.Start.Value & hostMask)), new(network | (config.End.Value & hostMask)), length, config.LeaseTime, config);
    }

    public bool LeasesAddresses => Config.LeasesAddresses && !Config.Modes.HasFlag(Dhcp6RangeModes.Static);

    /// <summary>On the range's prefix (dnsmasq <c>address6_valid</c>).</summary>
    public bool IsOnLink(IPv6Address address) => address.Mask(PrefixLength) == Start.Mask(PrefixLength);

    /// <summary>Inside start..end (dnsmasq <c>address6_available</c>).</summary>
    public bool Contains(IPv6Address address) => address >= Start && address <= End;

    public UInt128 Size => End.Value - Start.Value + 1;
}

/// <summary>Where a message arrived: the link's ranges, this server's address there (for <c>[::]</c>) and the interface
/// name (for log lines).</summary>
public sealed record Dhcp6Link(string InterfaceName, IPv6Address ServerAddress, ImmutableArray<Dhcp6LinkRange> Ranges);

using System.Buffers.Binary;
using System.Collections.Immutable;
using NetBoot.Configuration.Model;
using NetBoot.Engine.Dhcp6;
using NetBoot.Wire.Dhcp6;
using NetBoot.Wire.Icmp6;
using NetBoot.Wire.Net;

namespace NetBoot.Engine.Ra;

/// <summary>The Router Advertisement for one interface, as dnsmasq's <c>send_ra_alias</c> and <c>add_prefixes</c>
/// (src/radv.c) build it: a pure function of the configuration and the interface's addresses.
/// <list type="bullet">
/// <item>Each address of the interface that lies in a range (literal, or <c>constructor:</c> made from that very address)
/// advertises the range's prefix: on-link (L) unless <c>off-link</c>, autonomous (A) when the range has an RA mode.</item>
/// <item>M and O: a range with an RA mode and an end address (DHCPv6) sets O, and M too unless <c>ra-stateless</c>; a
/// range without an RA mode is advertised only under <c>enable-ra</c>, with M and O (addresses come from DHCPv6).</item>
/// <item>Prefix lifetimes are infinite unless a lease time was written, then that (at least 3 × the interval); a
/// constructed prefix never outlives the interface address it came from; <c>deprecated</c> gives preferred 0.</item>
/// <item>Router lifetime 3 × interval unless ra-param sets it (0 = not a default router; else within interval…9000 s).</item>
/// </list></summary>
public static class RouterAdvertisementPlanner
{
    /// <summary>dnsmasq calc_interval: MaxRtrAdvInterval without ra-param.</summary>
    public static readonly TimeSpan DefaultInterval = TimeSpan.FromSeconds(600);

    /// <summary>RFC 4861 §4.2: the Router Lifetime field holds at most 9000 s (dnsmasq calc_lifetime's ceiling).</summary>
    public static readonly TimeSpan MaximumRouterLifetime = TimeSpan.FromSeconds(9000);

    /// <summary>Advertisement Interval option (RFC 6275 §7.3), sent with ra-advrouter.</summary>
    private const NeighborDiscoveryOptionType AdvertisementInterval = (NeighborDiscoveryOptionType)7;

    /// <param name="mtuOf">The IPv6 MTU of another interface, for <c>ra-param=…,mtu:&lt;interface&gt;</c>.</param>
    public static RouterAdvertisementPlan Plan(Ipv6Config config, RaLinkState link, Func<string, int?>? mtuOf = null)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(link);
        var param = ParamFor(config, link.InterfaceName);
        var interval = Interval(param);
        if (!config.SendsRouterAdvertisements)
        {
            return NotSent(link, interval, RaNotSentReason.NotEnabled);
        }
        // RFC 4861 §6.1.2: an RA comes from a link-local address; a tentative one (DAD running) cannot be a source yet.
        var linkLocal = link.Addresses.Where(a => a.Address.IsLinkLocal && !a.IsTentative && a.PreferredLifetime > TimeSpan.Zero)
            .MaxBy(a => a.PreferredLifetime);
        if (linkLocal is null)
        {
            return NotSent(link, interval, RaNotSentReason.NoLinkLocalAddress);
        }
        var walk = new PrefixWalk(config, interval, LinkRanges(config, link));
        foreach (var address in link.Addresses.Where(a => a.IsRoutable))
        {
            walk.Add(address);
        }
        if (!walk.FoundRange)
        {
            return NotSent(link, interval, config.EnableRouterAdvertisements
                ? RaNotSentReason.NoRangeMatches
                : RaNotSentReason.NoRaModeRangeMatches);
        }
        var optionLifetime = MinimumNonZero(walk.GlobalPreferred, walk.UniqueLocalPreferred, linkLocal.PreferredLifetime);
        var addresses = new ServerAddresses(walk.Global, walk.UniqueLocal, linkLocal.Address);
        var tags = walk.Tags.Add(link.InterfaceName);
        var message = new RouterAdvertisement
        {
            CurrentHopLimit = link.HopLimit,
            IsManaged = walk.IsManaged,
            IsOtherConfiguration = walk.IsOther,
            Preference = param?.Preference ?? RouterPreference.Medium,
            RouterLifetime = RouterLifetime(param),
            SourceLinkLayerAddress = link.HardwareAddress,
            Mtu = Mtu(param, link, mtuOf),
            Prefixes = walk.Prefixes.ToImmutable(),
            DnsServers = DnsServers(config, tags, addresses, optionLifetime),
            SearchLists = SearchLists(config, tags, optionLifetime),
            OtherOptions = walk.AdvertisesRouter ? [IntervalOption(interval)] : [],
        };
        return new RouterAdvertisementPlan(link.InterfaceName, message, linkLocal.Address, interval, null);
    }

    /// <summary>dnsmasq find_iface_param: the ra-param written last for a matching interface (its list is built by
    /// prepending).</summary>
    public static RouterAdvertisementParamConfig? ParamFor(Ipv6Config config, string interfaceName)
    {
        ArgumentNullException.ThrowIfNull(config);
        for (var i = config.RouterAdvertisementParams.Length - 1; i >= 0; i--)
        {
            if (WildcardMatches(config.RouterAdvertisementParams[i].Interface, interfaceName))
            {
                return config.RouterAdvertisementParams[i];
            }
        }
        return null;
    }

    /// <summary>dnsmasq calc_interval: 600 s unless ra-param gives a non-zero interval, kept within 4…1800 s (RFC 4861
    /// §6.2.1 MaxRtrAdvInterval bounds).</summary>
    public static TimeSpan Interval(RouterAdvertisementParamConfig? param)
    {
        if (param is null || param.Interval == TimeSpan.Zero)
        {
            return DefaultInterval;
        }
        return TimeSpan.FromSeconds(Math.Clamp(param.Interval.TotalSeconds, 4, 1800));
    }

    /// <summary>dnsmasq calc_lifetime: 3 × interval by default; a configured 0 stays 0 (not a default router), any other
    /// value is kept within interval…9000 s.</summary>
    public static TimeSpan RouterLifetime(RouterAdvertisementParamConfig? param)
    {
        var interval = Interval(param);
        if (param?.RouterLifetime is not { } lifetime)
        {
            return 3 * interval;
        }
        if (lifetime < interval && lifetime != TimeSpan.Zero)
        {
            return interval;
        }
        return lifetime > MaximumRouterLifetime ? MaximumRouterLifetime : lifetime;
    }

    /// <summary>dnsmasq wildcard_match: a <c>*</c> matches whatever follows (eth* matches eth0).</summary>
    public static bool WildcardMatches(string pattern, string name)
    {
        ArgumentNullException.ThrowIfNull(pattern);
        ArgumentNullException.ThrowIfNull(name);
        var star = pattern.IndexOf('*', StringComparison.Ordinal);
        return star < 0
            ? string.Equals(pattern, name, StringComparison.Ordinal)
            : name.Length >= star && string.CompareOrdinal(pattern, 0, name, 0, star) == 0;
    }

    /// <summary>The ranges as they stand on this link: literal ones, and each <c>constructor:</c> template matching the
    /// interface made concrete from each permanent, not deprecated, routable address whose prefix is no longer than the
    /// template's (dnsmasq construct_worker: a SLAAC or DHCPv6 address of the server itself makes none), once per prefix.</summary>
    public static ImmutableArray<Dhcp6LinkRange> LinkRanges(Ipv6Config config, RaLinkState link)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(link);
        var ranges = ImmutableArray.CreateBuilder<Dhcp6LinkRange>();
        foreach (var range in config.Ranges)
        {
            if (!range.IsTemplate)
            {
                ranges.Add(Dhcp6LinkRange.FromLiteral(range));
                continue;
            }
            if (!WildcardMatches(range.ConstructorInterface!, link.InterfaceName))
            {
                continue;
            }
            foreach (var address in link.Addresses.Where(a => a.IsRoutable && a.IsPermanent && !a.IsDeprecated && a.PrefixLength <= range.PrefixLength))
            {
                var constructed = Dhcp6LinkRange.Constructed(range, address.Address);
                if (!ranges.Any(r => r.Config == range && r.Start == constructed.Start))
                {
                    ranges.Add(constructed);
                }
            }
        }
        return ranges.ToImmutable();
    }

    private static RouterAdvertisementPlan NotSent(RaLinkState link, TimeSpan interval, RaNotSentReason reason) =>
        new(link.InterfaceName, null, IPv6Address.Any, interval, reason);

    /// <summary>ra-param mtu:off sends none; mtu:&lt;n&gt; that; otherwise the IPv6 MTU of mtu:&lt;interface&gt; or of
    /// this interface (dnsmasq reads /proc/sys/net/ipv6/conf/&lt;if&gt;/mtu).</summary>
    private static uint? Mtu(RouterAdvertisementParamConfig? param, RaLinkState link, Func<string, int?>? mtuOf)
    {
        if (param?.IsMtuOff == true)
        {
            return null;
        }
        var mtu = param?.Mtu ?? (param?.MtuInterface is { } other ? mtuOf?.Invoke(other) ?? 0 : link.Mtu);
        return mtu > 0 ? (uint)mtu : null;
    }

    private static NeighborDiscoveryOption IntervalOption(TimeSpan interval)
    {
        var data = new byte[6];
        BinaryPrimitives.WriteUInt32BigEndian(data.AsSpan(2), (uint)interval.TotalMilliseconds);
        return new NeighborDiscoveryOption(AdvertisementInterval, [.. data]);
    }

    /// <summary>dnsmasq: the smallest preferred lifetime among the best global, ULA and link-local addresses (those
    /// that are not 0) is the lifetime of RDNSS and DNSSL, "a rather arbitrary choice".</summary>
    private static TimeSpan MinimumNonZero(params TimeSpan[] times)
    {
        var minimum = RaLifetime.Infinite;
        foreach (var time in times.Where(t => t > TimeSpan.Zero))
        {
            minimum = RaLifetime.Min(minimum, time);
        }
        return minimum;
    }

    private sealed record ServerAddresses(IPv6Address? Global, IPv6Address? UniqueLocal, IPv6Address LinkLocal);

    /// <summary>RDNSS (RFC 8106) only from <c>dhcp-option=option6:dns-server,…</c>. dnsmasq, when no such option is set,
    /// advertises its own link-local address because it is the DNS server; NetBoot serves no DNS, so it sends RDNSS only
    /// when the option is configured. <c>[::]</c> stands for this server's global address, <c>[fd00::]</c> its ULA,
    /// <c>[fe80::]</c> its link-local address (dnsmasq's substitutions); one it cannot fill is left out.</summary>
    private static ImmutableArray<RecursiveDnsServerOption> DnsServers(Ipv6Config config, IReadOnlySet<string> tags, ServerAddresses own, TimeSpan lifetime)
    {
        if (OptionFor(config, Dhcp6OptionCode.DnsServers, tags) is not { } option)
        {
            return [];
        }
        var servers = ImmutableArray.CreateBuilder<IPv6Address>();
        foreach (var value in option.Values)
        {
            var text = value.StartsWith('[') && value.EndsWith(']') ? value[1..^1] : value;
            if (!IPv6Address.TryParse(text, out var address))
            {
                continue;
            }
            IPv6Address? server = address.IsZero ? own.Global
                : address == UniqueLocalZero ? own.UniqueLocal
                : address == LinkLocalZero ? own.LinkLocal
                : address;
            if (server is { } filled)
            {
                servers.Add(filled);
            }
        }
        return servers.Count == 0 ? [] : [new RecursiveDnsServerOption(lifetime, servers.ToImmutable())];
    }

    private static readonly IPv6Address UniqueLocalZero = IPv6Address.Parse("fd00::");
    private static readonly IPv6Address LinkLocalZero = IPv6Address.Parse("fe80::");

    /// <summary>DNSSL (RFC 8106 §5.2) from <c>dhcp-option=option6:domain-search,…</c>, as dnsmasq sends it.</summary>
    private static ImmutableArray<DnsSearchListOption> SearchLists(Ipv6Config config, IReadOnlySet<string> tags, TimeSpan lifetime) =>
        OptionFor(config, Dhcp6OptionCode.DomainList, tags) is { Values.Length: > 0 } option
            ? [new DnsSearchListOption(lifetime, option.Values)]
            : [];

    /// <summary>dnsmasq option_filter: an option whose tags match (the interface name and the ranges' set: tags) wins over
    /// one without tags.</summary>
    private static Dhcp6OptionConfig? OptionFor(Ipv6Config config, Dhcp6OptionCode code, IReadOnlySet<string> tags) =>
        config.Options.FirstOrDefault(o => o.Code == code && !o.Filter.IsEmpty && o.Filter.Matches(tags))
        ?? config.Options.FirstOrDefault(o => o.Code == code && o.Filter.IsEmpty);
}

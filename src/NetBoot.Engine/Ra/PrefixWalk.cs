using System.Collections.Immutable;
using NetBoot.Configuration.Model;
using NetBoot.Engine.Dhcp6;
using NetBoot.Wire.Icmp6;
using NetBoot.Wire.Net;

namespace NetBoot.Engine.Ra;

/// <summary>dnsmasq's add_prefixes, called once per routable address of the interface: collects the prefix options, the
/// M and O flags, the range tags and the best global and ULA addresses (for RDNSS substitution and option lifetimes).</summary>
internal sealed class PrefixWalk(Ipv6Config config, TimeSpan interval, ImmutableArray<Dhcp6LinkRange> ranges)
{
    /// <summary>RFC 6275 §7.2 R flag: the prefix field carries the router's own address.</summary>
    private const byte RouterAddressFlag = 0x20;

    private readonly HashSet<Dhcp6LinkRange> _advertised = [];

    public ImmutableArray<PrefixInformation>.Builder Prefixes { get; } = ImmutableArray.CreateBuilder<PrefixInformation>();

    public bool IsManaged { get; private set; }

    public bool IsOther { get; private set; }

    public bool FoundRange { get; private set; }

    public bool AdvertisesRouter { get; private set; }

    public ImmutableHashSet<string> Tags { get; private set; } = ImmutableHashSet.Create<string>(StringComparer.Ordinal);

    public IPv6Address? Global { get; private set; }

    public TimeSpan GlobalPreferred { get; private set; }

    public IPv6Address? UniqueLocal { get; private set; }

    public TimeSpan UniqueLocalPreferred { get; private set; }

    public void Add(RaInterfaceAddress address)
    {
        var prefixLength = 0;
        bool slaac = false, deprecate = false, constructed = false, advertiseRouter = false, offLink = false;
        var time = RaLifetime.Infinite;
        foreach (var range in ranges.Where(r => address.PrefixLength <= r.PrefixLength && r.IsOnLink(address.Address)))
        {
            if (!TakeFlags(range.Config, ref slaac))
            {
                continue;
            }
            if (range.Config.Modes.HasFlag(Dhcp6RangeModes.RaAdvertiseRouter))
            {
                advertiseRouter = AdvertisesRouter = true;
                prefixLength = range.PrefixLength;
            }
            time = Floor(range.Config, time);
            deprecate |= range.Config.Modes.HasFlag(Dhcp6RangeModes.Deprecated);
            constructed |= range.Config.IsTemplate;
            if (range.Config.SetTag is { } tag)
            {
                Tags = Tags.Add(tag);
            }
            // dnsmasq CONTEXT_RA_DONE: a prefix found again through a second address of the interface is not repeated.
            if (_advertised.Add(range))
            {
                prefixLength = range.PrefixLength;
                offLink = range.Config.Modes.HasFlag(Dhcp6RangeModes.OffLink);
            }
            FoundRange = true;
        }
        // The configured time is a ceiling; a constructed prefix also keeps the address's own shorter lifetimes.
        var valid = !constructed || address.ValidLifetime > time ? time : address.ValidLifetime;
        var preferred = address.IsDeprecated ? TimeSpan.Zero : address.PreferredLifetime;
        if (deprecate)
        {
            time = TimeSpan.Zero;
        }
        preferred = !constructed || preferred > time ? time : preferred;
        Remember(address.Address, address.IsUniqueLocal, preferred);
        if (prefixLength != 0)
        {
            var prefix = advertiseRouter ? address.Address : address.Address.Mask(prefixLength);
            Prefixes.Add(new PrefixInformation(prefix, (byte)prefixLength, !offLink, slaac, valid, preferred,
                advertiseRouter ? RouterAddressFlag : (byte)0));
        }
    }

    /// <summary>False: the range is not advertised (no RA mode, and enable-ra is off).</summary>
    private bool TakeFlags(Dhcp6RangeConfig range, ref bool slaac)
    {
        if (range.SendsRouterAdvertisements)
        {
            slaac = true;
            if (range.Modes.HasFlag(Dhcp6RangeModes.Dhcp))
            {
                IsOther = true;
                IsManaged |= !range.Modes.HasFlag(Dhcp6RangeModes.RaStateless);
            }
            return true;
        }
        if (!config.EnableRouterAdvertisements)
        {
            return false;
        }
        IsManaged = IsOther = true;
        return true;
    }

    /// <summary>dnsmasq: a written lease time lowers the prefix lifetimes, never below 3 × the RA interval; the default
    /// lease time is no floor.</summary>
    private TimeSpan Floor(Dhcp6RangeConfig range, TimeSpan time)
    {
        var lease = range.LeaseTime ?? RaLifetime.Infinite;
        if (!range.IsLeaseTimeSet || time <= lease)
        {
            return time;
        }
        return lease < 3 * interval ? 3 * interval : lease;
    }

    private void Remember(IPv6Address address, bool isUniqueLocal, TimeSpan preferred)
    {
        if (isUniqueLocal)
        {
            if (preferred > UniqueLocalPreferred)
            {
                (UniqueLocal, UniqueLocalPreferred) = (address, preferred);
            }
        }
        else if (preferred > GlobalPreferred)
        {
            (Global, GlobalPreferred) = (address, preferred);
        }
    }
}

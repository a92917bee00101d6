using System.Collections.Immutable;
using System.Text;
using NetBoot.Configuration.Model;
using NetBoot.Engine.Dhcp;
using NetBoot.Wire.Dhcp6;
using NetBoot.Wire.Net;

namespace NetBoot.Engine.Dhcp6;

/// <summary><c>dhcp-host</c> for DHCPv6, as dnsmasq reads it: <c>id:</c> is the client's DUID; a MAC is matched against the
/// link-layer address of a DUID-LL or DUID-LLT (the address a direct client's DUID carries); a line with only a name
/// matches the name the client gives (option 39). <c>[2001:db8::5]</c> is reserved for it when that address is on the
/// prefix of one of the link's ranges (not necessarily between start and end, as in DHCPv4); <c>[::5]</c>, with no
/// network part, is a wildcard: the host part on each <c>constructor:</c> range's prefix.</summary>
public static class Dhcp6Hosts
{
    /// <summary>The <c>dhcp-host</c> naming this client (its <c>tag:</c> conditions met): by DUID, then MAC, then name.</summary>
    public static DhcpHostConfig? Find(Dhcp6Message message, Duid client, ImmutableArray<DhcpHostConfig> hosts, TagSet tags)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (hosts.IsDefaultOrEmpty || client.Bytes.IsEmpty)
        {
            return null;
        }
        var hardware = client.TryGetLinkLayerAddress(out var mac) ? mac : default;
        if (ClientClassifier.FindHost(hardware, client.Bytes.AsSpan(), hosts, h => tags.Matches(h.Filter)) is { } host)
        {
            return host;
        }
        if (ClientName(message) is not { } name)
        {
            return null;
        }
        // dnsmasq: a name alone identifies a host when the line names no MAC and no id:.
        return hosts.FirstOrDefault(h => h.HardwareAddresses.IsDefaultOrEmpty && h.ClientIds.IsDefaultOrEmpty
            && string.Equals(h.HostName, name, StringComparison.OrdinalIgnoreCase) && tags.Matches(h.Filter));
    }

    /// <summary>The first label of option 39 (RFC 4704 §4: flags, then the name in DNS wire form; a partial name is
    /// allowed), null when absent or malformed.</summary>
    public static string? ClientName(Dhcp6Message message)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (!message.Options.TryGet(Dhcp6OptionCode.ClientFqdn, out var option) || option.Span.Length < 3)
        {
            return null;
        }
        var name = option.Span[1..];
        var length = name[0];
        if (length == 0 || length > 63 || length >= name.Length)
        {
            return null;
        }
        var label = name.Slice(1, length);
        foreach (var b in label)
        {
            if (!(char.IsAsciiLetterOrDigit((char)b) || b == '-'))
            {
                return null;
            }
        }
        return Encoding.ASCII.GetString(label);
    }

    /// <summary>dnsmasq CONFIG_WILDCARD: a reserved address whose upper 64 bits are zero is a host part only.</summary>
    public static bool IsWildcard(IPv6Address address) => (address.Value >> 64) == UInt128.Zero;

    /// <summary>The host's reserved address on one of <paramref name="ranges"/>, with that range; null when it has none
    /// on this link.</summary>
    public static (IPv6Address Address, Dhcp6LinkRange Range)? ReservedOn(DhcpHostConfig host, ImmutableArray<Dhcp6LinkRange> ranges)
    {
        ArgumentNullException.ThrowIfNull(host);
        if (host.Ipv6Address is not { } reserved)
        {
            return null;
        }
        foreach (var range in ranges)
        {
            if (IsWildcard(reserved))
            {
                if (range.Config.IsTemplate)
                {
                    UInt128 hostMask = range.PrefixLength >= 128 ? UInt128.Zero : UInt128.MaxValue >> range.PrefixLength;
                    return (new IPv6Address(range.Start.Mask(range.PrefixLength).Value | (reserved.Value & hostMask)), range);
                }
                continue;
            }
            if (range.IsOnLink(reserved))
            {
                return (reserved, range);
            }
        }
        return null;
    }

    /// <summary>Addresses on <paramref name="ranges"/> reserved for hosts other than <paramref name="mine"/>: the pool
    /// never hands them out (dnsmasq: an address configured for another host is not free).</summary>
    public static ImmutableHashSet<IPv6Address> ReservedForOthers(ImmutableArray<DhcpHostConfig> hosts, DhcpHostConfig? mine, ImmutableArray<Dhcp6LinkRange> ranges)
    {
        if (hosts.IsDefaultOrEmpty)
        {
            return [];
        }
        var reserved = ImmutableHashSet.CreateBuilder<IPv6Address>();
        foreach (var host in hosts)
        {
            if (host.Ipv6Address is not null && !ReferenceEquals(host, mine) && ReservedOn(host, ranges) is { } on)
            {
                reserved.Add(on.Address);
            }
        }
        return reserved.ToImmutable();
    }
}

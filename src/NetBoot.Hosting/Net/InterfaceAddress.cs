using System.Collections.Immutable;
using NetBoot.Wire.Net;

namespace NetBoot.Hosting.Net;

/// <summary>An interface as the sockets see it: name, kernel index, MTU, its IPv4 addresses with masks, whether it is
/// up (<c>IFF_UP</c>, set the moment <c>ip link set up</c> returns; not the operstate, which lags) and whether it has a
/// carrier (<c>IFF_LOWER_UP</c>: the link itself; a NIC negotiating its link has none for a second or more), and its IPv6
/// addresses with their prefix lengths (link-local included).</summary>
public sealed record HostInterface(
    string Name,
    int Index,
    int Mtu,
    bool IsLoopback,
    ImmutableArray<(IPv4Address Address, IPv4Address Netmask)> Addresses,
    bool IsUp = true,
    bool HasCarrier = true,
    ImmutableArray<(IPv6Address Address, int PrefixLength)> IPv6Addresses = default)
{
    public bool HasIPv4 => !Addresses.IsDefaultOrEmpty;

    /// <summary>An IPv6 address beyond the link-local one every interface that is up has (a global, unique-local or
    /// loopback address): what makes an interface worth serving over IPv6 alone, as an IPv4 address does over IPv4.</summary>
    public bool HasIPv6 => !IPv6Addresses.IsDefaultOrEmpty && IPv6Addresses.Any(a => !a.Address.IsLinkLocal);

    /// <summary>Every interface of this network namespace, up or down, with or without IPv4.</summary>
    public static ImmutableArray<HostInterface> ReadAll() => InterfaceTable.Read();

    /// <summary>The interfaces that are up and have IPv4.</summary>
    public static ImmutableArray<HostInterface> Enumerate() => [.. ReadAll().Where(n => n.IsUp && n.HasIPv4)];

    /// <summary>Same interface, same state: what a reading is compared by (the record's own equality compares the
    /// address arrays by reference).</summary>
    public bool IsSameAs(HostInterface other)
    {
        ArgumentNullException.ThrowIfNull(other);
        return Name == other.Name && Index == other.Index && Mtu == other.Mtu && IsLoopback == other.IsLoopback && IsUp == other.IsUp
            && HasCarrier == other.HasCarrier && Addresses.AsSpan().SequenceEqual(other.Addresses.AsSpan())
            && IPv6Addresses.AsSpan().SequenceEqual(other.IPv6Addresses.AsSpan());
    }
}

using System.Collections.Immutable;
using NetBoot.Wire.Net;

namespace NetBoot.Hosting.Net;

/// <summary>An interface as the sockets see it: name, kernel index, MTU, its IPv4 addresses with masks, whether it is
/// up (<c>IFF_UP</c>, set the moment <c>ip link set up</c> returns; not the operstate, which lags) and whether it has a
/// carrier (<c>IFF_LOWER_UP</c>: the link itself; a NIC negotiating its link has none for a second or more).</summary>
public sealed record HostInterface(
    string Name,
    int Index,
    int Mtu,
    bool IsLoopback,
    ImmutableArray<(IPv4Address Address, IPv4Address Netmask)> Addresses,
    bool IsUp = true,
    bool HasCarrier = true)
{
    public bool HasIPv4 => !Addresses.IsDefaultOrEmpty;

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
            && HasCarrier == other.HasCarrier && Addresses.AsSpan().SequenceEqual(other.Addresses.AsSpan());
    }
}

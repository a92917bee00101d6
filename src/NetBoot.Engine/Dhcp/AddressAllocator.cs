using System.Collections.Immutable;
using NetBoot.Configuration.Model;
using NetBoot.Engine.Leases;
using NetBoot.Wire.Net;

namespace NetBoot.Engine.Dhcp;

/// <summary>Chooses an address from the dynamic ranges for a client with none (dnsmasq <c>address_allocate</c>): start
/// at a hash of the hardware address, so the same client lands on the same address again (stable addresses), or at the
/// start of the range with <c>dhcp-sequential-ip</c>; take the first address that is free.</summary>
/// <remarks>dnsmasq pings a candidate before offering it unless <c>no-ping</c>; a ping is I/O and has no place in a
/// decision, so the decision only asks for it (<see cref="Leases.DhcpOutcome.ProbeFirst"/>) and the service pings.</remarks>
public static class AddressAllocator
{
    public static IPv4Address? Allocate(
        ImmutableArray<RangeContext> ranges, AllocationContext context, ReadOnlySpan<byte> hardwareAddress, bool sequential) =>
        Allocate(ranges, context, hardwareAddress, sequential, out _);

    /// <summary><see cref="Allocate(ImmutableArray{RangeContext}, AllocationContext, ReadOnlySpan{byte}, bool)"/>, also
    /// returning the ranges it found full for a new client (<paramref name="full"/>; for the caller's outcome, see
    /// <see cref="Leases.DhcpOutcome.PoolFull"/>).</summary>
    public static IPv4Address? Allocate(
        ImmutableArray<RangeContext> ranges, AllocationContext context, ReadOnlySpan<byte> hardwareAddress, bool sequential,
        out ImmutableArray<PoolFull> full)
    {
        full = [];
        var hash = sequential ? 0u : Hash(hardwareAddress);
        if (!sequential && context.Leases.IsShared)
        {
            // Several servers, one table: each starts at its own offset (a hash of its address), so servers whose views
            // lag each other by a notification do not all probe towards the same free address.
            hash = unchecked(hash + Hash(context.ServerAddress.ToBytes()) * 2654435761u);
        }
        // A client without any lease sees the same range as every other new client: a range found full for one stays full
        // for all until the table changes or a holder's time is up, so the scan is not repeated for each of a flood.
        var own = context.OwnAddress ?? context.Leases.ByClient(context.Client)?.Address;
        var isNewClient = own is null;
        foreach (var range in ranges.Where(r => r.Range.Mode == DhcpRangeMode.Dynamic))
        {
            if (isNewClient && context.PoolFull.FullUntil(range.Range.Start, range.Range.End, context.ServerAddress, context.Leases.Version) is { } until
                && context.Now < until)
            {
                continue;
            }
            // Probe order as dnsmasq's: from the hash's place to the end of the range, then from its start. The view
            // skips held addresses many at a time, so the cost does not grow with how full the range is.
            var start = range.Range.Start.Value;
            var end = range.Range.End.Value;
            var first = (uint)(start + (hash % ((ulong)end - start + 1)));
            if (FirstFree(context, range, first, end, own) is { } found)
            {
                return found;
            }
            if (first > start && FirstFree(context, range, start, first - 1, own) is { } wrapped)
            {
                return wrapped;
            }
            if (isNewClient && context.Leases.Version is { } version)
            {
                full = full.Add(new PoolFull(range.Range.Start, range.Range.End, context.ServerAddress, version, FirstRelease(context, range)));
            }
        }
        return null;
    }

    /// <summary>The first address of <paramref name="from"/>..<paramref name="to"/> free for this client: the view's
    /// candidates (addresses no active lease holds) and the client's own address (held, by itself), in address order.</summary>
    private static IPv4Address? FirstFree(AllocationContext context, RangeContext range, uint from, uint to, IPv4Address? own)
    {
        var current = from;
        while (true)
        {
            var candidate = context.Leases.FirstUnheld(new IPv4Address(current), new IPv4Address(to), context.Now);
            if (own is { } mine && mine.Value >= current && mine.Value <= to
                && (candidate is not { } next || mine.Value < next.Value) && context.IsFree(mine, range))
            {
                return mine;
            }
            if (candidate is not { } address)
            {
                return null;
            }
            if (context.IsFree(address, range, context.Leases.ByAddress(address)))
            {
                return address;
            }
            if (address.Value == to)
            {
                return null;
            }
            current = address.Value + 1;
        }
    }

    /// <summary>When the first holder of a full range lets go (its lease ends): how long the range's full note lasts.</summary>
    private static DateTimeOffset FirstRelease(AllocationContext context, RangeContext range)
    {
        var firstRelease = DateTimeOffset.MaxValue;
        for (ulong address = range.Range.Start.Value; address <= range.Range.End.Value; address++)
        {
            if (context.Leases.ByAddress(new IPv4Address((uint)address)) is { } held && held.IsActiveAt(context.Now) && held.Expires < firstRelease)
            {
                firstRelease = held.Expires;
            }
        }
        return firstRelease;
    }

    /// <summary>dnsmasq's hash of <c>chaddr</c> (<c>j = hwaddr[i] + (j &lt;&lt; 6) + (j &lt;&lt; 16) - j</c>).</summary>
    public static uint Hash(ReadOnlySpan<byte> hardwareAddress)
    {
        uint j = 0;
        foreach (var b in hardwareAddress)
        {
            j = unchecked(b + (j << 6) + (j << 16) - j);
        }
        return j;
    }
}

/// <summary>What makes an address unavailable to one client at one moment.</summary>
public sealed record AllocationContext(ILeaseView Leases, ClientKey Client, DateTimeOffset Now, ServerConfig Config, IPv4Address ServerAddress)
{
    /// <summary>The address of the client's own lease (found by <see cref="ILeaseView.Find"/>, possibly under another
    /// key than <see cref="Client"/>): free for it.</summary>
    public IPv4Address? OwnAddress { get; init; }

    /// <summary>What earlier decisions learned about full ranges (the host keeps it, <see cref="PoolFullNotes"/>).</summary>
    public PoolFullNotes PoolFull { get; init; } = PoolFullNotes.None;

    /// <summary>Free for this client: inside the range's subnet, not the network or broadcast address, not this server's
    /// address, not reserved by a <c>dhcp-host</c> for someone else, not held (offered, bound, quarantined) by another
    /// client.</summary>
    public bool IsFree(IPv4Address address, RangeContext range) => IsFree(address, range, Leases.ByAddress(address));

    /// <summary><see cref="IsFree(IPv4Address, RangeContext)"/> with the address's lease already looked up.</summary>
    public bool IsFree(IPv4Address address, RangeContext range, Lease? held)
    {
        if (!range.Contains(address) || address == ServerAddress || IsNetworkOrBroadcast(address, range))
        {
            return false;
        }
        if (held is not null && held.BlocksOthersAt(Now, Client) && held.Address != OwnAddress)
        {
            return false;
        }
        return !IsReservedForAnotherHost(address);
    }

    private bool IsReservedForAnotherHost(IPv4Address address) =>
        Config.Hosts.Any(h => h.Address == address && !h.IsIgnored);

    private static bool IsNetworkOrBroadcast(IPv4Address address, RangeContext range)
    {
        var mask = range.Netmask.Value;
        if (mask == uint.MaxValue || mask == 0xFFFF_FFFE)
        {
            return false;
        }
        var host = address.Value & ~mask;
        return host == 0 || host == ~mask;
    }
}

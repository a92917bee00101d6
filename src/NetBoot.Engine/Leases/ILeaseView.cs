using NetBoot.Wire.Net;

namespace NetBoot.Engine.Leases;

/// <summary>What the engine may read of the lease state: a consistent snapshot for one decision. The store is the only
/// writer; the engine returns a <see cref="LeaseChange"/> instead of writing.</summary>
public interface ILeaseView
{
    /// <summary>The lease (any state, possibly expired) held by <paramref name="client"/>, if any.</summary>
    Lease? ByClient(ClientKey client);

    /// <summary>The leases (any state, possibly expired) granted to <paramref name="hardware"/>, newest first, with or
    /// without a client identifier. The default knows only the one stored without a client identifier.</summary>
    IEnumerable<Lease> ByHardware(HardwareAddress hardware) =>
        ByClient(ClientKey.ForHardware(hardware)) is { } lease ? [lease] : [];

    /// <summary>The lease of a request (dnsmasq <c>lease_find_by_client</c>): the lease stored under its client
    /// identifier when it sends one; failing that, a lease of its <c>htype</c> + <c>chaddr</c> when the lease or the
    /// request has no client identifier (so the PXE ROM without option 61, iPXE with 01:MAC and the booted system with
    /// a DUID share one lease as long as one of each pair has none).</summary>
    Lease? Find(ClientIdentity identity)
    {
        if (identity.HasClientId && ByClient(identity.ClientIdKey) is { } byId)
        {
            return byId;
        }
        if (identity.Hardware.Length == 0)
        {
            return null;
        }
        if (ByClient(identity.HardwareKey) is { } byHardware)
        {
            return byHardware;
        }
        if (identity.HasClientId)
        {
            return null;
        }
        foreach (var lease in ByHardware(identity.Hardware))
        {
            return lease;
        }
        return null;
    }

    /// <summary>The lease (any state, possibly expired) on <paramref name="address"/>, if any.</summary>
    Lease? ByAddress(IPv4Address address);

    /// <summary>Leases not yet expired at <paramref name="now"/> (dnsmasq's count for <c>dhcp-lease-max</c>).</summary>
    int ActiveCount(DateTimeOffset now);

    /// <summary>True when several servers allocate from these leases (a shared database): each server then starts its
    /// search for a free address at its own place in the range, so that two servers whose views lag each other do not
    /// race for the same free addresses.</summary>
    bool IsShared => false;

    /// <summary>A candidate for the allocator: the lowest address in <paramref name="from"/>..<paramref name="to"/> that
    /// may be free at <paramref name="now"/>; every address before it is held by a lease active at <paramref name="now"/>
    /// (the caller still checks the candidate itself). Null when every address of the span is held.</summary>
    /// <remarks>This default asks <see cref="ByAddress"/> address by address; <see cref="LeaseTable"/> answers from a
    /// bitmap of held addresses, 64 addresses per step, however full the range is.</remarks>
    IPv4Address? FirstUnheld(IPv4Address from, IPv4Address to, DateTimeOffset now)
    {
        for (ulong address = from.Value; address <= to.Value; address++)
        {
            var candidate = new IPv4Address((uint)address);
            if (ByAddress(candidate) is not { } lease || !lease.IsActiveAt(now))
            {
                return candidate;
            }
        }
        return null;
    }

    /// <summary>A number that changes whenever the leases change (so a note taken at one version, such as
    /// <see cref="Dhcp.PoolFull"/>, holds only while the view is still at it); null when the view cannot tell, and then
    /// no such note applies.</summary>
    long? Version => null;
}

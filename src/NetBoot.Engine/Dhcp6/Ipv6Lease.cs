using NetBoot.Wire.Dhcp6;
using NetBoot.Wire.Net;

namespace NetBoot.Engine.Dhcp6;

public enum Ipv6LeaseState
{
    /// <summary>Held for the DUID+IAID an ADVERTISE named (as DHCPv4 holds an OFFER), so another IA is not given it.</summary>
    Offered,
    Bound,
    /// <summary>The client declined it (RFC 8415 §18.3.8): nobody gets it until the quarantine ends.</summary>
    Declined,
}

/// <summary>One IA_NA address binding (dnsmasq keeps one lease per DUID, IAID and address, LEASE_NA).</summary>
public sealed record Ipv6Lease(
    Duid Duid, uint Iaid, IPv6Address Address, TimeSpan PreferredLifetime, TimeSpan ValidLifetime, DateTimeOffset Expires, Ipv6LeaseState State)
{
    public bool IsActiveAt(DateTimeOffset now) => Expires > now;

    public bool BelongsTo(Duid duid, uint iaid) => Duid == duid && Iaid == iaid;
}

/// <summary>Read-only view of the IPv6 leases the responder decides against.</summary>
public interface IIpv6LeaseView
{
    int Count { get; }

    Ipv6Lease? ByAddress(IPv6Address address);

    /// <summary>Every lease of that DUID and IAID (IA_NA may hold several addresses).</summary>
    IEnumerable<Ipv6Lease> ByClient(Duid duid, uint iaid);
}

/// <summary>A change the caller commits after the decision.</summary>
public abstract record Ipv6LeaseChange(Ipv6Lease Lease);

public sealed record Ipv6LeaseUpsert(Ipv6Lease Lease) : Ipv6LeaseChange(Lease);

public sealed record Ipv6LeaseRemoval(Ipv6Lease Lease) : Ipv6LeaseChange(Lease);

/// <summary>In-memory IPv6 lease table, keyed by address (one holder per address) and indexed by DUID+IAID, so the
/// responder's per-IA lookup does not walk the table (it did: 76 % of a DHCPv6 exchange's CPU at 30 000 leases). Mutable
/// and not thread-safe: its store reads and changes it under its own lock only (immutable dictionaries cost a fifth of
/// an exchange's CPU under load, in node allocations and tree walks).</summary>
public sealed class Ipv6LeaseTable : IIpv6LeaseView
{
    private readonly Dictionary<IPv6Address, Ipv6Lease> _byAddress = [];

    /// <summary>Each client's addresses in ascending order (almost always one).</summary>
    private readonly Dictionary<(Duid Duid, uint Iaid), List<IPv6Address>> _byClient = [];

    public int Count => _byAddress.Count;

    public IEnumerable<Ipv6Lease> All => _byAddress.Values;

    public Ipv6Lease? ByAddress(IPv6Address address) => _byAddress.GetValueOrDefault(address);

    /// <summary>A copy: the caller may change the table while it walks the result.</summary>
    public IEnumerable<Ipv6Lease> ByClient(Duid duid, uint iaid) =>
        _byClient.TryGetValue((duid, iaid), out var addresses) ? addresses.Select(a => _byAddress[a]).ToArray() : [];

    public void Apply(IEnumerable<Ipv6LeaseChange> changes)
    {
        ArgumentNullException.ThrowIfNull(changes);
        foreach (var change in changes)
        {
            switch (change)
            {
                case Ipv6LeaseUpsert upsert:
                    if (_byAddress.TryGetValue(upsert.Lease.Address, out var previous))
                    {
                        Unindex(previous);
                    }
                    _byAddress[upsert.Lease.Address] = upsert.Lease;
                    Index(upsert.Lease);
                    break;
                case Ipv6LeaseRemoval removal when _byAddress.TryGetValue(removal.Lease.Address, out var held) && held.BelongsTo(removal.Lease.Duid, removal.Lease.Iaid):
                    _byAddress.Remove(removal.Lease.Address);
                    Unindex(held);
                    break;
            }
        }
    }

    private void Index(Ipv6Lease lease)
    {
        var key = (lease.Duid, lease.Iaid);
        if (!_byClient.TryGetValue(key, out var held))
        {
            _byClient[key] = [lease.Address];
            return;
        }
        var at = held.BinarySearch(lease.Address);
        if (at < 0)
        {
            held.Insert(~at, lease.Address);
        }
    }

    private void Unindex(Ipv6Lease lease)
    {
        var key = (lease.Duid, lease.Iaid);
        if (_byClient.TryGetValue(key, out var held) && held.Remove(lease.Address) && held.Count == 0)
        {
            _byClient.Remove(key);
        }
    }
}

using NetBoot.Wire.Net;

namespace NetBoot.Engine.Leases;

/// <summary>An in-memory lease table indexed by client and by address: the view the engine reads. Not thread-safe: its
/// owner (the lease store) serialises <see cref="Apply"/> with the decisions that read it.</summary>
public sealed class LeaseTable : ILeaseView
{
    private readonly Dictionary<ClientKey, Lease> _byClient = [];
    private readonly Dictionary<IPv4Address, Lease> _byAddress = [];
    private readonly List<FullNote> _fullNotes = [];

    private readonly record struct FullNote(IPv4Address Start, IPv4Address End, object Config, IPv4Address Server, DateTimeOffset Until);

    public int Count => _byAddress.Count;

    /// <summary>See <see cref="ILeaseView.IsShared"/>: set by a store shared by several servers.</summary>
    public bool IsShared { get; init; }

    public IEnumerable<Lease> All => _byAddress.Values;

    public Lease? ByClient(ClientKey client) => _byClient.GetValueOrDefault(client);

    public Lease? ByAddress(IPv4Address address) => _byAddress.GetValueOrDefault(address);

    public int ActiveCount(DateTimeOffset now)
    {
        // Expired leases are swept by the store; between sweeps the count errs on the side of "full".
        return _byAddress.Count;
    }

    public DateTimeOffset? FullUntil(IPv4Address start, IPv4Address end, object config, IPv4Address server)
    {
        foreach (var note in _fullNotes)
        {
            if (note.Start == start && note.End == end && ReferenceEquals(note.Config, config) && note.Server == server)
            {
                return note.Until;
            }
        }
        return null;
    }

    public void NoteFull(IPv4Address start, IPv4Address end, object config, IPv4Address server, DateTimeOffset until)
    {
        _fullNotes.RemoveAll(n => n.Start == start && n.End == end);
        _fullNotes.Add(new FullNote(start, end, config, server, until));
    }

    public void Apply(LeaseChange change)
    {
        switch (change)
        {
            case LeaseUpsert upsert:
                Put(upsert.Lease);
                break;
            case LeaseRemoval removal:
                Remove(removal.Lease.Address);
                break;
        }
    }

    /// <summary>Stores <paramref name="lease"/>; a client holds one address, an address one client.</summary>
    public void Put(Lease lease)
    {
        _fullNotes.Clear();
        if (_byClient.TryGetValue(lease.Client, out var previous) && previous.Address != lease.Address)
        {
            _byAddress.Remove(previous.Address);
        }
        if (_byAddress.TryGetValue(lease.Address, out var displaced) && displaced.Client != lease.Client)
        {
            _byClient.Remove(displaced.Client);
        }
        _byClient[lease.Client] = lease;
        _byAddress[lease.Address] = lease;
    }

    public bool Remove(IPv4Address address)
    {
        if (!_byAddress.Remove(address, out var lease))
        {
            return false;
        }
        _fullNotes.Clear();
        if (_byClient.TryGetValue(lease.Client, out var current) && current.Address == address)
        {
            _byClient.Remove(lease.Client);
        }
        return true;
    }

    /// <summary>Sorts a copy of the leases by address (what snapshots and lease files show), by key array: no delegate
    /// call per comparison. Stores copy under their lock and sort outside it, so decisions wait only for the copy.</summary>
    public static void SortByAddress(Lease[] leases)
    {
        ArgumentNullException.ThrowIfNull(leases);
        var keys = new uint[leases.Length];
        for (var i = 0; i < leases.Length; i++)
        {
            keys[i] = leases[i].Address.Value;
        }
        Array.Sort(keys, leases);
    }

    /// <summary>Leases whose time is up at <paramref name="now"/>.</summary>
    public List<Lease> Expired(DateTimeOffset now) => [.. _byAddress.Values.Where(l => !l.IsActiveAt(now))];
}

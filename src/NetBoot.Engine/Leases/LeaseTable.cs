using NetBoot.Wire.Net;

namespace NetBoot.Engine.Leases;

/// <summary>An in-memory lease table indexed by client and by address: the view the engine reads. Not thread-safe: its
/// owner (the lease store) serialises <see cref="Apply"/> with the decisions that read it.</summary>
public sealed class LeaseTable : ILeaseView
{
    private readonly Dictionary<ClientKey, Lease> _byClient = [];
    private readonly Dictionary<IPv4Address, Lease> _byAddress = [];

    /// <summary>The addresses of the leases (not quarantines) of each hardware address, oldest first: how a request
    /// without a client identifier finds a lease granted with one (<see cref="ILeaseView.Find"/>). Usually one.</summary>
    private readonly Dictionary<HardwareAddress, List<IPv4Address>> _byHardware = [];

    /// <summary>Held addresses: a bit is set only while a lease on the address expires after <see cref="_heldAsOf"/>
    /// (so a set bit is held at any time the allocator asks about); a clear bit may still be held at an earlier time,
    /// which the allocator's own check of each candidate catches.</summary>
    private readonly AddressBitmap _held = new();

    /// <summary>When the set bits' leases end (address, expiry ticks), earliest first; an entry whose lease has changed
    /// since is skipped when it comes up.</summary>
    private readonly PriorityQueue<uint, long> _ends = new();

    private long _heldAsOf = long.MinValue;

    public int Count => _byAddress.Count;

    /// <summary>See <see cref="ILeaseView.Version"/>: counts every lease put or removed.</summary>
    public long? Version => _version;

    private long _version;

    /// <summary>See <see cref="ILeaseView.IsShared"/>: set by a store shared by several servers.</summary>
    public bool IsShared { get; init; }

    public IEnumerable<Lease> All => _byAddress.Values;

    public Lease? ByClient(ClientKey client) => _byClient.GetValueOrDefault(client);

    public Lease? ByAddress(IPv4Address address) => _byAddress.GetValueOrDefault(address);

    /// <summary><see cref="ILeaseView.Find"/> from the indexes: one lookup by client identifier, then the hardware
    /// address's few leases, newest first (dnsmasq's list order).</summary>
    public Lease? Find(ClientIdentity identity)
    {
        if (identity.HasClientId && _byClient.TryGetValue(identity.ClientIdKey, out var byId))
        {
            return byId;
        }
        if (identity.Hardware.Length == 0 || !_byHardware.TryGetValue(identity.Hardware, out var addresses))
        {
            return null;
        }
        for (var i = addresses.Count - 1; i >= 0; i--)
        {
            var lease = _byAddress[addresses[i]];
            if (identity.MatchesByHardware(lease))
            {
                return lease;
            }
        }
        return null;
    }

    public IEnumerable<Lease> ByHardware(HardwareAddress hardware)
    {
        if (!_byHardware.TryGetValue(hardware, out var addresses))
        {
            yield break;
        }
        for (var i = addresses.Count - 1; i >= 0; i--)
        {
            yield return _byAddress[addresses[i]];
        }
    }

    private void IndexHardware(Lease lease)
    {
        if (lease.State == LeaseState.Declined || lease.HardwareAddress.Length == 0)
        {
            return;
        }
        if (!_byHardware.TryGetValue(lease.HardwareAddress, out var addresses))
        {
            _byHardware[lease.HardwareAddress] = addresses = new List<IPv4Address>(1);
        }
        addresses.Add(lease.Address);
    }

    private void UnindexHardware(Lease lease)
    {
        if (_byHardware.TryGetValue(lease.HardwareAddress, out var addresses) && addresses.Remove(lease.Address) && addresses.Count == 0)
        {
            _byHardware.Remove(lease.HardwareAddress);
        }
    }

    public int ActiveCount(DateTimeOffset now)
    {
        // Expired leases are swept by the store; between sweeps the count errs on the side of "full".
        return _byAddress.Count;
    }

    public IPv4Address? FirstUnheld(IPv4Address from, IPv4Address to, DateTimeOffset now)
    {
        AdvanceTo(now.UtcTicks);
        return _held.FirstClear(from.Value, to.Value) is { } free ? new IPv4Address(free) : null;
    }

    /// <summary>Clears the bits of leases that have ended by <paramref name="ticks"/>. Time going back (two receive
    /// threads reading the clock in one order and deciding in the other) changes nothing: a bit set is still held then.</summary>
    private void AdvanceTo(long ticks)
    {
        if (ticks <= _heldAsOf)
        {
            return;
        }
        _heldAsOf = ticks;
        while (_ends.TryPeek(out var address, out var ends) && ends <= ticks)
        {
            _ends.Dequeue();
            if (!_byAddress.TryGetValue(new IPv4Address(address), out var lease) || lease.Expires.UtcTicks <= ticks)
            {
                _held.Clear(address);
            }
        }
    }

    private void MarkHeld(Lease lease)
    {
        var ends = lease.Expires.UtcTicks;
        if (ends <= _heldAsOf)
        {
            _held.Clear(lease.Address.Value);
            return;
        }
        _held.Set(lease.Address.Value);
        if (lease.IsInfinite)
        {
            return;
        }
        _ends.Enqueue(lease.Address.Value, ends);
        if (_ends.Count > 2 * _byAddress.Count + 4096)
        {
            // Renewals leave the entries of earlier expiries behind: rebuild from the leases, so the queue stays
            // proportional to the table.
            _ends.Clear();
            foreach (var held in _byAddress.Values)
            {
                if (!held.IsInfinite && held.Expires.UtcTicks > _heldAsOf)
                {
                    _ends.Enqueue(held.Address.Value, held.Expires.UtcTicks);
                }
            }
        }
    }

    public void Apply(LeaseChange change)
    {
        switch (change)
        {
            case LeaseUpsert upsert:
                foreach (var replaced in upsert.Replaces)
                {
                    RemoveIfHeldBy(replaced);
                }
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
        _version++;
        if (_byClient.TryGetValue(lease.Client, out var previous) && previous.Address != lease.Address)
        {
            _byAddress.Remove(previous.Address);
            UnindexHardware(previous);
            _held.Clear(previous.Address.Value);
        }
        if (_byAddress.TryGetValue(lease.Address, out var displaced))
        {
            UnindexHardware(displaced);
            if (displaced.Client != lease.Client && _byClient.TryGetValue(displaced.Client, out var holder) && holder.Address == lease.Address)
            {
                _byClient.Remove(displaced.Client);
            }
        }
        _byClient[lease.Client] = lease;
        _byAddress[lease.Address] = lease;
        IndexHardware(lease);
        MarkHeld(lease);
    }

    /// <summary>Removes <paramref name="lease"/>'s address only while the same client still holds it.</summary>
    public bool RemoveIfHeldBy(Lease lease) =>
        _byAddress.TryGetValue(lease.Address, out var current) && current.Client == lease.Client && Remove(lease.Address);

    public bool Remove(IPv4Address address)
    {
        if (!_byAddress.Remove(address, out var lease))
        {
            return false;
        }
        _version++;
        _held.Clear(address.Value);
        UnindexHardware(lease);
        if (_byClient.TryGetValue(lease.Client, out var current) && current.Address == address)
        {
            _byClient.Remove(lease.Client);
        }
        return true;
    }

    /// <summary>Every lease in address order, for listings and the lease file: copied while <paramref name="gate"/> (the
    /// owning store's lock) is held, sorted after it is released, so the hot path waits only for the copy.</summary>
    public Lease[] SnapshotByAddress(Lock gate)
    {
        Lease[] copy;
        lock (gate)
        {
            copy = [.. All];
        }
        SortByAddress(copy);
        return copy;
    }

    /// <summary>Sorts by address through a key array: no delegate call per comparison.</summary>
    private static void SortByAddress(Lease[] leases)
    {
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

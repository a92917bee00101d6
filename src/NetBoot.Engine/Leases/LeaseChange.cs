namespace NetBoot.Engine.Leases;

/// <summary>What the store must persist for a decision to hold. A reply that depends on a change (an ACK) is sent only
/// once the change is durable.</summary>
public abstract record LeaseChange
{
    /// <summary>True when the reply must wait for durability (an ACK); an OFFER's hold is best effort.</summary>
    public bool MustBeDurableBeforeReply { get; init; }
}

/// <summary>Create or replace the lease on <see cref="Lease.Address"/> (and drop any other lease of the same client).</summary>
public sealed record LeaseUpsert(Lease Lease, LeaseEvent Event) : LeaseChange
{
    /// <summary>Leases this write replaces besides those under <see cref="Lease.Client"/>: the client's own lease found
    /// under another key (its identity changed between boot stages) and the lease of another identity of the same
    /// machine on this address (a reservation taken over). The stores remove them in the same write; a shared store
    /// lets the write over an unexpired holder only when the holder is one of these.</summary>
    public System.Collections.Immutable.ImmutableArray<Lease> Replaces { get; init; } = [];

    /// <summary>For a renewal (<see cref="LeaseEvent.Old"/>): the bound lease it continues, so that the script is told only
    /// of what changed (dnsmasq calls <c>old</c> on a plain renewal only under <c>script-on-renewal</c>).</summary>
    public Lease? Previous { get; init; }
}

/// <summary>Delete the lease on an address (DHCPRELEASE, a client that chose another server, expiry).</summary>
public sealed record LeaseRemoval(Lease Lease, LeaseEvent Event) : LeaseChange;

/// <summary>What happened, in <c>dhcp-script</c>'s words: add (new lease), old (renewed or changed), del (gone); none
/// for transient holds (offers, quarantine) that dnsmasq never reports.</summary>
public enum LeaseEvent
{
    None,
    Add,
    Old,
    Del,
}

/// <summary>The engine's answer to a request on a network it owns: the reply (or silence) plus the change to persist.</summary>
public sealed record DhcpOutcome(Decision Decision, LeaseChange? Change = null)
{
    /// <summary>An address newly allocated for an OFFER that must be probed first (dnsmasq's ping check, RFC 2131 §4.4.1
    /// "SHOULD probe"): the service sends an ICMP echo and sends the reply only when none comes back; on an echo reply
    /// it records the address as in use (<see cref="Dhcp.FullDhcpResponder.AddressInUse"/>) and decides again. The
    /// change already holds the address for this client meanwhile. Null: send at once.</summary>
    public Wire.Net.IPv4Address? ProbeFirst { get; init; }

    /// <summary>Ranges the allocator found full for a new client: the host records them (<see cref="Dhcp.PoolFullNotes"/>)
    /// and passes them to the next decisions, so a flood of new clients does not scan a full range again and again.</summary>
    public System.Collections.Immutable.ImmutableArray<Dhcp.PoolFull> PoolFull { get; init; } = [];
}

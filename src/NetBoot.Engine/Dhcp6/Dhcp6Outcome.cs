using System.Collections.Immutable;
using NetBoot.Wire.Dhcp6;

namespace NetBoot.Engine.Dhcp6;

public enum Dhcp6DropReason
{
    /// <summary>A relay reply or a server message (ADVERTISE, REPLY, RECONFIGURE): not for a server.</summary>
    NotAClientMessage,
    /// <summary>RFC 8415 §16: a required Client Identifier is missing or a forbidden Server Identifier is present.</summary>
    Malformed,
    /// <summary>RFC 8415 §16.4, §16.6, §16.8, §16.9: the Server Identifier names another server.</summary>
    ForAnotherServer,
    /// <summary>No range on the link serves the client and no address is to be confirmed.</summary>
    NoMatchingRange,
    /// <summary>CONFIRM without addresses (RFC 8415 §18.3.3: no reply).</summary>
    NothingToConfirm,
    /// <summary>The shared lease database cannot be reached: no ADVERTISE or REPLY about addresses (DHCP leasing paused,
    /// <see cref="Leases.DurabilityRule"/>).</summary>
    LeaseStoreUnavailable,
    /// <summary>A <c>dhcp-host</c> naming the client says <c>ignore</c>.</summary>
    IgnoredByHost,
}

/// <summary>What the DHCPv6 responder decided.</summary>
public abstract record Dhcp6Decision
{
    public ImmutableArray<string> Tags { get; init; } = [];
}

/// <summary>Send <see cref="Reply"/> (a RELAY-REPL when the request was relayed) back the way the request came.</summary>
public sealed record Dhcp6Send(Dhcp6Packet Reply, string Summary) : Dhcp6Decision;

public sealed record Dhcp6Drop(Dhcp6DropReason Reason, string Detail) : Dhcp6Decision;

/// <summary>The decision and the lease changes to commit (before sending, for a REPLY that binds).</summary>
public sealed record Dhcp6Outcome(Dhcp6Decision Decision, ImmutableArray<Ipv6LeaseChange> Changes)
{
    public Dhcp6Outcome(Dhcp6Decision decision) : this(decision, [])
    {
    }
}

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

/// <summary>No reply: <see cref="Reason"/> for the metrics, <see cref="Silence"/> with the values for the log line.</summary>
public sealed record Dhcp6Drop(Dhcp6DropReason Reason, Dhcp6Silence Silence) : Dhcp6Decision
{
    /// <summary>Why, in words (the dashboard).</summary>
    public string Describe() => Silence.Describe();
}

/// <summary>Why a DHCPv6 message got no reply, finer than <see cref="Dhcp6DropReason"/>: a log line's <c>{Reason}</c>.</summary>
public enum Dhcp6SilenceReason
{
    /// <summary>A RELAY-REPL reached the server: it is for relay agents.</summary>
    RelayReplyFromServerSide,
    /// <summary>ADVERTISE, REPLY or RECONFIGURE: a server's message.</summary>
    ServerMessage,
    /// <summary>A message type no client sends.</summary>
    UnknownMessageType,
    /// <summary>RFC 8415 §16: no Client Identifier.</summary>
    NoClientIdentifier,
    /// <summary>RFC 8415 §16: REQUEST, RENEW, RELEASE or DECLINE without a Server Identifier.</summary>
    NoServerIdentifier,
    /// <summary>RFC 8415 §16: SOLICIT, REBIND or CONFIRM with a Server Identifier.</summary>
    ForbiddenServerIdentifier,
    /// <summary>The Server Identifier names another server.</summary>
    ForAnotherServer,
    /// <summary><c>dhcp-host=…,ignore</c> matches the client.</summary>
    IgnoredByHost,
    /// <summary>No IPv6 range on the link serves the client.</summary>
    NoRangeOnLink,
    /// <summary>CONFIRM without addresses (RFC 8415 §18.3.3).</summary>
    ConfirmWithoutAddresses,
    /// <summary>The shared lease database cannot make a lease durable: DHCPv6 leasing pauses.</summary>
    LeaseStoreUnavailable,
    /// <summary>Not a client's request (a store or gate lookup that decides nothing).</summary>
    NoDecision,
}

/// <summary>A silence and the values it concerns: the message type, the server the client named, the host line, the
/// link's interface, the lease database.</summary>
public sealed record Dhcp6Silence(Dhcp6SilenceReason Reason, Dhcp6MessageType MessageType = default)
{
    public Duid? NamedServer { get; init; }

    public Duid? ThisServer { get; init; }

    public string? Host { get; init; }

    public string? Interface { get; init; }

    public string? Database { get; init; }

    public string Describe() => Reason switch
    {
        Dhcp6SilenceReason.RelayReplyFromServerSide => "RELAY-REPL is for relay agents",
        Dhcp6SilenceReason.ServerMessage => $"{MessageType} is a server message",
        Dhcp6SilenceReason.UnknownMessageType => $"{MessageType} is not a client message",
        Dhcp6SilenceReason.NoClientIdentifier => $"{MessageType} without a Client Identifier (RFC 8415 §16)",
        Dhcp6SilenceReason.NoServerIdentifier => $"{MessageType} without a Server Identifier (RFC 8415 §16)",
        Dhcp6SilenceReason.ForbiddenServerIdentifier => $"{MessageType} with a Server Identifier (RFC 8415 §16)",
        Dhcp6SilenceReason.ForAnotherServer => $"{MessageType} is for server {NamedServer}, this server is {ThisServer}",
        Dhcp6SilenceReason.IgnoredByHost => $"dhcp-host {Host} says ignore",
        Dhcp6SilenceReason.NoRangeOnLink => $"no IPv6 range on {Interface} serves the client",
        Dhcp6SilenceReason.ConfirmWithoutAddresses => "CONFIRM names no address",
        Dhcp6SilenceReason.LeaseStoreUnavailable => $"DHCPv6 leasing paused: the lease database {Database} is unavailable (no lease can be made durable)",
        _ => "no decision",
    };
}

/// <summary>The decision and the lease changes to commit (before sending, for a REPLY that binds).</summary>
public sealed record Dhcp6Outcome(Dhcp6Decision Decision, ImmutableArray<Ipv6LeaseChange> Changes)
{
    public Dhcp6Outcome(Dhcp6Decision decision) : this(decision, [])
    {
    }
}

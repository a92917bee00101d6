namespace NetBoot.Engine.Leases;

/// <summary>Which outcomes a lease store may carry out only while it can make leases durable. A store that cannot (a
/// shared database out of reach) pauses leasing: it answers these with silence and lets everything else through.</summary>
public static class DurabilityRule
{
    /// <summary>A lease change (every ACK of a lease carries one), an OFFER of an address (even one without a change:
    /// its ACK would need the store), or a NAK. Not the boot server's ACK on 4011 (its yiaddr is the client's ciaddr,
    /// with no lease behind it), nor a proxy offer (yiaddr 0), nor an INFORM's ACK.</summary>
    public static bool NeedsDurableStore(DhcpOutcome outcome)
    {
        ArgumentNullException.ThrowIfNull(outcome);
        return outcome.Change is not null
            || outcome.Decision is SendReply { Message.MessageType: Wire.Dhcp.DhcpMessageType.Nak }
                or SendReply { Message: { MessageType: Wire.Dhcp.DhcpMessageType.Offer, YourAddress.IsZero: false } };
    }

    /// <summary>The DHCPv6 counterpart: lease changes (a REPLY that binds, an ADVERTISE's hold), or an ADVERTISE or
    /// REPLY that speaks of addresses (IA_NA: its bindings and its NoBinding/NoAddrsAvail statuses come from the lease
    /// view, which may be stale or never loaded). Not a REPLY to INFORMATION-REQUEST, nor one to CONFIRM.</summary>
    public static bool NeedsDurableStore(Dhcp6.Dhcp6Outcome outcome)
    {
        ArgumentNullException.ThrowIfNull(outcome);
        return !outcome.Changes.IsDefaultOrEmpty
            || (outcome.Decision is Dhcp6.Dhcp6Send { Reply: var reply }
                && reply.InnermostMessage.Options.Contains(Wire.Dhcp6.Dhcp6OptionCode.IaNa));
    }
}

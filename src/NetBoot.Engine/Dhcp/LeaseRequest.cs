using NetBoot.Engine.Leases;
using NetBoot.Wire.Dhcp;
using NetBoot.Wire.Net;

namespace NetBoot.Engine.Dhcp;

/// <summary>The client state a DHCPREQUEST comes from (RFC 2131 §4.3.2, table 4).</summary>
public enum RequestState
{
    /// <summary>Server identifier (54) present, ciaddr 0, requested address (50) = the offered one.</summary>
    Selecting,
    /// <summary>No 54, option 50 = the address the client remembers, ciaddr 0.</summary>
    InitReboot,
    /// <summary>No 54, no 50, ciaddr set: RENEWING (unicast to this server) or REBINDING (broadcast). Both are answered
    /// alike; the reply goes to ciaddr either way (RFC 2131 §4.1).</summary>
    RenewingOrRebinding,
}

/// <summary>DHCPREQUEST in each client state (RFC 2131 §4.3.2): ACK with the lease to persist, NAK, or silence.</summary>
public static class LeaseRequest
{
    public static RequestState StateOf(DhcpMessage message)
    {
        if (message.Options.Contains(DhcpOptionCode.ServerIdentifier))
        {
            return RequestState.Selecting;
        }
        if (message.ClientAddress.IsZero)
        {
            return RequestState.InitReboot;
        }
        return RequestState.RenewingOrRebinding;
    }

    public static DhcpOutcome Respond(LeaseExchange exchange)
    {
        var message = exchange.Message;
        var options = message.Options;
        var tags = exchange.Classification.Tags;
        var state = StateOf(message);
        if (state == RequestState.Selecting)
        {
            options.TryGetAddress(DhcpOptionCode.ServerIdentifier, out var server);
            if (server != exchange.ServerIdentifier)
            {
                // RFC 2131 §4.3.2: the client chose another server's offer; release what was held for it.
                var held = exchange.CurrentLease is { State: LeaseState.Offered } offered ? new LeaseRemoval(offered, LeaseEvent.None) : null;
                return FullDhcpResponder.Silent(tags, NoReplyReason.ForAnotherServer,
                    new LeaseSilence(LeaseSilenceReason.WrongServer, options.TryGetAddress(DhcpOptionCode.RequestedIPAddress, out var wanted) ? wanted : default, server), held);
            }
        }
        var requested = options.TryGetAddress(DhcpOptionCode.RequestedIPAddress, out var asked) ? asked : message.ClientAddress;
        if (requested.IsZero)
        {
            return FullDhcpResponder.Silent(tags, NoReplyReason.NotADhcpMessage, new LeaseSilence(LeaseSilenceReason.NoAddressRequested));
        }
        if (!exchange.IsOnOwnedNetwork(requested))
        {
            // RFC 2131 §4.3.2: "if the requested address is incorrect, or is on the wrong network", NAK (authoritative only).
            return NakOrSilent(exchange, requested, "wrong network", LeaseSilenceReason.WrongNetwork);
        }
        var lease = exchange.CurrentLease;
        var hasRecord = lease is { State: not LeaseState.Declined } && lease.Address == requested;
        if (!hasRecord && state != RequestState.Selecting && !exchange.Config.Authoritative)
        {
            // RFC 2131 §4.3.2 INIT-REBOOT / RENEWING: "If the DHCP server has no record of this client, then it MUST remain
            // silent" — unless dhcp-authoritative says this server owns the network (dnsmasq).
            return FullDhcpResponder.Silent(tags, NoReplyReason.Ignored, new LeaseSilence(LeaseSilenceReason.NoLeaseOnRecord, requested));
        }
        if (exchange.HostAddress is { } fixedAddress && fixedAddress != requested && !exchange.HeldByAnother(fixedAddress))
        {
            // dnsmasq: a client renewing or rebooting into another address while its dhcp-host address is free is sent
            // back to DISCOVER, where it is offered the reserved one. (dnsmasq skips this when SELECTING, having offered the
            // reserved address itself; NetBoot asks it there too, so no other offer is ever bound while it is free.)
            return Nak(exchange, requested, "static lease available");
        }
        if (!exchange.MayHave(requested))
        {
            return Nak(exchange, requested, exchange.HeldByAnother(requested) ? "address in use" : "address not available");
        }
        if (!hasRecord && exchange.IsAtLeaseLimit && !exchange.IsRenewalOf(requested))
        {
            return Nak(exchange, requested, "no leases left (dhcp-lease-max)");
        }
        return Ack(exchange, requested);
    }

    /// <summary>RFC 4039 §4 (<c>dhcp-rapid-commit</c>): a DISCOVER with option 80 is bound at once to the address it would
    /// have been offered, and answered with a DHCPACK carrying option 80 (dnsmasq's <c>rapid_commit</c> path).</summary>
    internal static DhcpOutcome RapidCommit(LeaseExchange exchange, IPv4Address address) => Ack(exchange, address, rapidCommit: true);

    private static DhcpOutcome Ack(LeaseExchange exchange, IPv4Address address, bool rapidCommit = false)
    {
        var range = exchange.RangeOf(address)!;
        var leaseTime = exchange.LeaseTimeFor(range);
        // RFC 2131 table 3: a DHCPACK keeps the request's ciaddr (a renewing client is answered at it).
        var reply = LeaseReplyBuilder.Build(exchange, DhcpMessageType.Ack, address, range, leaseTime) with { ClientAddress = exchange.Message.ClientAddress };
        if (rapidCommit)
        {
            reply = reply with { Options = reply.Options.With(DhcpOptionCode.RapidCommit, []) };
        }
        var lease = exchange.LeaseOn(address, exchange.ExpiryFor(leaseTime), LeaseState.Bound);
        var change = exchange.Upsert(lease, exchange.IsRenewalOf(address) ? LeaseEvent.Old : LeaseEvent.Add) with { MustBeDurableBeforeReply = true };
        return new DhcpOutcome(FullDhcpResponder.Send(exchange, reply, address), change);
    }

    /// <summary>A NAK saying <paramref name="why"/> when dhcp-authoritative, else silence for <paramref name="silent"/>.</summary>
    private static DhcpOutcome NakOrSilent(LeaseExchange exchange, IPv4Address requested, string why, LeaseSilenceReason silent) =>
        exchange.Config.Authoritative
            ? Nak(exchange, requested, why)
            : FullDhcpResponder.Silent(exchange.Classification.Tags, NoReplyReason.Ignored, new LeaseSilence(silent, requested));

    /// <summary>RFC 2131 §4.3.2 / table 3: a DHCPNAK carries 53, 54 and a message (56); yiaddr, ciaddr, siaddr, file and
    /// sname are empty. RFC 2131 §4.1: broadcast, or to giaddr with the broadcast bit set.</summary>
    private static DhcpOutcome Nak(LeaseExchange exchange, IPv4Address requested, string why)
    {
        var request = exchange.Message;
        var reply = LeaseReplyBuilder.Empty(request) with
        {
            Flags = request.RelayAgentAddress.IsZero ? request.Flags : (ushort)(request.Flags | 0x8000),
            Options = new DhcpOptionList(
            [
                DhcpOption.Create(DhcpOptionCode.DhcpMessageType, [(byte)DhcpMessageType.Nak]),
                DhcpOption.Create(DhcpOptionCode.ServerIdentifier, exchange.ServerIdentifier.ToBytes()),
                DhcpOption.Create(DhcpOptionCode.Message, System.Text.Encoding.ASCII.GetBytes(why)),
            ]),
        };
        reply = RelayAgentInformation.EchoedInto(reply, request);
        var config = exchange.Config;
        var destination = request.RelayAgentAddress.IsZero
            ? ReplyDestination.BroadcastOn(exchange.Request.Interface.Index, (ushort)config.DhcpClientPort)
            : new ReplyDestination(request.RelayAgentAddress, (ushort)config.DhcpServerPort, false, exchange.Request.Interface.Index);
        var decision = new SendReply(reply, destination, ReplyAnswer.Nak(requested, why)) { Tags = exchange.Classification.Tags.Names };
        // A NAK ends any hold this server had for the client on another address.
        var stale = exchange.CurrentLease is { State: LeaseState.Offered } held && held.Address != requested ? new LeaseRemoval(held, LeaseEvent.None) : null;
        return new DhcpOutcome(decision, stale);
    }
}

using System.Collections.Immutable;
using NetBoot.Configuration.Model;
using NetBoot.Engine.Leases;
using NetBoot.Wire.Dhcp;
using NetBoot.Wire.Net;

namespace NetBoot.Engine.Dhcp;

/// <summary>The full DHCP server role on networks NetBoot owns (a <c>dhcp-range</c> without <c>proxy</c>): RFC 2131
/// §4.3 message by message. Pure: it reads the lease view and returns the reply with the lease change to persist.</summary>
public static class FullDhcpResponder
{
    /// <summary>How long an offered address stays reserved for the client (RFC 2131 §4.3.1 "the server SHOULD reserve").</summary>
    public static readonly TimeSpan OfferHold = TimeSpan.FromSeconds(30);

    /// <summary>dnsmasq <c>DECLINE_BACKOFF</c>: a declined address is not offered again for ten minutes.</summary>
    public static readonly TimeSpan DeclineQuarantine = TimeSpan.FromMinutes(10);

    /// <summary>An address that answered the ping check is not offered again for this long (as a declined one).</summary>
    public static readonly TimeSpan InUseQuarantine = TimeSpan.FromMinutes(10);

    /// <summary>dnsmasq: leases are never shorter than two minutes.</summary>
    public static readonly TimeSpan MinimumLeaseTime = TimeSpan.FromSeconds(120);

    public static DhcpOutcome Respond(
        DhcpRequest request, ServerConfig config, Classification classification, ImmutableArray<RangeContext> ranges, ILeaseView leases, DateTimeOffset now,
        PoolFullNotes? poolFull = null)
    {
        var message = request.Message;
        var owned = ranges.Where(r => !r.IsProxy && classification.Tags.Matches(r.Range.Filter)).ToImmutableArray();
        if (owned.IsEmpty)
        {
            return Silent(classification.Tags, NoReplyReason.NoMatchingRange, new LeaseSilence(LeaseSilenceReason.NoRange));
        }
        // dnsmasq adds the chosen context's set: tag and re-runs tag-if; the first owned range stands for the network.
        classification = classification.WithRangeTag(owned[0].Range.SetTag, config);
        // dnsmasq: a dhcp-host whose address is on another network is not this client's host here (known-othernet).
        var host = ClientClassifier.FindHost(message, config, classification.Tags, owned) ?? HostByRememberedClientId(message, config, classification, owned, leases);
        var exchange = new LeaseExchange(request, config, classification, owned, host, leases, now) { PoolFull = poolFull ?? PoolFullNotes.None };
        if (host is { IsIgnored: true } || classification.IsIgnored)
        {
            // dnsmasq logs "DHCPDISCOVER(eth0) <mac> ignored".
            return Silent(classification.Tags, NoReplyReason.Ignored, new LeaseSilence(LeaseSilenceReason.Ignored));
        }
        return message.MessageType switch
        {
            DhcpMessageType.Discover => Discover(exchange),
            DhcpMessageType.Request => LeaseRequest.Respond(exchange),
            DhcpMessageType.Decline => Decline(exchange),
            DhcpMessageType.Release => Release(exchange),
            DhcpMessageType.Inform => Inform(exchange),
            null => Bootp(exchange),
            _ => Silent(classification.Tags, NoReplyReason.UnsupportedMessageType, new LeaseSilence(LeaseSilenceReason.NotAClientMessage)),
        };
    }

    /// <summary>dnsmasq: a request without option 61 whose lease has one is matched against <c>dhcp-host=id:…</c> with the
    /// lease's (GRUB's <c>net_bootp</c> after iPXE, the initramfs after the PXE ROM).</summary>
    private static DhcpHostConfig? HostByRememberedClientId(
        DhcpMessage message, ServerConfig config, Classification classification, ImmutableArray<RangeContext> owned, ILeaseView leases)
    {
        if (config.Hosts.IsDefaultOrEmpty || message.Options.Contains(DhcpOptionCode.ClientIdentifier)
            || leases.Find(ClientIdentity.Of(message, config.Protocol.IgnoreClientId)) is not { ClientId.IsDefaultOrEmpty: false } lease)
        {
            return null;
        }
        return ClientClassifier.FindHost(message.ClientHardwareAddress, lease.ClientId.AsSpan(), config.Hosts,
            h => classification.Tags.Matches(h.Filter) && ClientClassifier.IsInContext(h, owned));
    }

    /// <summary>RFC 2131 §4.3.1: choose the address (the client's fixed one, its current or previous one, the one it asks
    /// for, else a new one), hold it briefly and offer it.</summary>
    private static DhcpOutcome Discover(LeaseExchange exchange)
    {
        var outcome = Discover(exchange, out var full);
        return full.IsDefaultOrEmpty ? outcome : outcome with { PoolFull = full };
    }

    private static DhcpOutcome Discover(LeaseExchange exchange, out ImmutableArray<PoolFull> full)
    {
        var tags = exchange.Classification.Tags;
        if (ChooseOffer(exchange, out var allocated, out full) is not { } address)
        {
            return Silent(tags, NoReplyReason.NoAddressAvailable, new LeaseSilence(LeaseSilenceReason.NoAddressAvailable));
        }
        if (exchange.IsAtLeaseLimit)
        {
            return Silent(tags, NoReplyReason.LeaseLimitReached, new LeaseSilence(LeaseSilenceReason.NoLeasesLeft));
        }
        var probeFirst = allocated && !exchange.Config.NoPing;
        if (exchange.Config.Protocol.RapidCommit && exchange.Message.Options.Contains(DhcpOptionCode.RapidCommit) && !probeFirst)
        {
            // RFC 4039 §4: commit at once and ACK with option 80. A new address that must be pinged first gets the
            // usual OFFER instead (which §4 allows): NetBoot does not hold a lease open on an unchecked address.
            return WithReplyDelay(LeaseRequest.RapidCommit(exchange, address), exchange);
        }
        var range = exchange.RangeOf(address)!;
        var leaseTime = exchange.LeaseTimeFor(range);
        var reply = LeaseReplyBuilder.Build(exchange, DhcpMessageType.Offer, address, range, leaseTime);
        var current = exchange.CurrentLease;
        var holder = exchange.Leases.ByAddress(address);
        // No hold over a bound lease of the client's own, nor over the lease of another identity of the same machine:
        // dnsmasq moves that one at the REQUEST ("abandoning lease"), so an OFFER the client never takes changes nothing.
        // A hold replaces nothing else either: holds are not persisted, so what they replaced would come back.
        var keep = (current is { State: LeaseState.Bound } && current.Address == address && current.IsActiveAt(exchange.Now))
            || (holder is not null && holder.Client != exchange.Client && exchange.MayTakeOver(holder) && holder.IsActiveAt(exchange.Now));
        LeaseChange? change = keep ? null : new LeaseUpsert(exchange.LeaseOn(address, exchange.Now + OfferHold, LeaseState.Offered), LeaseEvent.None);
        // dnsmasq address_allocate: a new address from the pool is pinged first unless no-ping; fixed, current and
        // requested addresses are not.
        return WithReplyDelay(new DhcpOutcome(Send(exchange, reply, address), change)
        {
            ProbeFirst = probeFirst ? address : null,
        }, exchange);
    }

    /// <summary>dnsmasq applies <c>dhcp-reply-delay</c> to the answer to a DISCOVER (after the range's tag is added).</summary>
    private static DhcpOutcome WithReplyDelay(DhcpOutcome outcome, LeaseExchange exchange) =>
        outcome.Decision is SendReply send && ReplyDelay.For(exchange.Config, exchange.Classification.Tags) is { Ticks: > 0 } delay
            ? outcome with { Decision = send with { Delay = delay } }
            : outcome;

    /// <summary>The second decision of probe-then-offer (<see cref="DhcpOutcome.ProbeFirst"/>), with the ping check's
    /// result as its input: no echo reply, the OFFER decided before leaves as it is; an echo reply, the address is
    /// quarantined (<see cref="AddressInUse"/>) and the DISCOVER is decided again, unless the address is no longer held
    /// as an offer (the answer may be the client's own): then nothing is sent.</summary>
    public static ProbeVerdict Probed(ILeaseView leases, IPv4Address address, HardwareAddress offeredTo, bool answered, DateTimeOffset now)
    {
        if (!answered)
        {
            // Nothing to record: the OFFER decided before the probe leaves (logged by the host).
            return new ProbeVerdict(ProbeNext.SendOffer, new DhcpOutcome(new NoReply(NoReplyReason.Recorded)));
        }
        var outcome = AddressInUse(leases, address, offeredTo, now);
        return new ProbeVerdict(outcome.Change is null ? ProbeNext.Drop : ProbeNext.DecideAgain, outcome);
    }

    /// <summary>The ping check found <paramref name="address"/> answering: quarantine it (held by nobody, as a declined
    /// address) so the next decision for the client picks another one.</summary>
    /// <remarks>The answer may come from the client itself: a client that retried its DISCOVER while the first one's
    /// probe was out is offered the held address at once (it is its own now), may be bound to it, and then answers the
    /// probe. An address no longer held as an offer (bound, or another client's) is therefore kept as it is.</remarks>
    public static DhcpOutcome AddressInUse(ILeaseView leases, IPv4Address address, HardwareAddress offeredTo, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(leases);
        if (leases.ByAddress(address) is { } held && held.IsActiveAt(now) && held.State != LeaseState.Offered)
        {
            // Kept: the answer may be its own (bound, or another client's since the probe).
            return new DhcpOutcome(new NoReply(NoReplyReason.Recorded));
        }
        var quarantine = new Lease(address, ClientKey.Declined(address), offeredTo, [], null, now + InUseQuarantine, LeaseState.Declined);
        return new DhcpOutcome(
            new NoReply(NoReplyReason.Recorded),
            new LeaseUpsert(quarantine, LeaseEvent.None) { MustBeDurableBeforeReply = false });
    }

    private static IPv4Address? ChooseOffer(LeaseExchange exchange, out bool allocated, out ImmutableArray<PoolFull> full)
    {
        allocated = false;
        full = [];
        if (exchange.HostAddress is { } fixedAddress)
        {
            // dnsmasq: a configured address leased to someone else is not used ("not using configured address").
            if (!exchange.HeldByAnother(fixedAddress))
            {
                return fixedAddress;
            }
            allocated = true;
            return Allocate(exchange, out full);
        }
        if (exchange.CurrentLease is { State: not LeaseState.Declined } lease && exchange.MayHave(lease.Address))
        {
            return lease.Address;
        }
        if (exchange.Message.Options.TryGetAddress(DhcpOptionCode.RequestedIPAddress, out var requested) && exchange.MayHave(requested))
        {
            return requested;
        }
        allocated = true;
        return Allocate(exchange, out full);
    }

    private static IPv4Address? Allocate(LeaseExchange exchange, out ImmutableArray<PoolFull> full)
    {
        full = [];
        if (exchange.OwnedRanges.All(r => r.Range.Mode != DhcpRangeMode.Dynamic))
        {
            return null;
        }
        return AddressAllocator.Allocate(exchange.OwnedRanges, exchange.Allocation,
            exchange.Message.ClientHardwareAddress.Bytes.AsSpan(), exchange.Config.SequentialIp, out full);
    }

    /// <summary>BOOTP (RFC 951, RFC 1542; dnsmasq <c>dhcp_reply</c> with no message type): a <c>dhcp-host</c> address,
    /// else (with <c>bootp-dynamic</c>) the client's previous address or a new one; the lease is infinite unless the
    /// <c>dhcp-host</c> gives a time; the BOOTREPLY carries no option 53/54 and options fit the 64-byte vendor area.
    /// The lease is durable before the reply leaves, as for an ACK.</summary>
    private static DhcpOutcome Bootp(LeaseExchange exchange)
    {
        var outcome = Bootp(exchange, out var full);
        return full.IsDefaultOrEmpty ? outcome : outcome with { PoolFull = full };
    }

    private static DhcpOutcome Bootp(LeaseExchange exchange, out ImmutableArray<PoolFull> full)
    {
        full = [];
        var tags = exchange.Classification.Tags;
        var message = exchange.Message;
        if (message.HardwareType == 0 || message.HardwareAddressLength == 0)
        {
            return Silent(tags, NoReplyReason.UnsupportedMessageType, new LeaseSilence(LeaseSilenceReason.NoHardwareAddress));
        }
        IPv4Address address;
        if (exchange.HostAddress is { } fixedAddress)
        {
            if (exchange.HeldByAnother(fixedAddress))
            {
                return Silent(tags, NoReplyReason.NoAddressAvailable, new LeaseSilence(LeaseSilenceReason.AddressInUse, fixedAddress));
            }
            address = fixedAddress;
        }
        else
        {
            // dnsmasq: without bootp-dynamic (matching the client's tags) BOOTP gets only dhcp-host addresses.
            if (!exchange.Config.BootpDynamic.Any(f => f.IsEmpty || tags.Matches(f)))
            {
                return Silent(tags, NoReplyReason.NoAddressAvailable, new LeaseSilence(LeaseSilenceReason.NoAddressConfigured));
            }
            if (exchange.CurrentLease is { State: not LeaseState.Declined } lease && exchange.MayHave(lease.Address))
            {
                address = lease.Address;
            }
            else if (exchange.IsAtLeaseLimit)
            {
                return Silent(tags, NoReplyReason.LeaseLimitReached, new LeaseSilence(LeaseSilenceReason.NoLeasesLeft));
            }
            else if (Allocate(exchange, out full) is { } allocated)
            {
                address = allocated;
            }
            else
            {
                return Silent(tags, NoReplyReason.NoAddressAvailable, new LeaseSilence(LeaseSilenceReason.NoAddressAvailable));
            }
        }
        var range = exchange.RangeOf(address)!;
        TimeSpan? leaseTime = exchange.Host is { IsInfinite: false, LeaseTime: { } time } ? time : null;
        var reply = LeaseReplyBuilder.Build(exchange, DhcpMessageType.Ack, address, range, leaseTime: null, includeLeaseTimes: false);
        reply = reply with { Options = reply.Options.Without(DhcpOptionCode.DhcpMessageType).Without(DhcpOptionCode.ServerIdentifier) };
        var bound = exchange.LeaseOn(address, exchange.ExpiryFor(leaseTime), LeaseState.Bound);
        var change = exchange.Upsert(bound, exchange.IsRenewalOf(address) ? LeaseEvent.Old : LeaseEvent.Add) with { MustBeDurableBeforeReply = true };
        var send = Send(exchange, reply, address) with { MaximumLength = BootpMessageLength, AllowOverload = false };
        return new DhcpOutcome(send, change);
    }

    /// <summary>RFC 951: a BOOTP message is 300 bytes, 64 of them the vendor area.</summary>
    private const int BootpMessageLength = 300;

    /// <summary>RFC 2131 §4.3.3: the client found the address in use; quarantine it and do not answer.</summary>
    private static DhcpOutcome Decline(LeaseExchange exchange)
    {
        var tags = exchange.Classification.Tags;
        var options = exchange.Message.Options;
        if (options.TryGetAddress(DhcpOptionCode.ServerIdentifier, out var server) && server != exchange.ServerIdentifier)
        {
            return Silent(tags, NoReplyReason.ForAnotherServer, new LeaseSilence(LeaseSilenceReason.WrongServer, Server: server));
        }
        if (!options.TryGetAddress(DhcpOptionCode.RequestedIPAddress, out var address) || exchange.CurrentLease?.Address != address)
        {
            return Silent(tags, NoReplyReason.Recorded, new LeaseSilence(LeaseSilenceReason.NotItsLease, address));
        }
        var quarantine = exchange.LeaseOn(address, exchange.Now + DeclineQuarantine, LeaseState.Declined) with { Client = ClientKey.Declined(address) };
        return Silent(tags, NoReplyReason.Recorded, new LeaseSilence(LeaseSilenceReason.Declined, address),
            new LeaseUpsert(quarantine, LeaseEvent.Del) { MustBeDurableBeforeReply = false });
    }

    /// <summary>RFC 2131 §4.3.4: the client gives its address back (ciaddr); no reply.</summary>
    private static DhcpOutcome Release(LeaseExchange exchange)
    {
        var tags = exchange.Classification.Tags;
        var address = exchange.Message.ClientAddress;
        if (exchange.Message.Options.TryGetAddress(DhcpOptionCode.ServerIdentifier, out var server) && server != exchange.ServerIdentifier)
        {
            return Silent(tags, NoReplyReason.ForAnotherServer, new LeaseSilence(LeaseSilenceReason.WrongServer, address, server));
        }
        // Only the sender's own lease (found by its identity, docs/client-identity.md) is freed: a RELEASE naming
        // another machine's address, or sent under another identity, frees nothing.
        if (exchange.CurrentLease is not { } lease || lease.Address != address)
        {
            return Silent(tags, NoReplyReason.Recorded, new LeaseSilence(LeaseSilenceReason.UnknownLease, address));
        }
        return Silent(tags, NoReplyReason.Recorded, new LeaseSilence(LeaseSilenceReason.Released, address), new LeaseRemoval(lease, LeaseEvent.Del));
    }

    /// <summary>RFC 2131 §4.3.5: configuration only, to ciaddr; no yiaddr, no lease time, no lease change.</summary>
    private static DhcpOutcome Inform(LeaseExchange exchange)
    {
        var address = exchange.Message.ClientAddress;
        if (address.IsZero || exchange.RangeOf(address) is not { } range)
        {
            return Silent(exchange.Classification.Tags, NoReplyReason.NoMatchingRange, new LeaseSilence(LeaseSilenceReason.NotOnServedNetwork, address));
        }
        var reply = LeaseReplyBuilder.Build(exchange, DhcpMessageType.Ack, IPv4Address.Any, range, leaseTime: null, includeLeaseTimes: false);
        return new DhcpOutcome(Send(exchange, reply with { ClientAddress = address }, address));
    }

    internal static SendReply Send(LeaseExchange exchange, DhcpMessage reply, IPv4Address address)
    {
        // dnsmasq do_options: dhcp-broadcast sets the broadcast flag, so the reply is broadcast (RFC 2131 §4.1) to
        // clients that cannot take a unicast before they are configured.
        if (ClientNames.AnyApplies(exchange.Config.Protocol.Broadcast, exchange.Classification.Tags))
        {
            reply = reply with { Flags = (ushort)(reply.Flags | 0x8000) };
        }
        reply = RelayAgentInformation.EchoedInto(reply, exchange.Message);
        return new(reply, ReplyAddressing.For(exchange.Request, reply, exchange.Config), ReplyAnswer.Lease(address),
            Pxe.ProxyDhcpResponder.MaximumLength(exchange.Message), AllowOverload: !exchange.Config.NoOverride)
        {
            Tags = exchange.Classification.Tags.Names,
        };
    }

    /// <summary>No reply: <paramref name="reason"/> for the counters, <paramref name="silence"/> for the log line, and the
    /// change to record, if any (a DHCPRELEASE frees its lease).</summary>
    internal static DhcpOutcome Silent(TagSet tags, NoReplyReason reason, LeaseSilence silence, LeaseChange? change = null) =>
        new(NoReplyOf(tags, reason, silence), change);

    internal static NoReply NoReplyOf(TagSet tags, NoReplyReason reason, LeaseSilence silence) =>
        new(reason) { Tags = tags.Names, Lease = silence };
}

/// <summary>What follows a ping check (<see cref="FullDhcpResponder.Probed"/>).</summary>
public enum ProbeNext
{
    /// <summary>Nobody answered: send the OFFER decided before the probe.</summary>
    SendOffer,
    /// <summary>The address answered and is quarantined by <see cref="ProbeVerdict.Outcome"/>'s change: decide the DISCOVER
    /// again once that change is applied (another address, probed in turn).</summary>
    DecideAgain,
    /// <summary>The address answered but is no longer held as an offer: the client took it meanwhile; send nothing.</summary>
    Drop,
}

/// <summary>The verdict of a ping check: what to do next, and the outcome (with the quarantine) for the store.</summary>
public sealed record ProbeVerdict(ProbeNext Next, DhcpOutcome Outcome);

using System.Collections.Immutable;
using NetBoot.Configuration.Model;
using NetBoot.Engine.Dhcp;
using NetBoot.Wire.Dhcp6;
using NetBoot.Wire.Net;

namespace NetBoot.Engine.Dhcp6;

/// <summary>The DHCPv6 server role (RFC 8415 §18.3, dnsmasq rfc3315.c), IA_NA only. Pure: it reads the lease view and
/// returns the reply (wrapped in RELAY-REPL layers when the request was relayed) with the lease changes to commit.</summary>
public static class Dhcp6Responder
{
    /// <summary>How long an advertised address stays held for its DUID+IAID (as a DHCPv4 offer).</summary>
    public static readonly TimeSpan AdvertiseHold = TimeSpan.FromSeconds(30);

    /// <summary>A declined address is not given again for this long (dnsmasq DECLINE_BACKOFF).</summary>
    public static readonly TimeSpan DeclineQuarantine = TimeSpan.FromMinutes(10);

    public static Dhcp6Outcome Respond(
        Dhcp6Packet packet, Dhcp6Link link, ServerConfig config, IIpv6LeaseView leases, Duid serverDuid, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(packet);
        ArgumentNullException.ThrowIfNull(link);
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(leases);
        if (packet is Dhcp6RelayMessage { Type: Dhcp6MessageType.RelayReply })
        {
            return Drop(Dhcp6DropReason.NotAClientMessage, "RELAY-REPL is for relay agents");
        }
        var message = packet.InnermostMessage;
        // RFC 8415 §9, §19.1.1: a relay's link-address (when global) names the client's link; keep the ranges on it.
        if (packet is Dhcp6RelayMessage relay && LinkAddressOf(relay) is { IsZero: false, IsLinkLocal: false } linkAddress)
        {
            link = link with { Ranges = [.. link.Ranges.Where(r => r.IsOnLink(linkAddress))] };
        }
        var outcome = Decide(message, link, config, leases, serverDuid, now);
        return outcome.Decision is Dhcp6Send send ? outcome with { Decision = send with { Reply = WrapForRelays(packet, send.Reply) } } : outcome;
    }

    private static IPv6Address LinkAddressOf(Dhcp6RelayMessage relay)
    {
        // The innermost relay is the one on the client's link.
        var current = relay;
        while (current.Relayed is Dhcp6RelayMessage inner)
        {
            current = inner;
        }
        return current.LinkAddress;
    }

    /// <summary>RFC 8415 §19.3: one RELAY-REPL per RELAY-FORW, same hop-count, link- and peer-address, Interface-Id echoed.</summary>
    private static Dhcp6Packet WrapForRelays(Dhcp6Packet request, Dhcp6Packet reply)
    {
        if (request is not Dhcp6RelayMessage relay)
        {
            return reply;
        }
        var options = relay.Options.TryGet(Dhcp6OptionCode.InterfaceId, out var interfaceId) ? new Dhcp6OptionList([interfaceId]) : Dhcp6OptionList.Empty;
        return new Dhcp6RelayMessage
        {
            Type = Dhcp6MessageType.RelayReply,
            HopCount = relay.HopCount,
            LinkAddress = relay.LinkAddress,
            PeerAddress = relay.PeerAddress,
            Options = options,
            Relayed = WrapForRelays(relay.Relayed, reply),
        };
    }

    private static Dhcp6Outcome Decide(Dhcp6Message message, Dhcp6Link link, ServerConfig config, IIpv6LeaseView leases, Duid serverDuid, DateTimeOffset now)
    {
        var type = message.Type;
        if (type is Dhcp6MessageType.Advertise or Dhcp6MessageType.Reply or Dhcp6MessageType.Reconfigure)
        {
            return Drop(Dhcp6DropReason.NotAClientMessage, $"{type} is a server message");
        }
        var clientId = message.Options.ClientId;
        var serverId = message.Options.ServerId;
        // RFC 8415 §16.2-16.10: which messages must, may or must not name a server.
        var needsServerId = type is Dhcp6MessageType.Request or Dhcp6MessageType.Renew or Dhcp6MessageType.Release or Dhcp6MessageType.Decline;
        var forbidsServerId = type is Dhcp6MessageType.Solicit or Dhcp6MessageType.Rebind or Dhcp6MessageType.Confirm;
        if (clientId is null && type != Dhcp6MessageType.InformationRequest)
        {
            return Drop(Dhcp6DropReason.Malformed, $"{type} without a Client Identifier (RFC 8415 §16)");
        }
        if (needsServerId && serverId is null)
        {
            return Drop(Dhcp6DropReason.Malformed, $"{type} without a Server Identifier (RFC 8415 §16)");
        }
        if (forbidsServerId && serverId is not null)
        {
            return Drop(Dhcp6DropReason.Malformed, $"{type} with a Server Identifier (RFC 8415 §16)");
        }
        if (serverId is { } named && named != serverDuid)
        {
            return Drop(Dhcp6DropReason.ForAnotherServer, $"{type} is for server {named}, this server is {serverDuid}");
        }
        var tags = Dhcp6Classifier.Classify(message, config);
        var host = clientId is { } id ? Dhcp6Hosts.Find(message, id, config.Hosts, tags) : null;
        if (host is { IsIgnored: true })
        {
            // dnsmasq: dhcp-host=…,ignore: the client is never answered (by MAC, DUID or name, as in DHCPv4).
            return Drop(Dhcp6DropReason.IgnoredByHost, $"{type} from {clientId}: dhcp-host at {host.Source} says ignore");
        }
        if (host is not null && !host.SetTags.IsDefaultOrEmpty)
        {
            tags = tags.AddRange(host.SetTags);
        }
        var exchange = new Exchange(message, link, config, leases, serverDuid, now, clientId ?? default, tags) { Host = host };
        return type switch
        {
            Dhcp6MessageType.Solicit => Solicit(exchange),
            Dhcp6MessageType.Request => Bind(exchange, Dhcp6MessageType.Reply, held: false),
            Dhcp6MessageType.Renew or Dhcp6MessageType.Rebind => Extend(exchange),
            Dhcp6MessageType.Release => Release(exchange),
            Dhcp6MessageType.Decline => Decline(exchange),
            Dhcp6MessageType.Confirm => Confirm(exchange),
            Dhcp6MessageType.InformationRequest => Send(exchange, exchange.Reply(Dhcp6MessageType.Reply, []), [], "options only"),
            _ => Drop(Dhcp6DropReason.NotAClientMessage, $"{type} is not a client message"),
        };
    }

    /// <summary>RFC 8415 §18.3.1; dnsmasq: option 14 from the client turns the ADVERTISE into a committed REPLY (dnsmasq
    /// honours DHCPv6 rapid commit whenever the client asks; <c>dhcp-rapid-commit</c> is DHCPv4 only).</summary>
    private static Dhcp6Outcome Solicit(Exchange exchange)
    {
        var rapid = exchange.Message.Options.HasRapidCommit;
        return Bind(exchange, rapid ? Dhcp6MessageType.Reply : Dhcp6MessageType.Advertise, held: !rapid);
    }

    /// <summary>SOLICIT and REQUEST: an address per IA_NA (its current one, the one it asks for, else a new one).</summary>
    private static Dhcp6Outcome Bind(Exchange exchange, Dhcp6MessageType replyType, bool held)
    {
        var ranges = exchange.ServingRanges;
        // dnsmasq: with only stateless ranges (ra-stateless) a SOLICIT gets no answer at all; Windows keeps retrying
        // when told NoAddrsAvail. A dhcp-host's address may be on a static range, which leases nothing else.
        if (ranges.IsEmpty && exchange.Reserved is null)
        {
            return Drop(Dhcp6DropReason.NoMatchingRange, $"no IPv6 range on {exchange.Link.InterfaceName} serves {exchange.ClientId}");
        }
        var isRequest = exchange.Message.Type == Dhcp6MessageType.Request;
        var changes = ImmutableArray.CreateBuilder<Ipv6LeaseChange>();
        var options = new List<Dhcp6Option>();
        var picked = new HashSet<IPv6Address>();
        var assigned = false;
        foreach (var ia in exchange.Message.Options.IdentityAssociations)
        {
            var requested = ia.Addresses.Select(a => a.Address).ToArray();
            if (isRequest && requested.Length > 0 && !requested.Any(a => ranges.Any(r => r.IsOnLink(a)) || exchange.Reserved?.Range.IsOnLink(a) == true))
            {
                options.Add(IaWithStatus(ia.Iaid, Dhcp6Status.NotOnLink, "not on link"));
                continue;
            }
            if (Choose(exchange, ia.Iaid, requested, picked) is not { } choice)
            {
                options.Add(IaWithStatus(ia.Iaid, Dhcp6Status.NoAddrsAvail, "no addresses available"));
                continue;
            }
            picked.Add(choice.Address);
            assigned = true;
            var valid = exchange.LeaseTimeOn(choice.Range);
            var lease = held
                ? new Ipv6Lease(exchange.ClientId, ia.Iaid, choice.Address, valid, valid, exchange.Now + AdvertiseHold, Ipv6LeaseState.Offered)
                : new Ipv6Lease(exchange.ClientId, ia.Iaid, choice.Address, valid, valid, exchange.ExpiryFor(valid), Ipv6LeaseState.Bound);
            // An ADVERTISE does not downgrade the client's own bound lease to a hold.
            if (!(held && exchange.Leases.ByAddress(choice.Address) is { State: Ipv6LeaseState.Bound } bound && bound.BelongsTo(exchange.ClientId, ia.Iaid) && bound.IsActiveAt(exchange.Now)))
            {
                changes.Add(new Ipv6LeaseUpsert(lease));
            }
            AddRangeTag(choice.Range);
            options.Add(IaWithAddress(ia.Iaid, choice.Address, valid));
        }
        void AddRangeTag(Dhcp6LinkRange range)
        {
            if (range.Config.SetTag is { } tag)
            {
                exchange.Tags = exchange.Tags.Add(tag);
            }
        }
        if (!assigned)
        {
            // RFC 8415 §18.3.1: an ADVERTISE carries only NoAddrsAvail; a REPLY to REQUEST also says per IA why
            // (NotOnLink, NoAddrsAvail), with NoAddrsAvail at message level as dnsmasq sends.
            var status = new Dhcp6StatusCode(Dhcp6Status.NoAddrsAvail, "no addresses available").ToOption();
            var refusal = exchange.Reply(replyType, isRequest ? [.. options, status] : [status], withConfigured: false);
            return Send(exchange, refusal, [], "no addresses available");
        }
        if (replyType == Dhcp6MessageType.Advertise || exchange.Message.Type == Dhcp6MessageType.Solicit)
        {
            // dnsmasq: preference 255 with dhcp-authoritative tells the client not to wait for other servers.
            options.Add(Dhcp6Options.Preference(exchange.Config.Authoritative ? (byte)255 : (byte)0));
        }
        if (exchange.Message.Type == Dhcp6MessageType.Solicit && replyType == Dhcp6MessageType.Reply)
        {
            options.Add(Dhcp6Options.RapidCommit());
        }
        options.Add(new Dhcp6StatusCode(Dhcp6Status.Success, "success").ToOption());
        var reply = exchange.Reply(replyType, options);
        return Send(exchange, reply, changes.ToImmutable(), string.Join(' ', picked));
    }

    private readonly record struct Choice(IPv6Address Address, Dhcp6LinkRange Range);

    private static Choice? Choose(Exchange exchange, uint iaid, IPv6Address[] requested, HashSet<IPv6Address> picked)
    {
        var ranges = exchange.ServingRanges;
        bool Usable(IPv6Address a) => !picked.Contains(a) && exchange.IsFreeFor(a, iaid) && !exchange.ReservedForOthers.Contains(a);
        // dnsmasq: the dhcp-host's address first, unless another client holds it.
        if (exchange.Reserved is { } reserved && !picked.Contains(reserved.Address) && exchange.IsFreeFor(reserved.Address, iaid))
        {
            return new Choice(reserved.Address, reserved.Range);
        }
        foreach (var lease in exchange.Leases.ByClient(exchange.ClientId, iaid))
        {
            if (lease.State != Ipv6LeaseState.Declined && lease.IsActiveAt(exchange.Now) && Usable(lease.Address) && exchange.RangeFor(lease.Address) is { } range)
            {
                return new Choice(lease.Address, range);
            }
        }
        foreach (var address in requested)
        {
            if (Usable(address) && exchange.RangeFor(address) is { } range)
            {
                return new Choice(address, range);
            }
        }
        // dnsmasq address6_allocate: start at a hash of DUID and IAID, step to the next free address.
        var start = Dhcp6Classifier.Hash(exchange.ClientId, iaid);
        foreach (var range in ranges)
        {
            var size = range.Size;
            var tries = UInt128.Min(size, (UInt128)(exchange.Leases.Count + picked.Count + 1));
            var offset = start % size;
            for (UInt128 i = 0; i < tries; i++)
            {
                var address = new IPv6Address(range.Start.Value + ((offset + i) % size));
                if (Usable(address))
                {
                    return new Choice(address, range);
                }
            }
        }
        return null;
    }

    private static Dhcp6LinkRange? RangeOf(ImmutableArray<Dhcp6LinkRange> ranges, IPv6Address address) =>
        ranges.FirstOrDefault(r => r.Contains(address));

    /// <summary>RENEW and REBIND (RFC 8415 §18.3.4-5): extend each address the IA holds; RENEW without a binding gets
    /// NoBinding; REBIND of an address not on this link gets it back with zero lifetimes.</summary>
    private static Dhcp6Outcome Extend(Exchange exchange)
    {
        var changes = ImmutableArray.CreateBuilder<Ipv6LeaseChange>();
        var options = new List<Dhcp6Option>();
        var rebind = exchange.Message.Type == Dhcp6MessageType.Rebind;
        foreach (var ia in exchange.Message.Options.IdentityAssociations)
        {
            var addresses = new List<Dhcp6Option>();
            // Only zero-lifetime addresses: T1 and T2 are zero too.
            var shortest = TimeSpan.Zero;
            var extended = false;
            var noBinding = false;
            foreach (var asked in ia.Addresses)
            {
                var lease = exchange.Leases.ByAddress(asked.Address);
                var range = exchange.RangeFor(asked.Address);
                // An advertised hold is not a binding: only a bound lease is extended.
                if (lease is null || !lease.BelongsTo(exchange.ClientId, ia.Iaid) || lease.State != Ipv6LeaseState.Bound || !lease.IsActiveAt(exchange.Now))
                {
                    if (rebind && !exchange.Link.Ranges.Any(r => r.IsOnLink(asked.Address)))
                    {
                        addresses.Add(new Dhcp6IaAddress(asked.Address, TimeSpan.Zero, TimeSpan.Zero, Dhcp6OptionList.Empty).ToOption());
                        continue;
                    }
                    noBinding = true;
                    break;
                }
                if (range is null)
                {
                    // No longer served here: tell the client to stop using it (RFC 8415 §18.3.4).
                    addresses.Add(new Dhcp6IaAddress(asked.Address, TimeSpan.Zero, TimeSpan.Zero, Dhcp6OptionList.Empty).ToOption());
                    continue;
                }
                var valid = exchange.LeaseTimeOn(range);
                changes.Add(new Ipv6LeaseUpsert(lease with { PreferredLifetime = valid, ValidLifetime = valid, Expires = exchange.ExpiryFor(valid), State = Ipv6LeaseState.Bound }));
                addresses.Add(new Dhcp6IaAddress(asked.Address, valid, valid, Dhcp6OptionList.Empty).ToOption());
                shortest = !extended || valid < shortest ? valid : shortest;
                extended = true;
            }
            if (noBinding || addresses.Count == 0)
            {
                options.Add(IaWithStatus(ia.Iaid, Dhcp6Status.NoBinding, "no binding found"));
                continue;
            }
            options.Add(Ia(ia.Iaid, shortest, addresses));
        }
        return Send(exchange, exchange.Reply(Dhcp6MessageType.Reply, options), changes.ToImmutable(), rebind ? "rebind" : "renew");
    }

    /// <summary>RFC 8415 §18.3.7: free the IA's addresses; an IA with nothing to free gets NoBinding.</summary>
    private static Dhcp6Outcome Release(Exchange exchange)
    {
        var changes = ImmutableArray.CreateBuilder<Ipv6LeaseChange>();
        var options = new List<Dhcp6Option>();
        foreach (var ia in exchange.Message.Options.IdentityAssociations)
        {
            var found = false;
            foreach (var asked in ia.Addresses)
            {
                if (exchange.Leases.ByAddress(asked.Address) is { } lease && lease.BelongsTo(exchange.ClientId, ia.Iaid) && lease.State != Ipv6LeaseState.Declined)
                {
                    changes.Add(new Ipv6LeaseRemoval(lease));
                    found = true;
                }
            }
            if (!found)
            {
                options.Add(IaWithStatus(ia.Iaid, Dhcp6Status.NoBinding, "no binding found"));
            }
        }
        options.Add(new Dhcp6StatusCode(Dhcp6Status.Success, "release received").ToOption());
        return Send(exchange, exchange.Reply(Dhcp6MessageType.Reply, options, withConfigured: false), changes.ToImmutable(), "release");
    }

    /// <summary>RFC 8415 §18.3.8: the addresses are in use elsewhere; quarantine them, owned by nobody.</summary>
    private static Dhcp6Outcome Decline(Exchange exchange)
    {
        var changes = ImmutableArray.CreateBuilder<Ipv6LeaseChange>();
        var options = new List<Dhcp6Option>();
        foreach (var ia in exchange.Message.Options.IdentityAssociations)
        {
            var found = false;
            foreach (var asked in ia.Addresses)
            {
                if (exchange.Leases.ByAddress(asked.Address) is { } lease && lease.BelongsTo(exchange.ClientId, ia.Iaid))
                {
                    changes.Add(new Ipv6LeaseUpsert(lease with
                    {
                        Duid = default, Iaid = 0, PreferredLifetime = TimeSpan.Zero, ValidLifetime = TimeSpan.Zero,
                        Expires = exchange.Now + DeclineQuarantine, State = Ipv6LeaseState.Declined,
                    }));
                    found = true;
                }
            }
            if (!found)
            {
                options.Add(IaWithStatus(ia.Iaid, Dhcp6Status.NoBinding, "no binding found"));
            }
        }
        options.Add(new Dhcp6StatusCode(Dhcp6Status.Success, "decline received").ToOption());
        return Send(exchange, exchange.Reply(Dhcp6MessageType.Reply, options, withConfigured: false), changes.ToImmutable(), "decline");
    }

    /// <summary>RFC 8415 §18.3.3: Success when every address is on this link, else NotOnLink; no addresses, no reply.</summary>
    private static Dhcp6Outcome Confirm(Exchange exchange)
    {
        var addresses = exchange.Message.Options.IdentityAssociations.SelectMany(ia => ia.Addresses).Select(a => a.Address).ToArray();
        if (addresses.Length == 0)
        {
            return Drop(Dhcp6DropReason.NothingToConfirm, $"CONFIRM from {exchange.ClientId} names no address");
        }
        var onLink = addresses.All(a => exchange.Link.Ranges.Any(r => r.IsOnLink(a)));
        var status = onLink ? new Dhcp6StatusCode(Dhcp6Status.Success, "all addresses still on link") : new Dhcp6StatusCode(Dhcp6Status.NotOnLink, "confirm failed");
        return Send(exchange, exchange.Reply(Dhcp6MessageType.Reply, [status.ToOption()], withConfigured: false), [], onLink ? "on link" : "not on link");
    }

    private static Dhcp6Option IaWithStatus(uint iaid, Dhcp6Status status, string text) =>
        new Dhcp6IaNa(iaid, TimeSpan.Zero, TimeSpan.Zero, new Dhcp6OptionList([new Dhcp6StatusCode(status, text).ToOption()])).ToOption();

    private static Dhcp6Option IaWithAddress(uint iaid, IPv6Address address, TimeSpan valid) =>
        Ia(iaid, valid, [new Dhcp6IaAddress(address, valid, valid, Dhcp6OptionList.Empty).ToOption()]);

    /// <summary>dnsmasq end_ia: T1 half and T2 seven eighths of the shortest lifetime; infinite stays infinite.</summary>
    private static Dhcp6Option Ia(uint iaid, TimeSpan shortest, IEnumerable<Dhcp6Option> addresses)
    {
        var infinite = shortest >= Dhcp6Lifetime.Infinite;
        var t1 = infinite ? Dhcp6Lifetime.Infinite : shortest / 2;
        var t2 = infinite ? Dhcp6Lifetime.Infinite : shortest * 7 / 8;
        return new Dhcp6IaNa(iaid, t1, t2, new Dhcp6OptionList(addresses)).ToOption();
    }

    private static Dhcp6Outcome Send(Exchange exchange, Dhcp6Message reply, ImmutableArray<Ipv6LeaseChange> changes, string summary) =>
        new(new Dhcp6Send(reply, $"{reply.Type}({exchange.Link.InterfaceName}) {summary}") { Tags = exchange.Tags.Names }, changes);

    private static Dhcp6Outcome Drop(Dhcp6DropReason reason, string detail) => new(new Dhcp6Drop(reason, detail));

    /// <summary>One request being answered: its tags grow with the chosen range's <c>set:</c> tag.</summary>
    private sealed class Exchange(
        Dhcp6Message message, Dhcp6Link link, ServerConfig config, IIpv6LeaseView leases, Duid serverDuid, DateTimeOffset now, Duid clientId, TagSet tags)
    {
        public Dhcp6Message Message { get; } = message;
        public Dhcp6Link Link { get; } = link;
        public ServerConfig Config { get; } = config;
        public IIpv6LeaseView Leases { get; } = leases;
        public Duid ServerDuid { get; } = serverDuid;
        public DateTimeOffset Now { get; } = now;
        public Duid ClientId { get; } = clientId;
        public TagSet Tags { get; set; } = tags;

        public ImmutableArray<Dhcp6LinkRange> ServingRanges => [.. Link.Ranges.Where(r => r.LeasesAddresses && Tags.Matches(r.Config.Filter))];

        /// <summary>The client's <c>dhcp-host</c>, when one names it.</summary>
        public DhcpHostConfig? Host { get; init; }

        /// <summary>Ranges a dhcp-host address may be on: those that lease addresses, static ones included.</summary>
        private ImmutableArray<Dhcp6LinkRange> HostRanges => [.. Link.Ranges.Where(r => r.Config.LeasesAddresses && Tags.Matches(r.Config.Filter))];

        /// <summary>The host's address on this link, with its range.</summary>
        public (IPv6Address Address, Dhcp6LinkRange Range)? Reserved => _reserved ??= Host is null ? null : Dhcp6Hosts.ReservedOn(Host, HostRanges);

        private (IPv6Address Address, Dhcp6LinkRange Range)? _reserved;

        /// <summary>Addresses of other dhcp-hosts on this link (computed once, only when a pool address is looked for).</summary>
        public ImmutableHashSet<IPv6Address> ReservedForOthers => _reservedForOthers ??= Dhcp6Hosts.ReservedForOthers(Config.Hosts, Host, HostRanges);

        private ImmutableHashSet<IPv6Address>? _reservedForOthers;

        /// <summary>The serving range holding <paramref name="address"/>, or the range of the client's own dhcp-host
        /// address (which needs only be on its prefix).</summary>
        public Dhcp6LinkRange? RangeFor(IPv6Address address) =>
            RangeOf(ServingRanges, address) ?? (Reserved is { } r && r.Address == address ? r.Range : null);

        /// <summary>The dhcp-host's lease time (or <c>infinite</c>) over the range's.</summary>
        public TimeSpan LeaseTimeOn(Dhcp6LinkRange range) =>
            Host is { IsInfinite: true } ? Dhcp6Lifetime.Infinite : Host?.LeaseTime ?? range.LeaseTime ?? Dhcp6Lifetime.Infinite;

        public DateTimeOffset ExpiryFor(TimeSpan valid) => valid >= Dhcp6Lifetime.Infinite ? DateTimeOffset.MaxValue : Now + valid;

        /// <summary>Not held (offered, bound or declined) by another DUID+IAID, and not declined by this one.</summary>
        public bool IsFreeFor(IPv6Address address, uint iaid) =>
            Leases.ByAddress(address) is not { } holder || !holder.IsActiveAt(Now)
            || (holder.BelongsTo(ClientId, iaid) && holder.State != Ipv6LeaseState.Declined);

        public Dhcp6Message Reply(Dhcp6MessageType type, IEnumerable<Dhcp6Option> options, bool withConfigured = true)
        {
            var list = new List<Dhcp6Option> { Duid.ToOption(Dhcp6OptionCode.ServerId) };
            if (Message.Options.TryGet(Dhcp6OptionCode.ClientId, out var client))
            {
                list.Insert(0, client);
            }
            list.AddRange(options);
            if (withConfigured)
            {
                list.AddRange(Dhcp6ReplyOptions.Configured(Message, Config.Ipv6, Tags, Link.ServerAddress));
            }
            return new Dhcp6Message { Type = type, TransactionId = Message.TransactionId, Options = new Dhcp6OptionList(list) };
        }

        private Duid Duid => ServerDuid;
    }
}

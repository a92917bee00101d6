using System.Collections.Immutable;
using NetBoot.Configuration.Model;
using NetBoot.Engine.Leases;
using NetBoot.Wire.Dhcp;
using NetBoot.Wire.Net;

namespace NetBoot.Engine.Dhcp;

/// <summary>The tags of a request before and after <c>tag-if</c>, and whether <c>dhcp-ignore</c> drops it.</summary>
/// <param name="BaseTags">Tags set by the request itself (dnsmasq's <c>netid</c>): <c>tag-if</c> is re-run over these
/// when a <c>dhcp-range</c>'s <c>set:</c> tag is added.</param>
/// <param name="Tags">After <c>tag-if</c> (dnsmasq's <c>tagif_netid</c>).</param>
public sealed record Classification(TagSet BaseTags, TagSet Tags, bool IsIgnored)
{
    /// <summary>dnsmasq <c>run_tag_if(&amp;context-&gt;netid)</c>: the chosen range's <c>set:</c> tag joins the request's tags
    /// and the <c>tag-if</c> rules run again. <see cref="IsIgnored"/> is not re-evaluated (dnsmasq decides it before).</summary>
    public Classification WithRangeTag(string? rangeTag, ServerConfig config) =>
        rangeTag is null ? this : this with { Tags = ClientClassifier.ApplyTagIfs(BaseTags.Add(rangeTag), config) };
}

/// <summary>Builds the tag set of a request the way dnsmasq's <c>dhcp_reply</c> does (spec §1.11): the arrival
/// interface's name, <c>dhcp-mac</c>, <c>dhcp-match</c>, <c>dhcp-vendorclass</c>, <c>dhcp-userclass</c>, <c>known</c>
/// and <c>dhcp-host</c> <c>set:</c> tags, then the <c>tag-if</c> rules in order; finally <c>dhcp-ignore</c>.</summary>
public static class ClientClassifier
{
    public const string KnownTag = "known";

    /// <summary>dnsmasq: a <c>dhcp-host</c> names the client but its address is on another network.</summary>
    public const string KnownOtherNetTag = "known-othernet";

    /// <summary>dnsmasq: set for a BOOTP request (no option 53).</summary>
    public const string BootpTag = "bootp";

    /// <param name="ownedRanges">The client's owned ranges (full DHCP): a <c>dhcp-host</c> whose address lies on none of
    /// their networks is not used, and the client is tagged <c>known-othernet</c> instead of <c>known</c> (dnsmasq
    /// <c>find_config</c> with and without the context). Default: every host is in context (proxy DHCP).</param>
    public static Classification Classify(DhcpMessage message, ArrivalInterface arrival, ServerConfig config,
        ImmutableArray<RangeContext> ownedRanges = default)
    {
        var tags = TagSet.Empty.Add(arrival.Name);
        tags = tags.AddRange(RelayAgentTags(message.Options, config));
        tags = tags.AddRange(config.MacMatches.Where(m => MacMatches(m, message)).Select(m => m.SetTag));
        tags = tags.AddRange(config.Matches.Where(m => OptionMatcher.Matches(m, message.Options)).Select(m => m.SetTag));
        tags = tags.AddRange(config.VendorClasses.Where(v => VendorClassMatches(v, message.Options)).Select(v => v.SetTag));
        tags = tags.AddRange(config.UserClasses.Where(u => UserClassMatches(u, message.Options)).Select(u => u.SetTag));
        tags = AddHostTags(tags, message, config, ownedRanges);
        tags = tags.AddRange(ClientNames.NameMatchTags(message.Options, config.Protocol));
        if (message.MessageType is null)
        {
            // dnsmasq: "bootp" lets BOOTP clients get other options, ranges or dhcp-ignore.
            tags = tags.Add(BootpTag);
        }

        var afterTagIf = ApplyTagIfs(tags, config);
        var ignored = config.Ignores.Any(i => afterTagIf.MatchesTagged(i.Filter));
        return new Classification(tags, afterTagIf, ignored);
    }

    /// <summary>dnsmasq <c>run_tag_if</c>: each rule, in configuration order, adds its tags when its conditions hold
    /// over the tags so far (so a rule sees the tags set by earlier rules).</summary>
    public static TagSet ApplyTagIfs(TagSet tags, ServerConfig config)
    {
        foreach (var rule in config.TagIfs)
        {
            if (rule.Filter.Matches(tags.Set))
            {
                tags = tags.AddRange(rule.SetTags);
            }
        }
        return tags;
    }

    /// <summary><c>dhcp-circuitid</c>, <c>dhcp-remoteid</c>, <c>dhcp-subscrid</c>: the relay's option 82 sub-option 1, 2
    /// or 6 equals the configured bytes exactly (dnsmasq compares length and bytes, unlike the vendor-class substring).</summary>
    public static IEnumerable<string> RelayAgentTags(DhcpOptionList options, ServerConfig config)
    {
        if (!options.Contains(DhcpOptionCode.RelayAgentInformation))
        {
            return [];
        }
        return SubOptionTags(options, RelayAgentInformation.CircuitId, config.CircuitIdMatches)
            .Concat(SubOptionTags(options, RelayAgentInformation.RemoteId, config.RemoteIdMatches))
            .Concat(SubOptionTags(options, RelayAgentInformation.SubscriberId, config.SubscriberIdMatches));
    }

    private static IEnumerable<string> SubOptionTags(DhcpOptionList options, byte code, ImmutableArray<DhcpClassMatchConfig> matches)
    {
        if (matches.IsEmpty || !RelayAgentInformation.TryGet(options, code, out var data))
        {
            return [];
        }
        return matches.Where(m => m.Pattern.AsSpan().SequenceEqual(data.AsSpan())).Select(m => m.SetTag);
    }

    /// <summary><c>dhcp-mac</c>: same length as <c>chaddr</c>/<c>hlen</c>, hardware type equal (or not given), every
    /// non-wildcard byte equal.</summary>
    public static bool MacMatches(DhcpMacMatchConfig match, DhcpMessage message)
    {
        var address = message.ClientHardwareAddress;
        if (match.Pattern.Length != address.Length)
        {
            return false;
        }
        if (match.HardwareType is { } type && type != 0 && type != message.HardwareType)
        {
            return false;
        }
        var bytes = address.Bytes;
        for (var i = 0; i < bytes.Length; i++)
        {
            if (match.Pattern[i] is { } b && b != bytes[i])
            {
                return false;
            }
        }
        return true;
    }

    /// <summary><c>dhcp-vendorclass</c>: the pattern occurs anywhere in option 60.</summary>
    public static bool VendorClassMatches(DhcpClassMatchConfig match, DhcpOptionList options) =>
        options.TryGet(DhcpOptionCode.VendorClassIdentifier, out var data) && data.Length >= 1
        && data.AsSpan().IndexOf(match.Pattern.AsSpan()) >= 0;

    /// <summary><c>dhcp-userclass</c>: the pattern occurs anywhere in option 77 after its RFC 3004 length bytes are
    /// zeroed (only when the counted strings add up exactly; dhclient sends one plain string).</summary>
    public static bool UserClassMatches(DhcpClassMatchConfig match, DhcpOptionList options)
    {
        if (!options.TryGet(DhcpOptionCode.UserClass, out var data) || data.Length < 1)
        {
            return false;
        }
        var text = ZeroUserClassCounts(data.AsSpan());
        return text.AsSpan().IndexOf(match.Pattern.AsSpan()) >= 0;
    }

    /// <summary>RFC 3004 §4: option 77 is a list of <c>len | data</c> items. dnsmasq zeroes the length bytes so a
    /// count byte cannot take part in a match.</summary>
    public static byte[] ZeroUserClassCounts(ReadOnlySpan<byte> option)
    {
        var bytes = option.ToArray();
        var end = 0;
        while (end < bytes.Length)
        {
            end += bytes[end] + 1;
        }
        if (end != bytes.Length)
        {
            return bytes;
        }
        for (var i = 0; i < bytes.Length; i += option[i] + 1)
        {
            bytes[i] = 0;
        }
        return bytes;
    }

    /// <summary><c>known</c> and the <c>set:</c> tags of the first <c>dhcp-host</c> that names this client
    /// (client identifier first, then hardware address); <c>known-othernet</c> alone when the only such hosts have an
    /// address off the client's networks (dnsmasq <c>dhcp_reply</c>).</summary>
    private static TagSet AddHostTags(TagSet tags, DhcpMessage message, ServerConfig config, ImmutableArray<RangeContext> ownedRanges)
    {
        if (FindHost(message, config, tags, ownedRanges) is { } host)
        {
            return tags.Add(KnownTag).AddRange(host.SetTags);
        }
        return !ownedRanges.IsDefault && FindHost(message, config, tags) is not null ? tags.Add(KnownOtherNetTag) : tags;
    }

    /// <summary>dnsmasq <c>is_config_in_context</c>: a host without an address fits every network; one with an address
    /// fits the networks that contain it.</summary>
    public static bool IsInContext(DhcpHostConfig host, ImmutableArray<RangeContext> ownedRanges) =>
        ownedRanges.IsDefault || host.Address is not { } address || ownedRanges.Any(r => !r.IsProxy && r.Contains(address));

    /// <summary>The <c>dhcp-host</c> naming this client (dnsmasq <c>find_config</c>): by client identifier first (also
    /// without the zero byte dhcpcd puts before a text identifier), then by exact hardware address, then by the
    /// wildcard pattern with the most named bytes; a hardware address matches only a request of the same
    /// <c>htype</c>. With <paramref name="ownedRanges"/>, only hosts in context (<see cref="IsInContext"/>).</summary>
    public static DhcpHostConfig? FindHost(DhcpMessage message, ServerConfig config, TagSet tags, ImmutableArray<RangeContext> ownedRanges = default)
    {
        if (config.Hosts.IsDefaultOrEmpty)
        {
            // Without dhcp-host lines (the common pool-only server) no closure nor enumerator per request.
            return null;
        }
        var clientId = ClientIdentity.Of(message, config.Protocol.IgnoreClientId).ClientId;
        return FindHost(message.ClientHardwareAddress, clientId.AsSpan(), config.Hosts, h => tags.Matches(h.Filter) && IsInContext(h, ownedRanges));
    }

    /// <summary>The host lookup itself, for any caller that knows a client's identity (admission, the engine).</summary>
    public static DhcpHostConfig? FindHost(HardwareAddress hardware, ReadOnlySpan<byte> clientId, ImmutableArray<DhcpHostConfig> hosts, Func<DhcpHostConfig, bool> applies)
    {
        if (!clientId.IsEmpty)
        {
            foreach (var host in hosts)
            {
                if (!host.ClientIds.IsDefaultOrEmpty && HasClientId(host, clientId) && applies(host))
                {
                    return host;
                }
            }
        }
        foreach (var host in hosts)
        {
            if (host.HardwareAddresses.Any(p => p.MatchesExactly(hardware)) && applies(host))
            {
                return host;
            }
        }
        DhcpHostConfig? best = null;
        var bestNamed = 0;
        foreach (var host in hosts)
        {
            foreach (var pattern in host.HardwareAddresses)
            {
                var named = pattern.Bytes.Count(b => b is not null);
                if (pattern.HasWildcard && named > bestNamed && pattern.Matches(hardware) && applies(host))
                {
                    best = host;
                    bestNamed = named;
                }
            }
        }
        return best;
    }

    /// <summary>dnsmasq: an <c>id:</c> equal to the client identifier, or to it without a leading zero byte (dhcpcd
    /// sends a text identifier as 00 + text).</summary>
    private static bool HasClientId(DhcpHostConfig host, ReadOnlySpan<byte> clientId)
    {
        foreach (var id in host.ClientIds)
        {
            if (id.AsSpan().SequenceEqual(clientId) || (clientId[0] == 0 && id.AsSpan().SequenceEqual(clientId[1..])))
            {
                return true;
            }
        }
        return false;
    }
}

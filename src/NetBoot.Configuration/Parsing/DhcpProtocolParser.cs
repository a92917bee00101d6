using System.Collections.Immutable;
using NetBoot.Configuration.Model;
using NetBoot.Wire.Net;

namespace NetBoot.Configuration.Parsing;

/// <summary>The DHCP protocol switches of issue 18 (dnsmasq option.c): <c>dhcp-broadcast</c>, <c>dhcp-ignore-names</c>,
/// <c>dhcp-generate-names</c>, <c>dhcp-name-match</c>, <c>dhcp-ignore-clid</c>, <c>dhcp-rapid-commit</c>,
/// <c>dhcp-client-update</c>, <c>dhcp-proxy</c>, <c>shared-network</c>.</summary>
internal static class DhcpProtocolParser
{
    private static void Update(DirectiveContext d, Func<DhcpProtocolConfig, DhcpProtocolConfig> change) =>
        d.Config.Protocol = change(d.Config.Protocol);

    public static void ParseBroadcast(DirectiveContext d) => TagList(d, f => Update(d, p => p with { Broadcast = p.Broadcast.Add(f) }));

    public static void ParseIgnoreNames(DirectiveContext d) => TagList(d, f => Update(d, p => p with { IgnoreNames = p.IgnoreNames.Add(f) }));

    public static void ParseGenerateNames(DirectiveContext d) => TagList(d, f => Update(d, p => p with { GenerateNames = p.GenerateNames.Add(f) }));

    public static void ParseIgnoreClientId(DirectiveContext d) => Update(d, p => p with { IgnoreClientId = true });

    public static void ParseRapidCommit(DirectiveContext d) => Update(d, p => p with { RapidCommit = true });

    public static void ParseClientUpdate(DirectiveContext d) => Update(d, p => p with { ClientUpdate = true });

    /// <summary>dnsmasq's shared parser for <c>dhcp-ignore</c>-like lists: <c>[tag:]x[,[tag:]y…]</c>, all must hold; no
    /// value means every client.</summary>
    private static void TagList(DirectiveContext d, Action<TagFilter> add)
    {
        var conditions = d.Value is null
            ? []
            : FieldCursor.Split(d.Value).Select(f => TagSyntax.Condition(TagSyntax.IsMatchPrefix(f) ? f[4..] : f)).ToList();
        if (conditions.Any(c => c.Name.Length == 0))
        {
            d.Error("bad " + d.Name, $"write {d.Name} or {d.Name}=tag:<tag>[,tag:<tag>…]");
            return;
        }
        add(TagSyntax.Filter(conditions));
    }

    /// <summary><c>dhcp-name-match=set:TAG,NAME[*]</c> (dnsmasq <c>LOPT_NAME_MATCH</c>).</summary>
    public static void ParseNameMatch(DirectiveContext d)
    {
        var fields = d.Fields();
        var tag = fields.Take();
        var name = fields.Rest is { } rest ? QuotedText.Reveal(rest) : null;
        if (tag is null || string.IsNullOrEmpty(name) || name == "*")
        {
            d.Error("bad dhcp-name-match", "write dhcp-name-match=set:<tag>,<name> or set:<tag>,<name prefix>*");
            return;
        }
        var isPrefix = name.EndsWith('*');
        var entry = new DhcpNameMatchConfig(TagSyntax.SetName(tag), isPrefix ? name[..^1] : name, isPrefix, d.Source);
        Update(d, p => p with { NameMatches = p.NameMatches.Add(entry) });
    }

    /// <summary><c>dhcp-proxy[=addr[,addr…]]</c> (dnsmasq <c>LOPT_OVERRIDE</c>): every relay, or those listed.</summary>
    public static void ParseProxy(DirectiveContext d)
    {
        var relays = ImmutableArray.CreateBuilder<IPv4Address>();
        foreach (var field in FieldCursor.Split(d.Value))
        {
            var text = QuotedText.Reveal(field);
            if (!IPv4Address.TryParse(text, out var relay))
            {
                d.Error("bad dhcp-proxy address", $"'{text}' is not an IPv4 address; write dhcp-proxy or dhcp-proxy=<relay address>[,<relay address>…]");
                return;
            }
            relays.Add(relay);
        }
        Update(d, p => p with { OverrideServerIdentifier = true, OverrideRelays = p.OverrideRelays.AddRange(relays) });
    }

    /// <summary><c>shared-network=INTERFACE|RELAY-ADDRESS,ADDRESS</c> (dnsmasq <c>LOPT_SHARED_NET</c>; IPv6 forms are
    /// accepted and ignored, NetBoot serves DHCPv4 only).</summary>
    public static void ParseSharedNetwork(DirectiveContext d)
    {
        var fields = d.Fields();
        var match = fields.Take() is { } m ? QuotedText.Reveal(m) : null;
        var shared = fields.Take() is { } s ? QuotedText.Reveal(s) : null;
        const string Hint = "write shared-network=<interface>,<address> or shared-network=<relay address>,<address>";
        if (match is null || shared is null || fields.HasMore || match.Length == 0)
        {
            d.Error("bad shared-network", Hint);
            return;
        }
        if (!IPv4Address.TryParse(shared, out var sharedAddress))
        {
            if (System.Net.IPAddress.TryParse(shared, out var v6) && v6.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6)
            {
                d.Notice(ConfigNoticeKind.Ignored, $"IPv6 shared network {shared} ignored: NetBoot serves DHCPv4 only");
                return;
            }
            d.Error("bad shared-network", $"'{shared}' is not an IPv4 address; {Hint}");
            return;
        }
        SharedNetworkConfig entry;
        if (IPv4Address.TryParse(match, out var relay))
        {
            entry = new SharedNetworkConfig(null, relay, sharedAddress, d.Source);
        }
        else if (InterfaceNameSyntax.Problem(match) is { } problem)
        {
            d.Error($"bad interface name '{match}'", problem);
            return;
        }
        else
        {
            entry = new SharedNetworkConfig(match, null, sharedAddress, d.Source);
        }
        Update(d, p => p with { SharedNetworks = p.SharedNetworks.Add(entry) });
    }

    /// <summary><c>bridge-interface=INTERFACE,ALIAS[,ALIAS…]</c> (dnsmasq <c>LOPT_BRIDGE</c>; an alias may end in '*').</summary>
    public static void ParseBridgeInterface(DirectiveContext d)
    {
        const string Hint = "write bridge-interface=<interface>,<alias>[,<alias>…] (an alias may end in '*', e.g. tap*)";
        var names = FieldCursor.Split(d.Value).Select(QuotedText.Reveal).ToList();
        if (names.Count < 2)
        {
            d.Error("bad bridge-interface", Hint);
            return;
        }
        foreach (var name in names)
        {
            if (InterfaceNameSyntax.Problem(name) is { } problem)
            {
                d.Error($"bad interface name '{name}' in bridge-interface", problem);
                return;
            }
        }
        if (names[0].EndsWith('*'))
        {
            d.Error("bad bridge-interface", $"the interface '{names[0]}' must be one name (only an alias may end in '*'); {Hint}");
            return;
        }
        var entry = new BridgeInterfaceConfig(names[0], [.. names.Skip(1)], d.Source);
        Update(d, p => p with { Bridges = p.Bridges.Add(entry) });
    }

    /// <summary><c>dhcp-relay=LOCAL,SERVER[#PORT][,INTERFACE]</c> (dnsmasq <c>LOPT_RELAY</c>; IPv6 forms are accepted and
    /// ignored).</summary>
    public static void ParseRelay(DirectiveContext d)
    {
        const string Hint = "write dhcp-relay=<local address>,<server address>[#<port>][,<interface>]";
        var fields = d.Fields();
        var local = fields.Take() is { } l ? QuotedText.Reveal(l) : null;
        var server = fields.Take() is { } s ? QuotedText.Reveal(s) : null;
        var name = fields.Take() is { } n ? QuotedText.Reveal(n) : null;
        if (local is null || server is null || fields.HasMore)
        {
            d.Error("bad dhcp-relay", Hint);
            return;
        }
        if (local.Contains(':', StringComparison.Ordinal))
        {
            d.Notice(ConfigNoticeKind.Ignored, $"DHCPv6 relay {local} ignored: NetBoot serves DHCPv4 only");
            return;
        }
        var hash = server.IndexOf('#', StringComparison.Ordinal);
        ushort port = 67;
        if (!IPv4Address.TryParse(local, out var localAddress)
            || !IPv4Address.TryParse(hash < 0 ? server : server[..hash], out var serverAddress)
            || (hash >= 0 && !ushort.TryParse(server[(hash + 1)..], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out port)))
        {
            d.Error("bad dhcp-relay", $"'{local}' and '{server}' must be IPv4 addresses; {Hint}");
            return;
        }
        if (name is not null && InterfaceNameSyntax.Problem(name) is { } problem)
        {
            d.Error($"bad interface name '{name}'", problem);
            return;
        }
        var relay = new DhcpRelayConfig(localAddress, serverAddress, port, name, d.Source);
        Update(d, p => p with { Relays = p.Relays.Add(relay) });
    }
}

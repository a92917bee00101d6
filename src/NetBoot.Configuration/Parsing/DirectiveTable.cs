using System.Collections.Frozen;
using NetBoot.Configuration.Model;
using static NetBoot.Configuration.Parsing.GeneralParser;

namespace NetBoot.Configuration.Parsing;

/// <summary>Whether a directive takes a value: dnsmasq's <c>has_arg</c> (0, 1, 2).</summary>
internal enum DirectiveArity
{
    None,
    Required,
    Optional,
}

/// <summary>What NetBoot does with a directive it accepts.</summary>
internal enum DirectiveEffect
{
    /// <summary>Parsed into the model and acted on.</summary>
    Served,
    /// <summary>Parsed (and validated where there is a grammar) but not acted on.</summary>
    NotInEffect,
    /// <summary>A DNS directive: accepted, NetBoot serves no DNS.</summary>
    Dns,
    /// <summary>Meaningless for NetBoot (IPv6, daemon housekeeping).</summary>
    Ignored,
}

/// <summary>One row of the directive table: name, arity, whether it may appear once only (dnsmasq's ARG_ONE),
/// the handler, and the effect reported by <c>netboot check</c>.</summary>
internal sealed record DirectiveSpec(
    string Name,
    DirectiveArity Arity,
    Action<DirectiveContext>? Apply,
    DirectiveEffect Effect = DirectiveEffect.Served,
    string? Note = null,
    bool IsSingleValued = false);

/// <summary>Every directive NetBoot accepts. The effect column is the honest list of what is served today; edit it
/// here when a responder starts honouring a directive.</summary>
internal static class DirectiveTable
{
    private static readonly DirectiveSpec[] Served =
    [
        new("dhcp-range", DirectiveArity.Required, DhcpRangeParser.Parse),
        new("dhcp-boot", DirectiveArity.Required, PxeParser.ParseBoot),
        new("dhcp-option", DirectiveArity.Required, DhcpOptionParser.ParseNormal),
        new("dhcp-option-force", DirectiveArity.Required, DhcpOptionParser.ParseForce),
        new("dhcp-option-pxe", DirectiveArity.Required, DhcpOptionParser.ParsePxe),
        new("pxe-service", DirectiveArity.Required, PxeParser.ParseService),
        new("pxe-prompt", DirectiveArity.Required, PxeParser.ParsePrompt),
        new("dhcp-pxe-vendor", DirectiveArity.Required, PxeParser.ParseVendor),
        new("dhcp-match", DirectiveArity.Required, DhcpMatchParser.Parse),
        new("dhcp-vendorclass", DirectiveArity.Required, ClassifierParser.ParseVendorClass),
        new("dhcp-userclass", DirectiveArity.Required, ClassifierParser.ParseUserClass),
        new("dhcp-mac", DirectiveArity.Required, ClassifierParser.ParseMac),
        new("tag-if", DirectiveArity.Required, ClassifierParser.ParseTagIf),
        new("dhcp-ignore", DirectiveArity.Required, ClassifierParser.ParseIgnore),
        new("dhcp-no-override", DirectiveArity.None, Flag(c => c.NoOverride = true)),
        new("dhcp-alternate-port", DirectiveArity.Optional, ParseAlternatePort, IsSingleValued: true),
        new("log-dhcp", DirectiveArity.None, Flag(c => c.LogDhcp = true)),
        new("interface", DirectiveArity.Required, Names(c => c.InterfacesIncluded)),
        new("except-interface", DirectiveArity.Required, Names(c => c.InterfacesExcluded)),
        new("no-dhcp-interface", DirectiveArity.Required, Names(c => c.InterfacesNoDhcp)),
        new("no-dhcpv4-interface", DirectiveArity.Required, Names(c => c.InterfacesNoDhcp)),
        new("listen-address", DirectiveArity.Required, ParseListenAddress),
        new("bind-interfaces", DirectiveArity.None, Flag(c => c.BindInterfaces = true)),
        new("bind-dynamic", DirectiveArity.None, Flag(c => c.BindDynamic = true)),
        new("enable-tftp", DirectiveArity.Optional, ParseEnableTftp),
        new("tftp-root", DirectiveArity.Required, ParseTftpRoot),
        new("tftp-no-fail", DirectiveArity.None, Tftp(t => t with { NoFail = true })),
        new("tftp-max", DirectiveArity.Required, Number((c, n) => c.Tftp = c.Tftp with { MaxTransfers = n }), IsSingleValued: true),
        new("tftp-lowercase", DirectiveArity.None, Tftp(t => t with { LowerCase = true })),
        new("quiet-tftp", DirectiveArity.None, Tftp(t => t with { Quiet = true })),
        new("tftp-unique-root", DirectiveArity.Optional, ParseTftpUniqueRoot),
        new("tftp-secure", DirectiveArity.None, Tftp(t => t with { IsSecure = true })),
        new("tftp-port-range", DirectiveArity.Required, ParseTftpPortRange, IsSingleValued: true),
        new("tftp-single-port", DirectiveArity.None, Tftp(t => t with { SinglePort = true })),
        new("tftp-no-blocksize", DirectiveArity.None, Tftp(t => t with { NoBlockSize = true })),
        new("tftp-mtu", DirectiveArity.Required, Number((c, n) => c.Tftp = c.Tftp with { Mtu = n }), IsSingleValued: true),
        // NetBoot's own: symlinks leading outside the TFTP root are followed (off by default; some sites link kernels in).
        new("tftp-follow-symlinks", DirectiveArity.None, Tftp(t => t with { FollowSymlinksOutsideRoot = true })),
        // NetBoot's own: memory for the shared TFTP block cache, in MiB (0 = read every block from the file).
        new("tftp-cache-size", DirectiveArity.Required, Number((c, n) => c.Tftp = c.Tftp with { CacheMegabytes = n }), IsSingleValued: true),
        // NetBoot's own: µs a transfer polls for the next ACK before sleeping (0 = never); lock-step speed for server CPU.
        new("tftp-busy-poll", DirectiveArity.Required,
            Number((c, n) => c.Tftp = c.Tftp with { BusyPoll = TimeSpan.FromMicroseconds(n) }, TftpConfig.MaxBusyPollMicroseconds), IsSingleValued: true),
        // NetBoot's own: request budgets per client and per interface against floods (docs/hostile-input.md).
        new("dhcp-rate-limit", DirectiveArity.Required, ParseDhcpRateLimit, IsSingleValued: true),
        new("port", DirectiveArity.Required, ParsePort, IsSingleValued: true),
        new("http-root", DirectiveArity.Required, HttpBootParser.ParseRoot, IsSingleValued: true),
        new("http-port", DirectiveArity.Required, HttpBootParser.ParsePort, IsSingleValued: true),
        // NetBoot's own: concurrent HTTP connections in all and per client address (docs/hostile-input.md).
        new("http-max-connections", DirectiveArity.Required, HttpBootParser.ParseMaxConnections, IsSingleValued: true),
        new("pxe-uefi-direct", DirectiveArity.Optional, HttpBootParser.ParseUefiDirect),
        // NetBoot's own: Prometheus metrics and the live dashboard, loopback unless an address is written.
        new("metrics-listen", DirectiveArity.Required, StatusParser.ParseMetricsListen, IsSingleValued: true),
        new("dashboard-listen", DirectiveArity.Required, StatusParser.ParseDashboardListen, IsSingleValued: true),
        new("dashboard-token", DirectiveArity.Required, StatusParser.ParseDashboardToken, IsSingleValued: true),
        new("status-host", DirectiveArity.Required, StatusParser.ParseStatusHost),
    ];

    /// <summary>Full DHCP (address leasing), static hosts, the lease database and the account switch: served.</summary>
    private static readonly DirectiveSpec[] Leasing =
    [
        new("dhcp-host", DirectiveArity.Required, DhcpHostParser.Parse),
        // Host and option files (DhcpFileReader): read after the configuration and again on SIGHUP; the …dir forms are
        // watched too (NetBoot.Hosting.Dhcp.DhcpFileWatcher): new and changed files apply at once, removals on SIGHUP.
        new("dhcp-hostsfile", DirectiveArity.Required, DhcpFileReader.Record(DhcpFileKind.Hosts, isWatched: false)),
        new("dhcp-optsfile", DirectiveArity.Required, DhcpFileReader.Record(DhcpFileKind.Options, isWatched: false)),
        new("dhcp-hostsdir", DirectiveArity.Required, DhcpFileReader.Record(DhcpFileKind.Hosts, isWatched: true)),
        new("dhcp-optsdir", DirectiveArity.Required, DhcpFileReader.Record(DhcpFileKind.Options, isWatched: true)),
        new("read-ethers", DirectiveArity.None, d => d.Config.ReadEthers ??= d.Source),
        new("dhcp-authoritative", DirectiveArity.None, Flag(c => c.Authoritative = true)),
        new("dhcp-lease-max", DirectiveArity.Required, Number((c, n) => c.LeaseMax = n), IsSingleValued: true),
        new("dhcp-leasefile", DirectiveArity.Optional, Text((c, s) => c.LeaseFile = s), IsSingleValued: true),
        new("dhcp-lease", DirectiveArity.Required, Text((c, s) => c.LeaseFile = s), IsSingleValued: true),
        new("dhcp-lease-db", DirectiveArity.Required, LeaseDatabaseParser.Parse, IsSingleValued: true),
        new("dhcp-sequential-ip", DirectiveArity.None, Flag(c => c.SequentialIp = true)),
        new("no-ping", DirectiveArity.None, Flag(c => c.NoPing = true)),
        new("bootp-dynamic", DirectiveArity.Optional, ClassifierParser.ParseBootpDynamic),
        // Called with add/old/del for leases (NetBoot.Hosting.Dhcp.LeaseMaintenance) and tftp for transfers (TftpService).
        new("dhcp-script", DirectiveArity.Required, Text((c, s) => c.DhcpScript = s), IsSingleValued: true),
        // Privilege drop once the sockets are bound (NetBoot.Hosting.Privileges): no default user, unlike dnsmasq's "nobody".
        // Issue 18, DHCP protocol directives (NetBoot.Engine.Dhcp: ClientClassifier, ClientNames, LeaseRequest.RapidCommit,
        // LeaseExchange.ServerIdentifier, RangeSelector, ReplyDelay, DhcpRelay).
        // Relay agent option 82 sub-options 1, 2, 6, exact match (ClientClassifier.RelayAgentTags).
        new("dhcp-circuitid", DirectiveArity.Required, ClassifierParser.ParseCircuitId),
        new("dhcp-remoteid", DirectiveArity.Required, ClassifierParser.ParseRemoteId),
        new("dhcp-subscrid", DirectiveArity.Required, ClassifierParser.ParseSubscriberId),
        // The reply's broadcast flag is set for matching clients (FullDhcpResponder.Send), so RFC 2131 §4.1 broadcasts it.
        new("dhcp-broadcast", DirectiveArity.Optional, DhcpProtocolParser.ParseBroadcast),
        // The lease's host name (ClientNames): a matching client's own name is dropped, or one is made from its MAC.
        new("dhcp-ignore-names", DirectiveArity.Optional, DhcpProtocolParser.ParseIgnoreNames),
        new("dhcp-generate-names", DirectiveArity.Optional, DhcpProtocolParser.ParseGenerateNames),
        new("dhcp-name-match", DirectiveArity.Required, DhcpProtocolParser.ParseNameMatch),
        // Option 81 in replies to clients that send it, with dnsmasq's S/O/N flags (ClientNames.FqdnReply).
        new("dhcp-client-update", DirectiveArity.None, DhcpProtocolParser.ParseClientUpdate),
        new("dhcp-ignore-clid", DirectiveArity.None, DhcpProtocolParser.ParseIgnoreClientId),
        // RFC 4039: a DISCOVER with option 80 gets an ACK with 80 (an OFFER when its new address must be pinged first).
        new("dhcp-rapid-commit", DirectiveArity.None, DhcpProtocolParser.ParseRapidCommit),
        // RFC 5107 by configuration: the relay's giaddr is the server identifier (LeaseExchange.ServerIdentifier).
        new("dhcp-proxy", DirectiveArity.Optional, DhcpProtocolParser.ParseProxy),
        new("shared-network", DirectiveArity.Required, DhcpProtocolParser.ParseSharedNetwork),
        // A request on an alias is served with the bridge interface's address (InterfaceSelection.ServedAs, ServingInterface);
        // the socket is the alias's, so the reply leaves by it.
        new("bridge-interface", DirectiveArity.Required, DhcpProtocolParser.ParseBridgeInterface),
        // DHCPv4 relay (NetBoot.Engine.Dhcp.DhcpRelay decides, NetBoot.Hosting.Dhcp.DhcpRelayService forwards).
        new("dhcp-relay", DirectiveArity.Required, DhcpProtocolParser.ParseRelay),
        // The answer to a DISCOVER (and proxy PXE replies) leaves after the delay (ReplyDelay; Hosting's DelayedReplies).
        new("dhcp-reply-delay", DirectiveArity.Required, ClassifierParser.ParseReplyDelay),
        new("user", DirectiveArity.Optional, d => { Text((c, s) => c.User = s)(d); d.Config.UserSource = d.Source; }, DirectiveEffect.Served, null, true),
        new("group", DirectiveArity.Optional, d => { Text((c, s) => c.Group = s)(d); d.Config.GroupSource = d.Source; }, DirectiveEffect.Served, null, true),
    ];

    /// <summary>Daemon operations: logging, the pid file, and how <c>dhcp-script</c> is run (NetBoot.Hosting.Logging,
    /// NetBoot.Hosting.Scripts).</summary>
    private static readonly DirectiveSpec[] Operations =
    [
        new("log-facility", DirectiveArity.Required, ParseLogFacility, IsSingleValued: true),
        new("pid-file", DirectiveArity.Optional, Text((c, s) => c.PidFile = s), IsSingleValued: true),
        new("script-on-renewal", DirectiveArity.None, Flag(c => c.ScriptOnRenewal = true)),
        new("leasefile-ro", DirectiveArity.None, Flag(c => c.LeaseFileReadOnly = true)),
        // arp-add/arp-del from the kernel's ARP table, read as dnsmasq reads it (at most every 90 s; ArpScriptWatcher).
        new("script-arp", DirectiveArity.None, Flag(c => c.ScriptArp = true)),
        new("dhcp-scriptuser", DirectiveArity.Required, d => { Text((c, s) => c.ScriptUser = s)(d); d.Config.ScriptUserSource = d.Source; }, DirectiveEffect.Served, null, true),
        // dnsmasq learns of ARP entries from the kernel's neighbour table (netlink); NetBoot only writes entries (ArpCache).
        new("conf-script", DirectiveArity.Required, null, DirectiveEffect.NotInEffect, "not run: its output is not read as configuration; write the lines in a conf-file"),
        new("no-dhcpv6-interface", DirectiveArity.Required, null, DirectiveEffect.Ignored, "not honoured: DHCPv6 answers on every interface with a DHCPv6 dhcp-range; use except-interface or no-dhcp-interface to leave one out"),
        // The server DUID (RFC 8415 §11), kept with the IPv6 leases.
        new("dhcp-duid", DirectiveArity.Required, Ipv6Parser.ParseDuid, DirectiveEffect.Served, null, true),
    ];

    /// <summary>Accepted so that dnsmasq files load, but not acted on: each note says what happens instead. Checked
    /// against the code (grep the model property or the directive name in Engine, Hosting and Leases) when written;
    /// move a row to <see cref="Served"/> or <see cref="Leasing"/> when a responder starts honouring it.</summary>
    private static readonly DirectiveSpec[] NotServed =
    [
        new("dhcp-luascript", DirectiveArity.Required, null, DirectiveEffect.NotInEffect, "Lua scripts are not run: use dhcp-script"),
        new("dhcp-fqdn", DirectiveArity.None, null, DirectiveEffect.Dns, "NetBoot serves no DNS, so names are not qualified with a domain"),
        new("dhcp-ttl", DirectiveArity.Required, null, DirectiveEffect.Dns, "it sets the TTL of DNS answers for DHCP names (dnsmasq: \"Set TTL in DNS responses with DHCP-derived addresses\"); NetBoot serves no DNS", true),
    ];

    private static readonly DirectiveSpec[] Ignored =
    [
        new("keep-in-foreground", DirectiveArity.None, Flag(c => c.KeepInForeground = true), DirectiveEffect.Ignored, "NetBoot always runs in the foreground"),
        new("no-daemon", DirectiveArity.None, Flag(c => c.KeepInForeground = true), DirectiveEffect.Ignored, "NetBoot always runs in the foreground"),
        new("log-async", DirectiveArity.Optional, null, DirectiveEffect.Ignored, "logging is always asynchronous", true),
        new("test", DirectiveArity.None, null, DirectiveEffect.Ignored, "in a file it does nothing: run netboot serve --test or netboot check"),
        new("log-debug", DirectiveArity.None, null, DirectiveEffect.Ignored, "use NetBoot's log level instead"),
        new("enable-ra", DirectiveArity.None, Ipv6Parser.ParseEnableRa, DirectiveEffect.NotInEffect, "parsed: " + Ipv6Parser.RaNotServed),
        new("ra-param", DirectiveArity.Required, Ipv6Parser.ParseRaParam, DirectiveEffect.NotInEffect, "parsed: " + Ipv6Parser.RaNotServed),
        new("quiet-dhcp", DirectiveArity.None, null, DirectiveEffect.Ignored, "use NetBoot's log level instead"),
        new("quiet-dhcp6", DirectiveArity.None, null, DirectiveEffect.Ignored, "use NetBoot's log level instead"),
        new("quiet-ra", DirectiveArity.None, null, DirectiveEffect.Ignored, "IPv6 router advertisements are not served"),
    ];

    private static readonly string[] DnsFlags =
    [
        "domain-needed", "bogus-priv", "no-resolv", "no-poll", "no-hosts", "expand-hosts", "strict-order", "all-servers",
        "filterwin2k", "localise-queries", "stop-dns-rebind", "rebind-localhost-ok", "clear-on-reload", "no-negcache",
        "dns-loop-detect", "dnssec", "dnssec-no-timecheck", "dnssec-debug", "proxy-dnssec", "strip-mac", "strip-subnet",
        "no-round-robin", "selfmx", "localmx", "dnssec-check-unsigned", "no-ident", "log-queries", "local-service",
        "stale-cache", "use-stale-cache", "fast-dns-retry", "do-0x20-dns", "no-0x20-dns", "do-0x20-encode", "no-0x20-encode",
    ];

    private static readonly string[] DnsValued =
    [
        "server", "local", "address", "resolv-file", "cache-size", "domain", "addn-hosts", "hostsdir", "neg-ttl",
        "local-ttl", "max-ttl", "min-cache-ttl", "max-cache-ttl", "auth-ttl", "mx-host", "mx-target", "srv-host",
        "txt-record", "ptr-record", "naptr-record", "caa-record", "cname", "host-record", "dynamic-host", "dns-rr",
        "interface-name", "synth-domain", "trust-anchor", "rebind-domain-ok", "dns-forward-max", "query-port", "min-port",
        "max-port", "edns-packet-max", "ipset", "nftset", "connmark-allowlist", "connmark-allowlist-enable", "add-mac",
        "add-subnet", "add-cpe-id", "umbrella", "bogus-nxdomain", "ignore-address", "alias", "servers-file",
        "auth-server", "auth-zone", "auth-soa", "auth-sec-servers", "auth-peer", "rev-server", "conntrack", "port-limit",
        "filter-A", "filter-AAAA", "filter-rr", "cache-rr", "dnssec-timestamp", "domain-suffix",
        "dumpfile", "dumpmask", "ubus", "enable-dbus", "enable-ubus", "dnssec-limits", "max-tcp-connections",
    ];

    /// <summary>Optional-value DNS directives (<c>log-queries[=extra]</c>, <c>local-service[=host]</c>…).</summary>
    private static readonly FrozenSet<string> DnsOptionalValue =
        new[] { "log-queries", "local-service", "stale-cache", "use-stale-cache", "fast-dns-retry", "dnssec-check-unsigned", "add-mac", "add-subnet", "umbrella", "enable-dbus", "enable-ubus", "connmark-allowlist-enable", "resolv-file", "cache-size" }
            .ToFrozenSet(StringComparer.Ordinal);

    private static readonly FrozenSet<string> SingleValuedDns =
        new[] { "cache-size", "neg-ttl", "local-ttl", "max-ttl", "min-cache-ttl", "max-cache-ttl", "dns-forward-max", "query-port", "edns-packet-max", "min-port", "max-port", "servers-file", "mx-target", "auth-server", "auth-ttl", "auth-soa", "dnssec-timestamp", "add-subnet", "add-cpe-id", "enable-dbus", "enable-ubus", "dumpfile", "dumpmask" }
            .ToFrozenSet(StringComparer.Ordinal);

    private static readonly FrozenDictionary<string, DirectiveSpec> ByName = BuildIndex();

    private static FrozenDictionary<string, DirectiveSpec> BuildIndex()
    {
        var all = new Dictionary<string, DirectiveSpec>(StringComparer.Ordinal);
        foreach (var spec in Served.Concat(Leasing).Concat(Operations).Concat(NotServed).Concat(Ignored))
        {
            all[spec.Name] = spec;
        }
        foreach (var name in DnsFlags.Concat(DnsValued))
        {
            var arity = DnsOptionalValue.Contains(name) ? DirectiveArity.Optional
                : DnsFlags.Contains(name) ? DirectiveArity.None : DirectiveArity.Required;
            Action<DirectiveContext>? apply = name == "log-queries" ? Flag(c => c.LogQueries = true) : null;
            all.TryAdd(name, new DirectiveSpec(name, arity, apply, DirectiveEffect.Dns, "NetBoot serves no DNS", SingleValuedDns.Contains(name)));
        }
        all["conf-file"] = new DirectiveSpec("conf-file", DirectiveArity.Optional, null);
        all["conf-dir"] = new DirectiveSpec("conf-dir", DirectiveArity.Required, null);
        return all.ToFrozenDictionary(StringComparer.Ordinal);
    }

    public static bool TryGet(string name, out DirectiveSpec spec) => ByName.TryGetValue(name, out spec!);

    public static IEnumerable<string> Names => ByName.Keys;

    public static ConfigNoticeKind? NoticeKind(DirectiveEffect effect) => effect switch
    {
        DirectiveEffect.NotInEffect => ConfigNoticeKind.NotInEffect,
        DirectiveEffect.Dns => ConfigNoticeKind.NotServedDns,
        DirectiveEffect.Ignored => ConfigNoticeKind.Ignored,
        _ => null,
    };

    /// <summary>The closest known name for a misspelt one (edit distance ≤ 2), for the "bad option" hint.</summary>
    public static string? Suggest(string name) =>
        ByName.Keys
            .Select(k => (Name: k, Distance: EditDistance(k, name)))
            .Where(p => p.Distance <= 2)
            .OrderBy(p => p.Distance).ThenBy(p => p.Name, StringComparer.Ordinal)
            .Select(p => p.Name)
            .FirstOrDefault();

    private static int EditDistance(string a, string b)
    {
        var previous = Enumerable.Range(0, b.Length + 1).ToArray();
        for (var i = 1; i <= a.Length; i++)
        {
            var current = new int[b.Length + 1];
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                var cost = a[i - 1] == b[j - 1] ? 0 : 1;
                current[j] = Math.Min(Math.Min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + cost);
            }
            previous = current;
        }
        return previous[b.Length];
    }
}

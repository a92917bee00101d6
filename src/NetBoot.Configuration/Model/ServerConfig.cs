using System.Collections.Immutable;

namespace NetBoot.Configuration.Model;

/// <summary>The whole validated configuration: one immutable snapshot. Lists keep configuration-file order;
/// responders apply dnsmasq's precedence rules (e.g. the last matching <c>dhcp-boot</c> wins).</summary>
public sealed record ServerConfig
{
    public static readonly ImmutableArray<string> DefaultPxeVendors = ["PXEClient"];

    public ImmutableArray<DhcpRangeConfig> Ranges { get; init; } = [];
    public ImmutableArray<DhcpHostConfig> Hosts { get; init; } = [];
    public ImmutableArray<DhcpBootConfig> BootFiles { get; init; } = [];
    public ImmutableArray<DhcpOptionConfig> Options { get; init; } = [];
    public ImmutableArray<PxeServiceConfig> PxeServices { get; init; } = [];
    public ImmutableArray<PxePromptConfig> PxePrompts { get; init; } = [];
    /// <summary><c>dhcp-pxe-vendor</c>: option-60 prefixes that identify a PXE client.</summary>
    public ImmutableArray<string> PxeVendors { get; init; } = DefaultPxeVendors;

    public ImmutableArray<DhcpMatchConfig> Matches { get; init; } = [];
    public ImmutableArray<DhcpClassMatchConfig> VendorClasses { get; init; } = [];
    public ImmutableArray<DhcpClassMatchConfig> UserClasses { get; init; } = [];
    /// <summary><c>dhcp-circuitid</c>: relay agent option 82 sub-option 1, exact match.</summary>
    public ImmutableArray<DhcpClassMatchConfig> CircuitIdMatches { get; init; } = [];
    /// <summary><c>dhcp-remoteid</c>: relay agent option 82 sub-option 2, exact match.</summary>
    public ImmutableArray<DhcpClassMatchConfig> RemoteIdMatches { get; init; } = [];
    /// <summary><c>dhcp-subscrid</c>: relay agent option 82 sub-option 6, exact match.</summary>
    public ImmutableArray<DhcpClassMatchConfig> SubscriberIdMatches { get; init; } = [];
    public ImmutableArray<DhcpMacMatchConfig> MacMatches { get; init; } = [];
    public ImmutableArray<TagIfConfig> TagIfs { get; init; } = [];
    public ImmutableArray<DhcpIgnoreConfig> Ignores { get; init; } = [];
    /// <summary><c>dhcp-hostsfile</c>, <c>dhcp-optsfile</c>, <c>dhcp-hostsdir</c>, <c>dhcp-optsdir</c>, in configuration order;
    /// their lines are already in <see cref="Hosts"/> and <see cref="Options"/>.</summary>
    public ImmutableArray<DhcpFileSource> DhcpFiles { get; init; } = [];
    /// <summary><c>read-ethers</c>: where it was written (null: /etc/ethers is not read).</summary>
    public SourceLocation? ReadEthers { get; init; }

    public InterfaceConfig Interfaces { get; init; } = new();

    /// <summary>IPv6 ranges, router advertisements, DHCPv6 options and matches (DHCPv6 served; router advertisements not).</summary>
    public Ipv6Config Ipv6 { get; init; } = Ipv6Config.Empty;
    public TftpConfig Tftp { get; init; } = new();
    /// <summary><c>http-root</c> / <c>http-port</c>: NetBoot's HTTP server for boot files.</summary>
    public HttpConfig Http { get; init; } = new();
    /// <summary><c>metrics-listen</c> / <c>dashboard-listen</c> / <c>dashboard-token</c>: observability endpoints.</summary>
    public StatusConfig Status { get; init; } = new();
    /// <summary><c>pxe-uefi-direct</c>: UEFI clients answered with their boot file in the OFFER (no 4011 step).</summary>
    public ImmutableArray<PxeUefiDirectConfig> UefiDirectOffers { get; init; } = [];

    /// <summary><c>log-dhcp</c>: log every option sent and the tags of each request.</summary>
    public bool LogDhcp { get; init; }
    /// <summary><c>log-queries</c>: DNS logging in dnsmasq; kept so <c>check</c> can mention it.</summary>
    public bool LogQueries { get; init; }
    /// <summary><c>log-facility=FACILITY|FILE|-</c>.</summary>
    public string? LogFacility { get; init; }
    /// <summary><c>dhcp-no-override</c>: never move file/sname into options 67/66, never overload (52).</summary>
    public bool NoOverride { get; init; }
    public bool Authoritative { get; init; }
    public int LeaseMax { get; init; } = 1000;
    /// <summary><c>dhcp-rate-limit</c> (NetBoot's own): per-client and per-interface request budgets.</summary>
    public DhcpRateLimitConfig DhcpRateLimit { get; init; } = DhcpRateLimitConfig.Default;
    public string? LeaseFile { get; init; }
    /// <summary><c>dhcp-lease-db</c>: where leases live (null: the embedded SQLite default).</summary>
    public LeaseDatabaseConfig? LeaseDatabase { get; init; }
    public string? DhcpScript { get; init; }
    /// <summary><c>dhcp-scriptuser</c>: the account <c>dhcp-script</c> runs as (dnsmasq's default is root, i.e. NetBoot's
    /// own account); where it was given, for errors.</summary>
    public string? ScriptUser { get; init; }
    public SourceLocation? ScriptUserSource { get; init; }
    /// <summary><c>script-on-renewal</c>: call <c>dhcp-script old</c> when a renewal only moves the expiry.</summary>
    public bool ScriptOnRenewal { get; init; }
    /// <summary><c>leasefile-ro</c>: no lease file is written; <c>dhcp-script</c> holds the leases (<c>init</c> at start).</summary>
    public bool LeaseFileReadOnly { get; init; }
    /// <summary><c>script-arp</c>: call <c>dhcp-script arp-add</c>/<c>arp-del</c> as neighbours appear in and leave the
    /// kernel's ARP table.</summary>
    public bool ScriptArp { get; init; }
    public bool SequentialIp { get; init; }
    public bool NoPing { get; init; }

    /// <summary><c>bootp-dynamic</c> lines: BOOTP clients matching one of these filters (an empty one matches all) may
    /// get a dynamic address; none = BOOTP only for <c>dhcp-host</c> addresses (dnsmasq's default).</summary>
    public ImmutableArray<TagFilter> BootpDynamic { get; init; } = [];
    /// <summary><c>dhcp-reply-delay=[tag:x,]seconds</c>.</summary>
    public ImmutableArray<(TagFilter Filter, TimeSpan Delay)> ReplyDelays { get; init; } = [];
    /// <summary>The DHCP protocol switches: broadcast, names, rapid commit, option 81, client identifier, relays.</summary>
    public DhcpProtocolConfig Protocol { get; init; } = new();
    /// <summary><c>dhcp-alternate-port</c>: server and client ports (67/68 by default).</summary>
    public int DhcpServerPort { get; init; } = 67;
    public int DhcpClientPort { get; init; } = 68;
    /// <summary><c>user=</c>: the account to switch to once the sockets are bound (only when started as root).</summary>
    public string? User { get; init; }
    /// <summary><c>group=</c>: the group to switch to; by default the user's own primary group.</summary>
    public string? Group { get; init; }
    /// <summary>Where <c>user=</c>/<c>group=</c> were given, for errors about an unknown name.</summary>
    public SourceLocation? UserSource { get; init; }
    public SourceLocation? GroupSource { get; init; }
    /// <summary><c>pid-file</c>: written once the sockets are bound (before any privilege drop), removed at a clean exit.</summary>
    public string? PidFile { get; init; }
    /// <summary><c>keep-in-foreground</c> / <c>no-daemon</c>.</summary>
    public bool KeepInForeground { get; init; }

    /// <summary>What <c>check</c> reports beyond the served behaviour: DNS-only and not-yet-implemented directives, warnings.</summary>
    public ImmutableArray<ConfigNotice> Notices { get; init; } = [];
    /// <summary>The files read, in order.</summary>
    public ImmutableArray<string> SourceFiles { get; init; } = [];

    /// <summary>dnsmasq opens port 4011 and answers proxy requests only when a pxe-service or pxe-prompt exists (CHANGELOG 2.51).</summary>
    public bool IsPxeEnabled => !PxeServices.IsEmpty || !PxePrompts.IsEmpty;
}

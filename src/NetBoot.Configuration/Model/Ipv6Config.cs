using System.Collections.Immutable;
using NetBoot.Wire.Dhcp6;
using NetBoot.Wire.Icmp6;
using NetBoot.Wire.Net;

namespace NetBoot.Configuration.Model;

/// <summary>The mode words of an IPv6 <c>dhcp-range</c> (dnsmasq's CONTEXT_* flags set in option.c).</summary>
[Flags]
public enum Dhcp6RangeModes
{
    None = 0,
    /// <summary>An end address was given: addresses are leased by DHCPv6 (CONTEXT_DHCP).</summary>
    Dhcp = 1,
    /// <summary><c>static</c>: only dhcp-host addresses are given.</summary>
    Static = 2,
    /// <summary><c>ra-only</c> or <c>slaac</c>: router advertisements for the prefix (A flag set), no DHCPv6 addresses
    /// unless an end address was also given.</summary>
    RouterAdvertisement = 4,
    /// <summary><c>ra-names</c>: dnsmasq guesses SLAAC addresses for DNS names (implies RA).</summary>
    RaNames = 8,
    /// <summary><c>ra-stateless</c>: RA with O set; DHCPv6 gives only options (implies DHCP and RA).</summary>
    RaStateless = 16,
    /// <summary><c>ra-advrouter</c>: the router's address goes in the prefix option (RFC 6275 R flag).</summary>
    RaAdvertiseRouter = 32,
    /// <summary><c>off-link</c>: the prefix is advertised without the L flag.</summary>
    OffLink = 64,
    /// <summary><c>deprecated</c> in the lease-time position: prefixes advertised with preferred lifetime 0.</summary>
    Deprecated = 128,
}

/// <summary><c>dhcp-range=[tag:..,][set:..,]&lt;start6&gt;[,&lt;end6&gt;|constructor:&lt;iface&gt;][,&lt;mode&gt;…][,&lt;prefix-len&gt;][,&lt;lease&gt;]</c>.</summary>
public sealed record Dhcp6RangeConfig
{
    /// <summary>dnsmasq's DEFLEASE6 (config.h): one day.</summary>
    public static readonly TimeSpan DefaultLeaseTime = TimeSpan.FromDays(1);

    /// <summary>With <see cref="ConstructorInterface"/>, a template: only the host part is used, the prefix comes from
    /// the interface's addresses (e.g. <c>::1</c>).</summary>
    public required IPv6Address Start { get; init; }

    public required IPv6Address End { get; init; }

    /// <summary><c>constructor:&lt;iface&gt;</c> (wildcards allowed, as <c>eth*</c>); null for a literal range.</summary>
    public string? ConstructorInterface { get; init; }

    public Dhcp6RangeModes Modes { get; init; }

    /// <summary>64 unless given; 0 for the <c>dhcp-range=::</c> "stateless on any interface" form.</summary>
    public int PrefixLength { get; init; } = 64;

    /// <summary>Null for <c>infinite</c>.</summary>
    public TimeSpan? LeaseTime { get; init; } = DefaultLeaseTime;

    public string? SetTag { get; init; }

    public TagFilter Filter { get; init; } = TagFilter.None;

    public required SourceLocation Source { get; init; }

    public bool IsTemplate => ConstructorInterface is not null;

    public bool LeasesAddresses => Modes.HasFlag(Dhcp6RangeModes.Dhcp) && !Modes.HasFlag(Dhcp6RangeModes.RaStateless);

    public bool SendsRouterAdvertisements => Modes.HasFlag(Dhcp6RangeModes.RouterAdvertisement);
}

/// <summary><c>ra-param=&lt;iface&gt;,[mtu:&lt;n&gt;|&lt;iface&gt;|off,][high|low,]&lt;interval&gt;[,&lt;router lifetime&gt;]</c>.</summary>
public sealed record RouterAdvertisementParamConfig
{
    /// <summary>The interface the parameters apply to (wildcards allowed).</summary>
    public required string Interface { get; init; }

    /// <summary><c>mtu:&lt;n&gt;</c>: at least 1280 (RFC 8200 §5).</summary>
    public int? Mtu { get; init; }

    /// <summary><c>mtu:&lt;iface&gt;</c>: advertise that interface's MTU.</summary>
    public string? MtuInterface { get; init; }

    /// <summary><c>mtu:off</c>: no MTU option.</summary>
    public bool IsMtuOff { get; init; }

    public RouterPreference Preference { get; init; } = RouterPreference.Medium;

    /// <summary>Seconds between unsolicited advertisements.</summary>
    public required TimeSpan Interval { get; init; }

    /// <summary>Null: dnsmasq's default (three times the interval, at least 1800 s … as radv.c computes).</summary>
    public TimeSpan? RouterLifetime { get; init; }

    public required SourceLocation Source { get; init; }
}

/// <summary><c>dhcp-option=[tag:..,]option6:&lt;name|number&gt;,&lt;value&gt;…</c>.</summary>
public sealed record Dhcp6OptionConfig
{
    public required Dhcp6OptionCode Code { get; init; }

    /// <summary>dnsmasq's name from opttab6, when known.</summary>
    public string? Name { get; init; }

    public Dhcp6OptionValueKind Kind { get; init; }

    /// <summary>The value fields as written (quotes removed).</summary>
    public ImmutableArray<string> Values { get; init; } = [];

    /// <summary>The option data, ready to send; null when it names <c>[::]</c> (this server's address on the link),
    /// which is substituted per reply.</summary>
    public ImmutableArray<byte>? Data { get; init; }

    public bool UsesServerAddress => Data is null;

    public bool IsForced { get; init; }

    public TagFilter Filter { get; init; } = TagFilter.None;

    public required SourceLocation Source { get; init; }
}

/// <summary><c>dhcp-match=set:&lt;tag&gt;,option6:&lt;n&gt;[,&lt;value&gt;]</c>: sets the tag when the DHCPv6 request carries
/// the option (and, with a value, when it matches as dnsmasq's match_bytes does: for option 61 a 16-bit architecture,
/// for option 16 a substring of the vendor class data).</summary>
public sealed record Dhcp6MatchConfig
{
    public required string SetTag { get; init; }

    public required Dhcp6OptionCode Code { get; init; }

    /// <summary>Null: presence alone.</summary>
    public DhcpMatchValue? Value { get; init; }

    public required SourceLocation Source { get; init; }
}

/// <summary><c>dhcp-vendorclass=set:&lt;tag&gt;,enterprise:&lt;n&gt;,&lt;text&gt;</c>: the text inside option 16 of that enterprise.</summary>
public sealed record Dhcp6VendorClassMatchConfig
{
    public required string SetTag { get; init; }

    public required uint EnterpriseNumber { get; init; }

    public required ImmutableArray<byte> Pattern { get; init; }

    public required SourceLocation Source { get; init; }
}

/// <summary>Everything IPv6 the configuration asks for, parsed and validated. DHCPv6 is served; router advertisements are not.</summary>
public sealed record Ipv6Config
{
    public static readonly Ipv6Config Empty = new();

    public ImmutableArray<Dhcp6RangeConfig> Ranges { get; init; } = [];

    /// <summary><c>enable-ra</c>: advertise on every interface with an IPv6 range, even without an RA mode.</summary>
    public bool EnableRouterAdvertisements { get; init; }

    public ImmutableArray<RouterAdvertisementParamConfig> RouterAdvertisementParams { get; init; } = [];

    /// <summary><c>dhcp-duid</c>: this server's DUID-EN; null means one made from a MAC (DUID-LLT), as dnsmasq does.</summary>
    public Duid? ServerDuid { get; init; }

    public ImmutableArray<Dhcp6OptionConfig> Options { get; init; } = [];

    public ImmutableArray<Dhcp6MatchConfig> Matches { get; init; } = [];

    public ImmutableArray<Dhcp6VendorClassMatchConfig> VendorClasses { get; init; } = [];

    public bool IsEmpty => Ranges.IsEmpty && !EnableRouterAdvertisements && RouterAdvertisementParams.IsEmpty
        && ServerDuid is null && Options.IsEmpty && Matches.IsEmpty && VendorClasses.IsEmpty;
}

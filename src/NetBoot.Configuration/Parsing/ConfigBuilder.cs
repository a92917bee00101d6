using System.Collections.Immutable;
using NetBoot.Configuration.Model;
using NetBoot.Wire.Net;

namespace NetBoot.Configuration.Parsing;

/// <summary>The mutable accumulator behind one parse: directives append here in configuration order, then
/// <see cref="Build"/> freezes everything into a <see cref="ServerConfig"/>. Never escapes the parser.</summary>
internal sealed class ConfigBuilder
{
    public List<ConfigDiagnostic> Errors { get; } = [];
    public List<ConfigNotice> Notices { get; } = [];
    public List<string> SourceFiles { get; } = [];

    public List<DhcpRangeConfig> Ranges { get; } = [];
    public List<DhcpHostConfig> Hosts { get; } = [];
    public List<DhcpBootConfig> BootFiles { get; } = [];
    public List<DhcpOptionConfig> Options { get; } = [];
    public List<PxeServiceConfig> PxeServices { get; } = [];
    public List<PxePromptConfig> PxePrompts { get; } = [];
    public List<string>? PxeVendors { get; set; }
    public List<DhcpMatchConfig> Matches { get; } = [];
    public List<DhcpClassMatchConfig> VendorClasses { get; } = [];
    public List<DhcpClassMatchConfig> UserClasses { get; } = [];
    public List<DhcpClassMatchConfig> CircuitIds { get; } = [];
    public List<DhcpClassMatchConfig> RemoteIds { get; } = [];
    public List<DhcpClassMatchConfig> SubscriberIds { get; } = [];
    public List<DhcpMacMatchConfig> MacMatches { get; } = [];
    public List<TagIfConfig> TagIfs { get; } = [];
    public List<DhcpIgnoreConfig> Ignores { get; } = [];
    public List<(TagFilter Filter, TimeSpan Delay)> ReplyDelays { get; } = [];
    public List<DhcpFileSource> DhcpFiles { get; } = [];
    public SourceLocation? ReadEthers { get; set; }
    public DhcpProtocolConfig Protocol { get; set; } = new();

    public List<Dhcp6RangeConfig> Dhcp6Ranges { get; } = [];
    public bool EnableRouterAdvertisements { get; set; }
    public bool QuietRouterAdvertisements { get; set; }
    public List<RouterAdvertisementParamConfig> RouterAdvertisementParams { get; } = [];
    public Wire.Dhcp6.Duid? ServerDuid { get; set; }
    public List<Dhcp6OptionConfig> Dhcp6Options { get; } = [];
    public List<Dhcp6MatchConfig> Dhcp6Matches { get; } = [];
    public List<Dhcp6VendorClassMatchConfig> Dhcp6VendorClasses { get; } = [];

    public List<string> InterfacesIncluded { get; } = [];
    public List<string> InterfacesExcluded { get; } = [];
    public List<string> InterfacesNoDhcp { get; } = [];
    public List<IPv4Address> ListenAddresses { get; } = [];
    public SourceLocation? ListenAddressSource { get; set; }
    public bool BindInterfaces { get; set; }
    public bool BindDynamic { get; set; }

    public TftpConfig Tftp { get; set; } = new();
    public HttpConfig Http { get; set; } = new();
    public StatusConfig Status { get; set; } = new();
    public List<PxeUefiDirectConfig> UefiDirectOffers { get; } = [];
    /// <summary>Where <c>enable-tftp</c> first appeared, for the tftp-root check.</summary>
    public SourceLocation? TftpEnabledAt { get; set; }

    public bool LogDhcp { get; set; }
    public bool LogQueries { get; set; }
    public string? LogFacility { get; set; }
    public bool NoOverride { get; set; }
    public bool Authoritative { get; set; }
    public int LeaseMax { get; set; } = 1000;
    public DhcpRateLimitConfig DhcpRateLimit { get; set; } = DhcpRateLimitConfig.Default;
    public string? LeaseFile { get; set; }
    public LeaseDatabaseConfig? LeaseDatabase { get; set; }
    public string? DhcpScript { get; set; }
    public string? ScriptUser { get; set; }
    public SourceLocation? ScriptUserSource { get; set; }
    public bool ScriptOnRenewal { get; set; }
    public bool LeaseFileReadOnly { get; set; }
    public bool ScriptArp { get; set; }
    public bool SequentialIp { get; set; }
    public bool NoPing { get; set; }

    public List<TagFilter> BootpDynamic { get; } = [];
    public int DhcpServerPort { get; set; } = 67;
    public int DhcpClientPort { get; set; } = 68;
    public string? User { get; set; }
    public string? Group { get; set; }
    public SourceLocation? UserSource { get; set; }
    public SourceLocation? GroupSource { get; set; }
    public string? PidFile { get; set; }
    public bool KeepInForeground { get; set; }

    /// <summary>dnsmasq's <c>boottype</c> counter: the n-th basename pxe-service gets type 0x8000+n.</summary>
    public ushort NextBaseNameType { get; set; } = 0x8000;

    /// <summary>Single-valued directives already given, with where (dnsmasq's ARG_USED_CL / ARG_USED_FILE marks).</summary>
    public Dictionary<string, SourceLocation> SingleValuedSeen { get; } = new(StringComparer.Ordinal);

    public void Error(string message, SourceLocation source, string? hint = null) =>
        Errors.Add(new ConfigDiagnostic(message, source, hint));

    public void FileError(string message, SourceLocation source, string hint) =>
        Errors.Add(new ConfigDiagnostic(message, source, hint) { IsFileError = true });

    public void Notice(ConfigNoticeKind kind, string directive, string message, SourceLocation source) =>
        Notices.Add(new ConfigNotice(kind, directive, message, source));

    public ServerConfig Build() => new()
    {
        Ranges = [.. Ranges],
        Hosts = [.. Hosts],
        BootFiles = [.. BootFiles],
        Options = [.. Options],
        PxeServices = [.. PxeServices],
        PxePrompts = [.. PxePrompts],
        PxeVendors = PxeVendors is null ? ServerConfig.DefaultPxeVendors : [.. PxeVendors],
        Matches = [.. Matches],
        VendorClasses = [.. VendorClasses],
        UserClasses = [.. UserClasses],
        CircuitIdMatches = [.. CircuitIds],
        RemoteIdMatches = [.. RemoteIds],
        SubscriberIdMatches = [.. SubscriberIds],
        MacMatches = [.. MacMatches],
        TagIfs = [.. TagIfs],
        Ignores = [.. Ignores],
        ReplyDelays = [.. ReplyDelays],
        DhcpFiles = [.. DhcpFiles],
        ReadEthers = ReadEthers,
        Protocol = Protocol,
        Interfaces = new InterfaceConfig
        {
            Include = [.. InterfacesIncluded],
            Exclude = [.. InterfacesExcluded],
            NoDhcp = [.. InterfacesNoDhcp],
            ListenAddresses = [.. ListenAddresses],
            ListenAddressSource = ListenAddressSource,
            BindInterfaces = BindInterfaces || BindDynamic,
            BindDynamic = BindDynamic,
        },
        Tftp = Tftp,
        Http = Http,
        Status = Status,
        UefiDirectOffers = [.. UefiDirectOffers],
        LogDhcp = LogDhcp,
        LogQueries = LogQueries,
        LogFacility = LogFacility,
        NoOverride = NoOverride,
        Authoritative = Authoritative,
        LeaseMax = LeaseMax,
        DhcpRateLimit = DhcpRateLimit,
        LeaseFile = LeaseFile,
        LeaseDatabase = LeaseDatabase,
        DhcpScript = DhcpScript,
        ScriptUser = ScriptUser,
        ScriptUserSource = ScriptUserSource,
        ScriptOnRenewal = ScriptOnRenewal,
        LeaseFileReadOnly = LeaseFileReadOnly,
        ScriptArp = ScriptArp,
        SequentialIp = SequentialIp,
        NoPing = NoPing,
        BootpDynamic = [.. BootpDynamic],
        DhcpServerPort = DhcpServerPort,
        DhcpClientPort = DhcpClientPort,
        User = User,
        Group = Group,
        UserSource = UserSource,
        GroupSource = GroupSource,
        PidFile = PidFile,
        KeepInForeground = KeepInForeground,
        Ipv6 = new Ipv6Config
        {
            Ranges = [.. Dhcp6Ranges],
            EnableRouterAdvertisements = EnableRouterAdvertisements,
            QuietRouterAdvertisements = QuietRouterAdvertisements,
            RouterAdvertisementParams = [.. RouterAdvertisementParams],
            ServerDuid = ServerDuid,
            Options = [.. Dhcp6Options],
            Matches = [.. Dhcp6Matches],
            VendorClasses = [.. Dhcp6VendorClasses],
        },
        Notices = [.. Notices],
        SourceFiles = [.. SourceFiles],
    };
}

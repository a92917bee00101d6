namespace NetBoot.Wire.Dhcp6;

/// <summary>DHCPv6 option codes (IANA "Option Codes"; RFC 8415 §21, RFC 3646, RFC 5970). dnsmasq's names
/// (<c>bootfile-url</c>, …) live in the configuration's option catalogue.</summary>
public enum Dhcp6OptionCode : ushort
{
    /// <summary><c>OPTION_CLIENTID</c> (RFC 8415 §21.2): a DUID.</summary>
    ClientId = 1,
    /// <summary><c>OPTION_SERVERID</c> (RFC 8415 §21.3): a DUID.</summary>
    ServerId = 2,
    /// <summary><c>OPTION_IA_NA</c> (RFC 8415 §21.4): IAID, T1, T2, IA_NA-options.</summary>
    IaNa = 3,
    /// <summary><c>OPTION_IA_TA</c> (RFC 8415 §21.5).</summary>
    IaTa = 4,
    /// <summary><c>OPTION_IAADDR</c> (RFC 8415 §21.6): address, preferred and valid lifetimes, IAaddr-options.</summary>
    IaAddress = 5,
    /// <summary><c>OPTION_ORO</c> (RFC 8415 §21.7): requested option codes.</summary>
    OptionRequest = 6,
    /// <summary><c>OPTION_PREFERENCE</c> (RFC 8415 §21.8).</summary>
    Preference = 7,
    /// <summary><c>OPTION_ELAPSED_TIME</c> (RFC 8415 §21.9): hundredths of a second.</summary>
    ElapsedTime = 8,
    /// <summary><c>OPTION_RELAY_MSG</c> (RFC 8415 §21.10): the relayed message.</summary>
    RelayMessage = 9,
    /// <summary><c>OPTION_AUTH</c> (RFC 8415 §21.11).</summary>
    Authentication = 11,
    /// <summary><c>OPTION_UNICAST</c> (RFC 8415 §21.12).</summary>
    ServerUnicast = 12,
    /// <summary><c>OPTION_STATUS_CODE</c> (RFC 8415 §21.13).</summary>
    StatusCode = 13,
    /// <summary><c>OPTION_RAPID_COMMIT</c> (RFC 8415 §21.14): empty.</summary>
    RapidCommit = 14,
    /// <summary><c>OPTION_USER_CLASS</c> (RFC 8415 §21.15): length-prefixed opaque items.</summary>
    UserClass = 15,
    /// <summary><c>OPTION_VENDOR_CLASS</c> (RFC 8415 §21.16): enterprise number, length-prefixed opaque items.</summary>
    VendorClass = 16,
    /// <summary><c>OPTION_VENDOR_OPTS</c> (RFC 8415 §21.17): enterprise number, sub-options.</summary>
    VendorOptions = 17,
    /// <summary><c>OPTION_INTERFACE_ID</c> (RFC 8415 §21.18).</summary>
    InterfaceId = 18,
    /// <summary><c>OPTION_RECONF_MSG</c> (RFC 8415 §21.19).</summary>
    ReconfigureMessage = 19,
    /// <summary><c>OPTION_RECONF_ACCEPT</c> (RFC 8415 §21.20).</summary>
    ReconfigureAccept = 20,
    /// <summary><c>OPTION_SIP_SERVER_D</c> (RFC 3319).</summary>
    SipServerDomainNames = 21,
    /// <summary><c>OPTION_SIP_SERVER_A</c> (RFC 3319).</summary>
    SipServerAddresses = 22,
    /// <summary><c>OPTION_DNS_SERVERS</c> (RFC 3646 §3): IPv6 addresses.</summary>
    DnsServers = 23,
    /// <summary><c>OPTION_DOMAIN_LIST</c> (RFC 3646 §4): DNS wire-format names.</summary>
    DomainList = 24,
    /// <summary><c>OPTION_IA_PD</c> (RFC 8415 §21.21).</summary>
    IaPd = 25,
    /// <summary><c>OPTION_IAPREFIX</c> (RFC 8415 §21.22).</summary>
    IaPrefix = 26,
    /// <summary><c>OPTION_NIS_SERVERS</c> (RFC 3898).</summary>
    NisServers = 27,
    /// <summary><c>OPTION_SNTP_SERVERS</c> (RFC 4075).</summary>
    SntpServers = 31,
    /// <summary><c>OPTION_INFORMATION_REFRESH_TIME</c> (RFC 8415 §21.23).</summary>
    InformationRefreshTime = 32,
    /// <summary><c>OPTION_CLIENT_FQDN</c> (RFC 4704).</summary>
    ClientFqdn = 39,
    /// <summary><c>OPTION_REMOTE_ID</c> (RFC 4649).</summary>
    RemoteId = 37,
    /// <summary><c>OPTION_NTP_SERVER</c> (RFC 5908).</summary>
    NtpServer = 56,
    /// <summary><c>OPT_BOOTFILE_URL</c> (RFC 5970 §3.1): a URL, no NUL.</summary>
    BootfileUrl = 59,
    /// <summary><c>OPT_BOOTFILE_PARAM</c> (RFC 5970 §3.2): length-prefixed UTF-8 parameters.</summary>
    BootfileParam = 60,
    /// <summary><c>OPTION_CLIENT_ARCH_TYPE</c> (RFC 5970 §3.3): 16-bit architecture types (RFC 4578 registry).</summary>
    ClientArchitectureType = 61,
    /// <summary><c>OPTION_NII</c> (RFC 5970 §3.4): interface type, major, minor revision.</summary>
    NetworkInterfaceIdentifier = 62,
    /// <summary><c>OPTION_CLIENT_LINKLAYER_ADDR</c> (RFC 6939): link-layer type, address.</summary>
    ClientLinkLayerAddress = 79,
    /// <summary><c>OPTION_SOL_MAX_RT</c> (RFC 8415 §21.24).</summary>
    SolMaxRt = 82,
    /// <summary><c>OPTION_INF_MAX_RT</c> (RFC 8415 §21.25).</summary>
    InfMaxRt = 83,
}

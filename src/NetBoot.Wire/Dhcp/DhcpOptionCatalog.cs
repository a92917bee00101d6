using System.Collections.Frozen;
using System.Collections.Immutable;

namespace NetBoot.Wire.Dhcp;

/// <summary>How an option's value is written in configuration and rendered in logs and decodes.</summary>
public enum DhcpOptionFormat
{
    /// <summary>Opaque bytes (rendered as hex, or as text when printable).</summary>
    Bytes,
    /// <summary>One or more IPv4 addresses.</summary>
    AddressList,
    /// <summary>Text (a name or a path).</summary>
    Text,
    /// <summary>An RFC 1035 domain name list (options 15, 119).</summary>
    DomainNames,
    /// <summary>An unsigned integer of <see cref="DhcpOptionInfo.Width"/> bytes.</summary>
    Integer,
    /// <summary>A duration in seconds (4 bytes; 0xFFFFFFFF = infinite).</summary>
    Seconds,
    /// <summary>A list of option codes (option 55).</summary>
    CodeList,
    /// <summary>A list of 16-bit integers (option 93).</summary>
    Integer16List,
}

/// <summary>One row of the option table: code, dnsmasq's name, value format, and whether only the server sets it.</summary>
/// <param name="IsInternal">dnsmasq's OT_INTERNAL: the server fills it itself; a <c>dhcp-option</c> for it is ignored with a warning.</param>
public sealed record DhcpOptionInfo(byte Code, string Name, DhcpOptionFormat Format, int Width = 0, bool IsInternal = false);

/// <summary>The one option table shared by the configuration parser (<c>option:NAME</c>), the packet
/// renderer, logs and diagnostics. Names are dnsmasq's (<c>src/dhcp-common.c</c> <c>opttab</c>), so
/// existing configurations keep working.</summary>
public static class DhcpOptionCatalog
{
    /// <summary>dnsmasq's pseudo-option 255 <c>server-ip-address</c>: sets <c>siaddr</c>, never sent as an option.</summary>
    public const byte ServerIpAddressPseudoCode = 255;

    private static readonly ImmutableArray<DhcpOptionInfo> Rows =
    [
        new(1, "netmask", DhcpOptionFormat.AddressList),
        new(2, "time-offset", DhcpOptionFormat.Integer, 4),
        new(3, "router", DhcpOptionFormat.AddressList),
        new(4, "time-server", DhcpOptionFormat.AddressList),
        new(5, "name-server", DhcpOptionFormat.AddressList),
        new(6, "dns-server", DhcpOptionFormat.AddressList),
        new(7, "log-server", DhcpOptionFormat.AddressList),
        new(9, "lpr-server", DhcpOptionFormat.AddressList),
        new(12, "hostname", DhcpOptionFormat.Text, IsInternal: true),
        new(13, "boot-file-size", DhcpOptionFormat.Integer, 2),
        new(15, "domain-name", DhcpOptionFormat.Text),
        new(16, "swap-server", DhcpOptionFormat.AddressList),
        new(17, "root-path", DhcpOptionFormat.Text),
        new(18, "extension-path", DhcpOptionFormat.Text),
        new(19, "ip-forward-enable", DhcpOptionFormat.Integer, 1),
        new(20, "non-local-source-routing", DhcpOptionFormat.Integer, 1),
        new(21, "policy-filter", DhcpOptionFormat.AddressList),
        new(22, "max-datagram-reassembly", DhcpOptionFormat.Integer, 2),
        new(23, "default-ttl", DhcpOptionFormat.Integer, 1),
        new(26, "mtu", DhcpOptionFormat.Integer, 2),
        new(27, "all-subnets-local", DhcpOptionFormat.Integer, 1),
        new(28, "broadcast", DhcpOptionFormat.AddressList, IsInternal: true),
        new(31, "router-discovery", DhcpOptionFormat.Integer, 1),
        new(32, "router-solicitation", DhcpOptionFormat.AddressList),
        new(33, "static-route", DhcpOptionFormat.AddressList),
        new(34, "trailer-encapsulation", DhcpOptionFormat.Integer, 1),
        new(35, "arp-timeout", DhcpOptionFormat.Integer, 4),
        new(36, "ethernet-encap", DhcpOptionFormat.Integer, 1),
        new(37, "tcp-ttl", DhcpOptionFormat.Integer, 1),
        new(38, "tcp-keepalive", DhcpOptionFormat.Integer, 4),
        new(40, "nis-domain", DhcpOptionFormat.Text),
        new(41, "nis-server", DhcpOptionFormat.AddressList),
        new(42, "ntp-server", DhcpOptionFormat.AddressList),
        new(43, "vendor-encap", DhcpOptionFormat.Bytes, IsInternal: true),
        new(44, "netbios-ns", DhcpOptionFormat.AddressList),
        new(45, "netbios-dd", DhcpOptionFormat.AddressList),
        new(46, "netbios-nodetype", DhcpOptionFormat.Integer, 1),
        new(47, "netbios-scope", DhcpOptionFormat.Text),
        new(48, "x-windows-fs", DhcpOptionFormat.AddressList),
        new(49, "x-windows-dm", DhcpOptionFormat.AddressList),
        new(50, "requested-address", DhcpOptionFormat.AddressList, IsInternal: true),
        new(51, "lease-time", DhcpOptionFormat.Seconds, 4, IsInternal: true),
        new(52, "option-overload", DhcpOptionFormat.Integer, 1, IsInternal: true),
        new(53, "message-type", DhcpOptionFormat.Integer, 1, IsInternal: true),
        new(54, "server-identifier", DhcpOptionFormat.AddressList, IsInternal: true),
        new(55, "parameter-request", DhcpOptionFormat.CodeList, IsInternal: true),
        new(56, "message", DhcpOptionFormat.Text, IsInternal: true),
        new(57, "max-message-size", DhcpOptionFormat.Integer, 2, IsInternal: true),
        new(58, "T1", DhcpOptionFormat.Seconds, 4),
        new(59, "T2", DhcpOptionFormat.Seconds, 4),
        new(60, "vendor-class", DhcpOptionFormat.Text),
        new(61, "client-id", DhcpOptionFormat.Bytes, IsInternal: true),
        new(64, "nis+-domain", DhcpOptionFormat.Text),
        new(65, "nis+-server", DhcpOptionFormat.AddressList),
        new(66, "tftp-server", DhcpOptionFormat.Text),
        new(67, "bootfile-name", DhcpOptionFormat.Text),
        new(68, "mobile-ip-home", DhcpOptionFormat.AddressList),
        new(69, "smtp-server", DhcpOptionFormat.AddressList),
        new(70, "pop3-server", DhcpOptionFormat.AddressList),
        new(71, "nntp-server", DhcpOptionFormat.AddressList),
        new(74, "irc-server", DhcpOptionFormat.AddressList),
        new(77, "user-class", DhcpOptionFormat.Bytes),
        new(80, "rapid-commit", DhcpOptionFormat.Bytes),
        new(81, "FQDN", DhcpOptionFormat.Bytes, IsInternal: true),
        new(82, "agent-id", DhcpOptionFormat.Bytes, IsInternal: true),
        new(93, "client-arch", DhcpOptionFormat.Integer16List, 2),
        new(94, "client-interface-id", DhcpOptionFormat.Bytes),
        new(97, "client-machine-id", DhcpOptionFormat.Bytes),
        new(100, "posix-timezone", DhcpOptionFormat.Text),
        new(101, "tzdb-timezone", DhcpOptionFormat.Text),
        new(108, "ipv6-only", DhcpOptionFormat.Seconds, 4),
        new(114, "captive-portal", DhcpOptionFormat.Text),
        new(118, "subnet-select", DhcpOptionFormat.AddressList, IsInternal: true),
        new(119, "domain-search", DhcpOptionFormat.DomainNames),
        new(120, "sip-server", DhcpOptionFormat.Bytes),
        new(121, "classless-static-route", DhcpOptionFormat.Bytes),
        new(125, "vendor-id-encap", DhcpOptionFormat.Bytes),
        new(150, "tftp-server-address", DhcpOptionFormat.AddressList),
        new(175, "etherboot", DhcpOptionFormat.Bytes),
        new(209, "pxelinux-config-file", DhcpOptionFormat.Text),
        new(210, "pxelinux-path-prefix", DhcpOptionFormat.Text),
        new(211, "pxelinux-reboot-time", DhcpOptionFormat.Seconds, 4),
        new(252, "wpad", DhcpOptionFormat.Text),
        new(ServerIpAddressPseudoCode, "server-ip-address", DhcpOptionFormat.AddressList),
    ];

    private static readonly FrozenDictionary<byte, DhcpOptionInfo> ByCode = Rows.ToFrozenDictionary(r => r.Code);

    private static readonly FrozenDictionary<string, DhcpOptionInfo> ByName =
        Rows.ToFrozenDictionary(r => r.Name, StringComparer.OrdinalIgnoreCase);

    public static ImmutableArray<DhcpOptionInfo> All => Rows;

    public static bool TryGetByName(string name, out DhcpOptionInfo info) => ByName.TryGetValue(name, out info!);

    public static bool TryGetByCode(byte code, out DhcpOptionInfo info) => ByCode.TryGetValue(code, out info!);

    /// <summary>dnsmasq's name where it has one, else the IANA enum name, else <c>option-N</c>.</summary>
    public static string NameOf(byte code) =>
        ByCode.TryGetValue(code, out var info) && code != ServerIpAddressPseudoCode ? info.Name
        : Enum.IsDefined((DhcpOptionCode)code) ? ((DhcpOptionCode)code).ToString() : $"option-{code}";
}

using System.Collections.Frozen;

namespace NetBoot.Wire.Dhcp6;

/// <summary>How a DHCPv6 option's value is laid out (dnsmasq's opttab6 OT_* types).</summary>
public enum Dhcp6OptionValueKind
{
    /// <summary>Unknown option or no known type: hex (<c>01:02</c>), a number or text, as for DHCPv4.</summary>
    Raw,
    /// <summary>OT_ADDR_LIST: IPv6 addresses, <c>[::]</c> meaning this server's address on the link.</summary>
    AddressList,
    /// <summary>OT_RFC1035_NAME: DNS names in wire form (RFC 1035 §3.1).</summary>
    DomainNames,
    /// <summary>OT_NAME: one string, sent without NUL (<c>bootfile-url</c>, <c>[::]</c> substituted when sent).</summary>
    Text,
    /// <summary>OT_CSTRING: length-prefixed strings (<c>bootfile-param</c>).</summary>
    LengthPrefixedStrings,
    /// <summary>OT_TIME: 32-bit seconds.</summary>
    Time,
}

/// <summary>One row of dnsmasq's opttab6 (<c>src/dhcp-common.c</c>).</summary>
public sealed record Dhcp6OptionInfo(string Name, Dhcp6OptionCode Code, Dhcp6OptionValueKind Kind, bool IsInternal = false);

/// <summary>dnsmasq's DHCPv6 option names (opttab6), for <c>option6:&lt;name&gt;</c>, <c>check</c> and renderings.</summary>
public static class Dhcp6OptionCatalog
{
    public static readonly IReadOnlyList<Dhcp6OptionInfo> All =
    [
        new("client-id", Dhcp6OptionCode.ClientId, Dhcp6OptionValueKind.Raw, IsInternal: true),
        new("server-id", Dhcp6OptionCode.ServerId, Dhcp6OptionValueKind.Raw, IsInternal: true),
        new("ia-na", Dhcp6OptionCode.IaNa, Dhcp6OptionValueKind.Raw, IsInternal: true),
        new("ia-ta", Dhcp6OptionCode.IaTa, Dhcp6OptionValueKind.Raw, IsInternal: true),
        new("iaaddr", Dhcp6OptionCode.IaAddress, Dhcp6OptionValueKind.Raw, IsInternal: true),
        new("oro", Dhcp6OptionCode.OptionRequest, Dhcp6OptionValueKind.Raw, IsInternal: true),
        new("preference", Dhcp6OptionCode.Preference, Dhcp6OptionValueKind.Raw, IsInternal: true),
        new("unicast", Dhcp6OptionCode.ServerUnicast, Dhcp6OptionValueKind.Raw, IsInternal: true),
        new("status", Dhcp6OptionCode.StatusCode, Dhcp6OptionValueKind.Raw, IsInternal: true),
        new("rapid-commit", Dhcp6OptionCode.RapidCommit, Dhcp6OptionValueKind.Raw, IsInternal: true),
        new("user-class", Dhcp6OptionCode.UserClass, Dhcp6OptionValueKind.LengthPrefixedStrings, IsInternal: true),
        new("vendor-class", Dhcp6OptionCode.VendorClass, Dhcp6OptionValueKind.LengthPrefixedStrings, IsInternal: true),
        new("vendor-opts", Dhcp6OptionCode.VendorOptions, Dhcp6OptionValueKind.Raw, IsInternal: true),
        new("sip-server-domain", Dhcp6OptionCode.SipServerDomainNames, Dhcp6OptionValueKind.DomainNames),
        new("sip-server", Dhcp6OptionCode.SipServerAddresses, Dhcp6OptionValueKind.AddressList),
        new("dns-server", Dhcp6OptionCode.DnsServers, Dhcp6OptionValueKind.AddressList),
        new("domain-search", Dhcp6OptionCode.DomainList, Dhcp6OptionValueKind.DomainNames),
        new("nis-server", Dhcp6OptionCode.NisServers, Dhcp6OptionValueKind.AddressList),
        new("nis+-server", (Dhcp6OptionCode)28, Dhcp6OptionValueKind.AddressList),
        new("nis-domain", (Dhcp6OptionCode)29, Dhcp6OptionValueKind.DomainNames),
        new("nis+-domain", (Dhcp6OptionCode)30, Dhcp6OptionValueKind.DomainNames),
        new("sntp-server", Dhcp6OptionCode.SntpServers, Dhcp6OptionValueKind.AddressList),
        new("information-refresh-time", Dhcp6OptionCode.InformationRefreshTime, Dhcp6OptionValueKind.Time),
        new("FQDN", Dhcp6OptionCode.ClientFqdn, Dhcp6OptionValueKind.DomainNames, IsInternal: true),
        new("posix-timezone", (Dhcp6OptionCode)41, Dhcp6OptionValueKind.Text),
        new("tzdb-timezone", (Dhcp6OptionCode)42, Dhcp6OptionValueKind.Text),
        // dnsmasq parity: ntp-server has no value type in opttab6 (its RFC 5908 sub-options are not built), so values
        // are raw as for an unknown option.
        new("ntp-server", Dhcp6OptionCode.NtpServer, Dhcp6OptionValueKind.Raw),
        new("bootfile-url", Dhcp6OptionCode.BootfileUrl, Dhcp6OptionValueKind.Text),
        new("bootfile-param", Dhcp6OptionCode.BootfileParam, Dhcp6OptionValueKind.LengthPrefixedStrings),
    ];

    // dnsmasq parity: lookup_dhcp_opt compares names with strcasecmp.
    private static readonly FrozenDictionary<string, Dhcp6OptionInfo> ByName =
        All.ToFrozenDictionary(o => o.Name, StringComparer.OrdinalIgnoreCase);

    private static readonly FrozenDictionary<Dhcp6OptionCode, Dhcp6OptionInfo> ByCode = All.ToFrozenDictionary(o => o.Code);

    public static bool TryGetByName(string name, out Dhcp6OptionInfo info) => ByName.TryGetValue(name, out info!);

    public static bool TryGetByCode(Dhcp6OptionCode code, out Dhcp6OptionInfo info) => ByCode.TryGetValue(code, out info!);

    /// <summary>dnsmasq's name, else the RFC mnemonic for the options dnsmasq has no name for (rendering only: these
    /// names are not accepted after <c>option6:</c>, as in dnsmasq).</summary>
    public static string NameOf(Dhcp6OptionCode code) =>
        TryGetByCode(code, out var info) ? info.Name : code switch
        {
            Dhcp6OptionCode.ElapsedTime => "elapsed-time",
            Dhcp6OptionCode.RelayMessage => "relay-message",
            Dhcp6OptionCode.Authentication => "auth",
            Dhcp6OptionCode.InterfaceId => "interface-id",
            Dhcp6OptionCode.ReconfigureMessage => "reconf-msg",
            Dhcp6OptionCode.ReconfigureAccept => "reconf-accept",
            Dhcp6OptionCode.IaPd => "ia-pd",
            Dhcp6OptionCode.IaPrefix => "iaprefix",
            Dhcp6OptionCode.RemoteId => "remote-id",
            Dhcp6OptionCode.ClientArchitectureType => "client-arch",
            Dhcp6OptionCode.NetworkInterfaceIdentifier => "nii",
            Dhcp6OptionCode.ClientLinkLayerAddress => "client-linklayer-addr",
            Dhcp6OptionCode.SolMaxRt => "sol-max-rt",
            Dhcp6OptionCode.InfMaxRt => "inf-max-rt",
            _ => string.Create(System.Globalization.CultureInfo.InvariantCulture, $"option6-{(ushort)code}"),
        };

    /// <summary>"dns-server (23)" or "option6 136".</summary>
    public static string Describe(Dhcp6OptionCode code) =>
        TryGetByCode(code, out var info) ? $"{info.Name} ({(ushort)code})" : $"option6 {(ushort)code}";
}

using NetBoot.Configuration.Model;
using NetBoot.Wire.Net;

namespace NetBoot.Configuration.Parsing;

/// <summary>Directives with small grammars: interfaces, ports, numbers, paths, and the TFTP family.</summary>
internal static class GeneralParser
{
    public static Action<DirectiveContext> Flag(Action<ConfigBuilder> set) => d => set(d.Config);

    /// <summary>A path or name; absent or empty leaves the setting unset (dnsmasq's <c>opt_string_alloc</c> gives NULL).</summary>
    public static Action<DirectiveContext> Text(Action<ConfigBuilder, string?> set) =>
        d => set(d.Config, d.Value is { Length: > 0 } value ? QuotedText.Reveal(value) : null);

    /// <summary>A non-negative decimal (dnsmasq's <c>atoi_check</c>).</summary>
    public static Action<DirectiveContext> Number(Action<ConfigBuilder, int> set, int maximum = int.MaxValue) => d =>
    {
        var text = QuotedText.Reveal(d.Value ?? "");
        if (text.Length is 0 or > 10 || !text.All(char.IsAsciiDigit) || !int.TryParse(text, out var number) || number > maximum)
        {
            d.Error("bad " + d.Name, $"{d.Name} takes a whole number{(maximum < int.MaxValue ? $" up to {maximum}" : "")}, e.g. {d.Name}=50");
            return;
        }
        set(d.Config, number);
    };

    /// <summary><c>interface=eth0[,eth1…]</c> and friends: names (a trailing <c>*</c> is a wildcard).</summary>
    public static Action<DirectiveContext> Names(Func<ConfigBuilder, List<string>> target) => d =>
    {
        var names = FieldCursor.Split(d.Value).Select(QuotedText.Reveal).ToList();
        if (names.Any(n => n.Length == 0))
        {
            d.Error("bad " + d.Name, $"write {d.Name}=<interface>[,<interface>…]");
            return;
        }
        if (names.All(name => CheckInterfaceName(d, name)))
        {
            target(d.Config).AddRange(names);
        }
    };

    /// <summary>An interface name the kernel could have (Linux <c>dev_valid_name</c>), else an error naming the problem.
    /// Whether such an interface exists is checked when the server starts, not here.</summary>
    private static bool CheckInterfaceName(DirectiveContext d, string name)
    {
        if (InterfaceNameSyntax.Problem(name) is not { } problem)
        {
            return true;
        }
        d.Error($"bad interface name '{name}'", problem);
        return false;
    }

    public static void ParseListenAddress(DirectiveContext d)
    {
        foreach (var field in FieldCursor.Split(d.Value))
        {
            var text = QuotedText.Reveal(field);
            if (IPv4Address.TryParse(text, out var address))
            {
                d.Config.ListenAddresses.Add(address);
                d.Config.ListenAddressSource ??= d.Source;
            }
            else if (System.Net.IPAddress.TryParse(text, out var other) && other.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6)
            {
                d.Notice(ConfigNoticeKind.Ignored, $"IPv6 listen address {text} ignored: NetBoot serves DHCPv4 only");
            }
            else
            {
                d.Error("bad IP address", $"'{text}' is not an IPv4 address; write listen-address=<address>[,<address>…]");
                return;
            }
        }
    }

    /// <summary><c>dhcp-alternate-port[=SERVER[,CLIENT]]</c>: no value → 1067/1068; a server port alone → client = server + 1.</summary>
    public static void ParseAlternatePort(DirectiveContext d)
    {
        if (d.Value is null)
        {
            d.Config.DhcpServerPort = 1067;
            d.Config.DhcpClientPort = 1068;
            return;
        }
        var fields = FieldCursor.Split(d.Value).Select(QuotedText.Reveal).ToList();
        if (fields.Count > 2 || !fields.All(IsPort))
        {
            d.Error("invalid port number", "write dhcp-alternate-port[=<server port>[,<client port>]] with ports 1..65535");
            return;
        }
        d.Config.DhcpServerPort = int.Parse(fields[0], System.Globalization.CultureInfo.InvariantCulture);
        d.Config.DhcpClientPort = fields.Count == 2
            ? int.Parse(fields[1], System.Globalization.CultureInfo.InvariantCulture)
            : d.Config.DhcpServerPort + 1;
    }

    /// <summary><c>port=N</c>: <c>port=0</c> turns dnsmasq's DNS off, which is what NetBoot does anyway.</summary>
    public static void ParsePort(DirectiveContext d)
    {
        var text = QuotedText.Reveal(d.Value ?? "");
        if (!IsPort(text) && text != "0")
        {
            d.Error("bad port", "write port=0 to turn DNS off");
            return;
        }
        if (text != "0")
        {
            d.Notice(ConfigNoticeKind.NotServedDns, $"DNS on port {text} is not served: NetBoot serves no DNS");
        }
    }

    private static bool IsPort(string text) =>
        text.Length is > 0 and <= 5 && text.All(char.IsAsciiDigit) && int.Parse(text, System.Globalization.CultureInfo.InvariantCulture) is > 0 and <= 65535;

    private static readonly string[] SyslogFacilities =
    [
        "kern", "user", "mail", "daemon", "auth", "syslog", "lpr", "news", "uucp", "cron", "authpriv", "ftp",
        "local0", "local1", "local2", "local3", "local4", "local5", "local6", "local7",
    ];

    /// <summary><c>log-facility=FACILITY|FILE|-</c>: a value with a <c>/</c> or <c>-</c> is a file, else a syslog facility name.</summary>
    public static void ParseLogFacility(DirectiveContext d)
    {
        var text = QuotedText.Reveal(d.Value ?? "");
        var isFile = text.Contains('/', StringComparison.Ordinal) || text == "-";
        if (!isFile && !SyslogFacilities.Contains(text, StringComparer.OrdinalIgnoreCase))
        {
            d.Error("bad log facility", "write log-facility=<syslog facility such as daemon or local0>, a file path, or - for stderr");
            return;
        }
        d.Config.LogFacility = text;
    }

    // --- TFTP ---

    /// <summary><c>enable-tftp[=IFACE,…]</c>.</summary>
    public static void ParseEnableTftp(DirectiveContext d)
    {
        var interfaces = FieldCursor.Split(d.Value).Select(QuotedText.Reveal).Where(n => n.Length > 0).ToList();
        if (!interfaces.All(name => CheckInterfaceName(d, name)))
        {
            return;
        }
        d.Config.Tftp = d.Config.Tftp with
        {
            IsEnabled = true,
            Interfaces = d.Config.Tftp.Interfaces.AddRange(interfaces),
            Source = d.Config.Tftp.Source ?? d.Source,
        };
        d.Config.TftpEnabledAt ??= d.Source;
    }

    /// <summary><c>tftp-root=DIR[,IFACE]</c>: a per-interface root overrides the global one for that interface.</summary>
    public static void ParseTftpRoot(DirectiveContext d)
    {
        var fields = d.Fields();
        var directory = QuotedText.Reveal(fields.Take() ?? "");
        if (directory.Length == 0)
        {
            d.Error("bad tftp-root", "write tftp-root=<directory>[,<interface>]");
            return;
        }
        if (fields.Rest is { } rest)
        {
            var interfaceName = QuotedText.Reveal(rest);
            if (!CheckInterfaceName(d, interfaceName))
            {
                return;
            }
            d.Config.Tftp = d.Config.Tftp with
            {
                InterfaceRoots = d.Config.Tftp.InterfaceRoots.SetItem(interfaceName, directory),
                InterfaceRootSources = d.Config.Tftp.InterfaceRootSources.SetItem(interfaceName, d.Source),
            };
            return;
        }
        if (d.Config.Tftp.Root is { } earlier)
        {
            d.Notice(ConfigNoticeKind.Warning, $"tftp-root given again: {directory} replaces {earlier}");
        }
        d.Config.Tftp = d.Config.Tftp with { Root = directory, RootSource = d.Source, Source = d.Config.Tftp.Source ?? d.Source };
    }

    /// <summary><c>tftp-unique-root[=ip|mac]</c>.</summary>
    public static void ParseTftpUniqueRoot(DirectiveContext d)
    {
        var mode = d.Value is null ? "ip" : QuotedText.Reveal(d.Value).ToLowerInvariant();
        TftpUniqueRoot? unique = mode switch
        {
            "ip" => TftpUniqueRoot.ByClientAddress,
            "mac" => TftpUniqueRoot.ByHardwareAddress,
            _ => null,
        };
        if (unique is null)
        {
            d.Error("bad tftp-unique-root", "write tftp-unique-root, tftp-unique-root=ip or tftp-unique-root=mac");
            return;
        }
        d.Config.Tftp = d.Config.Tftp with { UniqueRoot = unique.Value };
    }

    /// <summary><c>tftp-port-range=START,END</c> (swapped when given backwards, as dnsmasq does).</summary>
    public static void ParseTftpPortRange(DirectiveContext d)
    {
        var fields = FieldCursor.Split(d.Value).Select(QuotedText.Reveal).ToList();
        if (fields.Count != 2 || !fields.All(IsPort))
        {
            d.Error("bad port range", "write tftp-port-range=<first port>,<last port>");
            return;
        }
        var start = int.Parse(fields[0], System.Globalization.CultureInfo.InvariantCulture);
        var end = int.Parse(fields[1], System.Globalization.CultureInfo.InvariantCulture);
        d.Config.Tftp = d.Config.Tftp with { PortRange = (Math.Min(start, end), Math.Max(start, end)) };
    }

    /// <summary><c>dhcp-rate-limit=off</c> or <c>dhcp-rate-limit=&lt;per client&gt;[,&lt;new clients per interface&gt;]</c>
    /// (requests per second; 0 turns one off; the second keeps its default when left out).</summary>
    public static void ParseDhcpRateLimit(DirectiveContext d)
    {
        var fields = FieldCursor.Split(d.Value).Select(QuotedText.Reveal).ToList();
        if (fields is ["off"])
        {
            d.Config.DhcpRateLimit = DhcpRateLimitConfig.Off;
            return;
        }
        const int Maximum = 1_000_000;
        var numbers = fields.Select(f => f.Length is > 0 and <= 7 && f.All(char.IsAsciiDigit)
            ? int.Parse(f, System.Globalization.CultureInfo.InvariantCulture) : -1).ToList();
        if (numbers.Count is 0 or > 2 || numbers.Any(n => n is < 0 or > Maximum))
        {
            d.Error("bad dhcp-rate-limit",
                "write dhcp-rate-limit=<requests/s per client>[,<requests/s from new clients per interface>] (0 = no limit) or dhcp-rate-limit=off, e.g. dhcp-rate-limit=5,2000");
            return;
        }
        d.Config.DhcpRateLimit = new DhcpRateLimitConfig(numbers[0], numbers.Count == 2 ? numbers[1] : DhcpRateLimitConfig.Default.NewClientsPerInterface);
    }

    public static Action<DirectiveContext> Tftp(Func<TftpConfig, TftpConfig> change) => d => d.Config.Tftp = change(d.Config.Tftp);
}

using System.Globalization;
using System.Text;
using NetBoot.Configuration.Model;
using NetBoot.Configuration.Parsing;
using NetBoot.Wire.Dhcp;

namespace NetBoot.Configuration.Summary;

/// <summary>The readable account of a configuration that <c>netboot check</c> prints: what each range does, the PXE
/// menu per architecture with the file names clients will ask for, boot files, TFTP, the options proxy clients will
/// not receive, then the notices.</summary>
public static class ConfigSummary
{
    public static string Render(ServerConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        var text = new SummaryWriter();
        text.Line($"Configuration read from {Plural(config.SourceFiles.Length, "file")}: {(config.SourceFiles.IsEmpty ? "(command line only)" : string.Join(", ", config.SourceFiles))}");
        RenderRanges(text, config);
        Ipv6Summary.Render(text, config);
        RenderHostFiles(text, config);
        RenderHosts(text, config);
        PxeSummary.Render(text, config);
        RenderBootFiles(text, config);
        RenderTftp(text, config);
        RenderHttp(text, config);
        RenderStatus(text, config);
        OptionSummary.Render(text, config);
        RenderClassification(text, config);
        RenderNotices(text, config);
        return text.ToString();
    }

    internal static string Plural(int count, string noun) =>
        string.Create(CultureInfo.InvariantCulture, $"{count} {noun}{(count == 1 ? "" : "s")}");

    internal static string Tags(TagFilter filter) => filter.IsEmpty ? "" : $"  [{filter}]";

    private static void RenderRanges(SummaryWriter text, ServerConfig config)
    {
        text.Section("DHCP ranges");
        if (config.Ranges.IsEmpty)
        {
            text.Item(config.Ipv6.Ranges.Any(r => r.Modes.HasFlag(Dhcp6RangeModes.Dhcp))
                ? "none for IPv4: no DHCPv4 or PXE client will be answered (DHCPv6 clients are: see IPv6)"
                : "none: no client will be answered");
            return;
        }
        foreach (var range in config.Ranges)
        {
            var netmask = range.Netmask is { } mask ? $"netmask {mask}" : "netmask of the interface";
            var what = range.Mode switch
            {
                DhcpRangeMode.Proxy => $"{range.Start}  proxy: boot information only, addresses come from another DHCP server ({netmask})",
                DhcpRangeMode.Static => $"{range.Start}  static: addresses only from dhcp-host ({netmask})",
                _ => $"{range.Start} - {range.End}  leases of {Lease(range.LeaseTime)} ({netmask})",
            };
            var set = range.SetTag is { } tag ? $"  sets tag {tag}" : "";
            text.Item(what + set + Tags(range.Filter));
        }
    }

    /// <summary><c>dhcp-host</c> lines: who (MACs, client ids), what they get (address, name, lease time), the tags they
    /// set and need, and where each line is, so a reservation can be found and checked.</summary>
    private static void RenderHosts(SummaryWriter text, ServerConfig config)
    {
        if (config.Hosts.IsEmpty)
        {
            return;
        }
        text.Section($"dhcp-host ({Plural(config.Hosts.Length, "host")})");
        foreach (var host in config.Hosts)
        {
            text.Item(DescribeHost(host));
        }
    }

    /// <summary>Where hosts and options come from besides the configuration, and when a change there applies.</summary>
    private static void RenderHostFiles(SummaryWriter text, ServerConfig config)
    {
        if (config.DhcpFiles.IsEmpty && config.ReadEthers is null)
        {
            return;
        }
        text.Section("Host and option files (each line a dhcp-host or dhcp-option value)");
        foreach (var file in config.DhcpFiles)
        {
            var when = file.IsWatched
                ? "new and changed files apply at once; removed lines at SIGHUP"
                : "re-read at SIGHUP";
            text.Item($"{file.Directive}={file.Path}  {when}  ({file.Source})");
        }
        if (config.ReadEthers is { } ethers)
        {
            text.Item($"read-ethers: /etc/ethers  re-read at SIGHUP  ({ethers})");
        }
    }

    internal static string DescribeHost(DhcpHostConfig host)
    {
        var who = host.HardwareAddresses.Select(m => m.ToString())
            .Concat(host.ClientIds.Select(id => "id:" + string.Join(':', id.Select(b => b.ToString("x2", CultureInfo.InvariantCulture)))))
            .Concat(host.IgnoresClientId ? ["id:*"] : [])
            .ToList();
        var parts = new List<string> { who.Count == 0 ? "(any client)" : string.Join(",", who) };
        if (host.IsIgnored)
        {
            parts.Add("ignored: never answered");
        }
        else
        {
            parts.Add(host.Address is { } address ? address.ToString() : "address from a range");
            if (host.HostName is { } name)
            {
                parts.Add($"name {name}");
            }
            parts.Add(host.IsInfinite ? "lease infinite" : host.LeaseTime is { } lease ? $"lease {Lease(lease)}" : "lease of the range");
        }
        if (!host.SetTags.IsEmpty)
        {
            parts.Add($"sets tag {string.Join(", ", host.SetTags)}");
        }
        return string.Join("  ", parts) + Tags(host.Filter) + $"  ({host.Source})";
    }

    private static string Lease(TimeSpan? lease) => lease switch
    {
        null => "infinite length",
        { } l when l.TotalSeconds % 3600 == 0 => string.Create(CultureInfo.InvariantCulture, $"{l.TotalHours:0}h"),
        { } l when l.TotalSeconds % 60 == 0 => string.Create(CultureInfo.InvariantCulture, $"{l.TotalMinutes:0}m"),
        { } l => string.Create(CultureInfo.InvariantCulture, $"{l.TotalSeconds:0}s"),
    };

    private static void RenderBootFiles(SummaryWriter text, ServerConfig config)
    {
        text.Section("dhcp-boot (tagged lines are tried first; among matches the last line wins)");
        if (config.BootFiles.IsEmpty)
        {
            text.Item("none");
            return;
        }
        foreach (var boot in config.BootFiles)
        {
            var server = boot.ServerAddress is { } address ? $" from {address}" : "";
            var name = boot.ServerName is { } serverName ? $" (server name {serverName})" : "";
            text.Item($"{boot.FileName}{server}{name}{Tags(boot.Filter)}");
        }
        if (config.IsPxeEnabled)
        {
            text.Item("(PXE clients whose architecture has a matching menu boot from the menu; the file above is used when no entry matches)");
        }
    }

    private static void RenderTftp(SummaryWriter text, ServerConfig config)
    {
        text.Section("TFTP");
        var tftp = config.Tftp;
        if (!tftp.IsEnabled)
        {
            text.Item(tftp.Root is { } root
                ? $"off: tftp-root={root} is set but enable-tftp is absent (another TFTP server is expected to serve it)"
                : "off");
            return;
        }
        var interfaces = tftp.Interfaces.IsEmpty ? "every DHCP interface" : string.Join(", ", tftp.Interfaces);
        text.Item($"on ({interfaces}), root {tftp.Root ?? "(per interface only)"}, at most {tftp.MaxTransfers} transfers");
        foreach (var (interfaceName, root) in tftp.InterfaceRoots.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            text.Item($"root {root} for clients on {interfaceName}");
        }
    }

    private static void RenderHttp(SummaryWriter text, ServerConfig config)
    {
        if (!config.Http.IsEnabled && config.UefiDirectOffers.IsEmpty)
        {
            return;
        }
        text.Section("HTTP and UEFI");
        if (config.Http.IsEnabled)
        {
            text.Item(string.Create(CultureInfo.InvariantCulture,
                $"HTTP boot server on port {config.Http.Port}, root {config.Http.EffectiveRoot(config.Tftp) ?? "(none: set http-root or tftp-root)"}"));
            if (config.Http.MaxConnections != HttpConfig.DefaultMaxConnections || config.Http.MaxConnectionsPerClient != HttpConfig.DefaultMaxConnectionsPerClient)
            {
                var total = config.Http.MaxConnections == 0 ? "as many as the file descriptors allow" : string.Create(CultureInfo.InvariantCulture, $"at most {config.Http.MaxConnections}");
                var perClient = config.Http.MaxConnectionsPerClient == 0 ? "no limit" : config.Http.MaxConnectionsPerClient.ToString(CultureInfo.InvariantCulture);
                text.Item($"HTTP connections: {total} in all, {perClient} per client address (the file descriptor limit may lower the total)");
            }
        }
        foreach (var direct in config.UefiDirectOffers)
        {
            text.Item($"pxe-uefi-direct{Tags(direct.Filter)}: these UEFI clients get their boot file in the offer on port 67 (discovery control 8), not by way of port 4011");
        }
    }

    /// <summary><c>metrics-listen</c> / <c>dashboard-listen</c>: where to look, and whether it is reachable beyond this host.</summary>
    private static void RenderStatus(SummaryWriter text, ServerConfig config)
    {
        var status = config.Status;
        if (!status.IsEnabled)
        {
            return;
        }
        text.Section("Metrics and dashboard");
        if (status.Metrics is { } metrics)
        {
            text.Item($"Prometheus metrics at http://{metrics}/metrics" + (metrics.IsLoopback ? " (this host only)" : ""));
        }
        if (status.Dashboard is { } dashboard)
        {
            var access = status.DashboardToken is null ? "no token" : "token required (?token=…)";
            text.Item($"live dashboard at http://{dashboard}/, {access}" + (dashboard.IsLoopback ? " (this host only)" : ""));
        }
        var names = string.Join(", ", ["its address", "localhost", "this host's name", .. status.HostNames]);
        text.Item($"answers requests naming {names} (Host header; others get 421)");
    }

    private static void RenderClassification(SummaryWriter text, ServerConfig config)
    {
        var lines = new List<string>();
        lines.AddRange(config.Matches.Select(m => $"{m.SetTag} <- dhcp-match {DescribeMatch(m)}"));
        lines.AddRange(config.VendorClasses.Select(v => $"{v.SetTag} <- vendor class (option 60) contains \"{Encoding.UTF8.GetString(v.Pattern.AsSpan())}\""));
        lines.AddRange(config.UserClasses.Select(v => $"{v.SetTag} <- user class (option 77) contains \"{Encoding.UTF8.GetString(v.Pattern.AsSpan())}\""));
        lines.AddRange(config.MacMatches.Select(m => $"{m.SetTag} <- MAC {string.Join(':', m.Pattern.Select(b => b?.ToString("x2", CultureInfo.InvariantCulture) ?? "*"))}"));
        lines.AddRange(config.TagIfs.Select(t => $"{string.Join(", ", t.SetTags)} <- tag-if {(t.Filter.IsEmpty ? "(always)" : t.Filter.ToString())}"));
        lines.AddRange(config.Ignores.Select(i => $"ignored: clients with {i.Filter}"));
        if (lines.Count == 0)
        {
            return;
        }
        text.Section("Tags");
        foreach (var line in lines)
        {
            text.Item(line);
        }
    }

    private static string DescribeMatch(DhcpMatchConfig match)
    {
        var option = match.VendorIdentifyingEnterprise is { } enterprise
            ? $"vi-encap enterprise {enterprise}"
            : $"option {match.OptionCode} ({DhcpOptionCatalog.NameOf(match.OptionCode)})";
        return match.Value switch
        {
            null => option + " present",
            { Kind: DhcpMatchKind.Substring } v => $"{option} contains \"{Encoding.UTF8.GetString(v.Bytes.AsSpan())}\"",
            { Kind: DhcpMatchKind.HexPattern } v => $"{option} starts with {string.Join(':', v.Bytes.Select((b, i) => !v.Wildcards.IsDefaultOrEmpty && v.Wildcards[i] ? "*" : b.ToString("x2", CultureInfo.InvariantCulture)))}",
            { } v => $"{option} has element {Integer(v.Bytes)}",
        };
    }

    private static string Integer(IEnumerable<byte> bytes) =>
        bytes.Aggregate(0UL, (acc, b) => (acc << 8) | b).ToString(CultureInfo.InvariantCulture);

    private static void RenderNotices(SummaryWriter text, ServerConfig config)
    {
        (ConfigNoticeKind Kind, string Title)[] groups =
        [
            (ConfigNoticeKind.FileLineError, "Errors in host and option files (serve skips these lines and serves the rest)"),
            (ConfigNoticeKind.Warning, "Warnings"),
            (ConfigNoticeKind.NotInEffect, "Accepted, not in effect"),
            (ConfigNoticeKind.NotServedDns, "DNS directives (NetBoot serves no DNS)"),
            (ConfigNoticeKind.Ignored, "Ignored (no meaning for NetBoot)"),
        ];
        foreach (var (kind, title) in groups)
        {
            var notices = config.Notices.Where(n => n.Kind == kind)
                .OrderBy(n => n.Source.IsCommandLine ? -1 : config.SourceFiles.IndexOf(n.Source.File))
                .ThenBy(n => n.Source.Line)
                .ToList();
            if (notices.Count == 0)
            {
                continue;
            }
            text.Section(title);
            foreach (var notice in notices)
            {
                text.Item($"{notice.Directive}: {notice.Message} ({notice.Source})");
            }
        }
    }
}

/// <summary>Indented plain text with LF line ends, independent of the platform.</summary>
internal sealed class SummaryWriter
{
    private readonly StringBuilder _text = new();

    public void Line(string line) => _text.Append(line).Append('\n');

    public void Section(string title) => _text.Append('\n').Append(title).Append('\n');

    public void Item(string line, int depth = 1) => _text.Append(' ', depth * 2).Append(line).Append('\n');

    public override string ToString() => _text.ToString();
}

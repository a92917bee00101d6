using NetBoot.Configuration.Model;

namespace NetBoot.Configuration.Parsing;

/// <summary>Checks that need the whole configuration but not the machine: errors that dnsmasq would not catch but
/// NetBoot refuses, and warnings about configurations that parse yet serve nobody. What needs the machine (folders,
/// accounts, addresses) is checked by NetBoot.Hosting's ConfigValidator, after this.</summary>
internal static class ConfigConsistency
{
    public static void Validate(ConfigBuilder config)
    {
        CheckTftpRoot(config);
        WarnProxyWithoutPxe(config);
        WarnBootWithoutRange(config);
        WarnDuplicateOptions(config);
        WarnTagsNeverSet(config);
    }

    /// <summary>Tags dnsmasq sets by itself: <c>known</c>/<c>known-othernet</c> (a dhcp-host matched) and <c>bootp</c>.</summary>
    private static readonly string[] BuiltInTags = ["known", "known-othernet", "bootp"];

    /// <summary>A tag tested somewhere but set nowhere is usually a typo (<c>tag:ipxe</c> against <c>set:iPXE</c>).
    /// The request's interface name is a tag too, so interface names are never reported.</summary>
    private static void WarnTagsNeverSet(ConfigBuilder config)
    {
        var set = new HashSet<string>(BuiltInTags, StringComparer.Ordinal);
        set.UnionWith(config.Ranges.Select(r => r.SetTag).OfType<string>());
        set.UnionWith(config.Hosts.SelectMany(h => h.SetTags));
        set.UnionWith(config.Matches.Select(m => m.SetTag));
        set.UnionWith(config.VendorClasses.Concat(config.UserClasses).Concat(config.CircuitIds).Concat(config.RemoteIds)
            .Concat(config.SubscriberIds).Select(c => c.SetTag));
        set.UnionWith(config.MacMatches.Select(m => m.SetTag));
        set.UnionWith(config.Protocol.NameMatches.Select(m => m.SetTag));
        set.UnionWith(config.TagIfs.SelectMany(t => t.SetTags));
        set.UnionWith(config.InterfacesIncluded);
        var reported = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (directive, filter, source) in TestedFilters(config))
        {
            foreach (var condition in filter.Conditions)
            {
                if (condition.Name.Contains('*', StringComparison.Ordinal) || set.Contains(condition.Name) || !reported.Add(condition.Name))
                {
                    continue;
                }
                config.Notice(ConfigNoticeKind.Warning, directive,
                    $"tag '{condition.Name}' is tested but never set by this configuration (fine if it is an interface name)", source);
            }
        }
    }

    private static IEnumerable<(string Directive, TagFilter Filter, SourceLocation Source)> TestedFilters(ConfigBuilder config) =>
        config.Ranges.Select(r => ("dhcp-range", r.Filter, r.Source))
            .Concat(config.Hosts.Select(h => ("dhcp-host", h.Filter, h.Source)))
            .Concat(config.BootFiles.Select(b => ("dhcp-boot", b.Filter, b.Source)))
            .Concat(config.Options.Select(o => ("dhcp-option", o.Filter, o.Source)))
            .Concat(config.PxeServices.Select(p => ("pxe-service", p.Filter, p.Source)))
            .Concat(config.PxePrompts.Select(p => ("pxe-prompt", p.Filter, p.Source)))
            .Concat(config.TagIfs.Select(t => ("tag-if", t.Filter, t.Source)))
            .Concat(config.Ignores.Select(i => ("dhcp-ignore", i.Filter, i.Source)))
            .OrderBy(t => t.Source.Line);

    /// <summary>dnsmasq without tftp-root serves any readable file from <c>/</c>; NetBoot refuses to start that way.</summary>
    private static void CheckTftpRoot(ConfigBuilder config)
    {
        if (!config.Tftp.IsEnabled || config.Tftp.Root is not null || !config.Tftp.InterfaceRoots.IsEmpty)
        {
            return;
        }
        config.Error(
            "enable-tftp needs tftp-root: NetBoot does not serve from / as dnsmasq does",
            config.TftpEnabledAt ?? SourceLocation.CommandLine,
            "add tftp-root=<directory holding the boot files>, e.g. tftp-root=/srv/tftp");
    }

    // dnsmasq parity (CHANGELOG 2.51, src/dhcp.c): without pxe-service or pxe-prompt there is no PXE processing at all.
    private static void WarnProxyWithoutPxe(ConfigBuilder config)
    {
        if (config.PxeServices.Count > 0 || config.PxePrompts.Count > 0)
        {
            return;
        }
        foreach (var range in config.Ranges.Where(r => r.Mode == DhcpRangeMode.Proxy))
        {
            config.Notice(ConfigNoticeKind.Warning, "dhcp-range",
                $"proxy range {range.Start} will answer nobody: proxy replies and port 4011 need at least one pxe-service or pxe-prompt",
                range.Source);
        }
    }

    private static void WarnBootWithoutRange(ConfigBuilder config)
    {
        if (config.Ranges.Count > 0)
        {
            return;
        }
        var first = config.BootFiles.Select(b => (SourceLocation?)b.Source)
            .Concat(config.PxeServices.Select(s => (SourceLocation?)s.Source))
            .FirstOrDefault();
        if (first is { } source)
        {
            config.Notice(ConfigNoticeKind.Warning, "dhcp-range",
                "no dhcp-range: boot information is configured but no client will be answered", source);
        }
    }

    /// <summary>dnsmasq: "Ignoring duplicate dhcp-option %d" when two lines set the same option for the same tags.</summary>
    private static void WarnDuplicateOptions(ConfigBuilder config)
    {
        var seen = new Dictionary<string, DhcpOptionConfig>(StringComparer.Ordinal);
        foreach (var option in config.Options)
        {
            var key = string.Join('|', option.Code, option.VendorClass, option.EncapsulatingOption,
                option.VendorIdentifyingEnterprise, option.Directive == DhcpOptionDirective.Pxe, option.Filter);
            if (seen.TryGetValue(key, out var earlier))
            {
                config.Notice(ConfigNoticeKind.Warning, "dhcp-option",
                    $"duplicate dhcp-option {option.Code}: also set {earlier.Source}; only one of them is sent", option.Source);
            }
            seen[key] = option;
        }
    }
}

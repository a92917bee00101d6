namespace NetBoot.Configuration.Model;

public enum ConfigNoticeKind
{
    /// <summary>A DNS-only directive dnsmasq accepts; NetBoot serves no DNS.</summary>
    NotServedDns,
    /// <summary>Accepted (and validated where it has a grammar), but NetBoot does not act on it.</summary>
    NotInEffect,
    /// <summary>Accepted for compatibility; has no meaning for NetBoot.</summary>
    Ignored,
    /// <summary>A warning worth the administrator's attention (e.g. a repeated option).</summary>
    Warning,
    /// <summary>A line of a host or option file (<c>dhcp-hostsfile</c>, <c>dhcp-hostsdir</c>, /etc/ethers…), or such a
    /// file, that could not be read: skipped, the rest served (dnsmasq logs these and goes on). <c>check</c> fails on it.</summary>
    FileLineError,
}

/// <summary>Something <c>netboot check</c> reports about a valid configuration.</summary>
public sealed record ConfigNotice(ConfigNoticeKind Kind, string Directive, string Message, SourceLocation Source, string? Hint = null)
{
    /// <summary>dnsmasq's words for a file error: <c>bad dhcp-host at line 3 of FILE</c>.</summary>
    public string Describe() => Source.IsCommandLine ? Message : $"{Message} {Source}";
}

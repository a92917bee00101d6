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
}

/// <summary>Something <c>netboot check</c> reports about a valid configuration.</summary>
public sealed record ConfigNotice(ConfigNoticeKind Kind, string Directive, string Message, SourceLocation Source);

namespace NetBoot.Engine.Dhcp;

/// <summary>dnsmasq's rule for a host name it keeps from a client (option 12) and passes to <c>dhcp-script</c>:
/// <c>legal_hostname()</c> in util.c. The host part (up to the first dot) is letters and digits, with <c>-</c> and
/// <c>_</c> allowed after the first character, so a name can never read as a command-line option (<c>-rf</c>) or carry
/// a shell or lease-file metacharacter; the domain part may be any printable ASCII (<c>check_name()</c>: labels of at
/// most 63 characters, no control character, not blank). A name that breaks the rule is not cleaned up but dropped,
/// as dnsmasq drops it (rfc2131.c: <c>if (legal_hostname(...)) client_hostname = ...</c>).</summary>
public static class HostNameRules
{
    /// <summary>dnsmasq's MAXLABEL.</summary>
    public const int MaximumLabelLength = 63;

    /// <summary>dnsmasq's MAXDNAME.</summary>
    public const int MaximumNameLength = 1025;

    /// <summary>True when dnsmasq would keep <paramref name="name"/> (one trailing dot allowed). Unlike dnsmasq, an
    /// empty host part (<c>.example.org</c>) is not legal: there would be no name to record.</summary>
    public static bool IsLegal(string? name)
    {
        if (name is null)
        {
            return false;
        }
        var trimmed = name.EndsWith('.') ? name[..^1] : name;
        return trimmed.Length is > 0 and <= MaximumNameLength && IsDomainName(trimmed) && IsHostPart(HostPart(trimmed));
    }

    /// <summary>The host part of a legal name (up to the first dot), as dnsmasq passes it to <c>dhcp-script</c>.</summary>
    public static string HostPart(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        var dot = name.IndexOf('.', StringComparison.Ordinal);
        return dot < 0 ? name : name[..dot];
    }

    /// <summary>What follows the first dot (dnsmasq's <c>DNSMASQ_DOMAIN</c>), or null when there is none.</summary>
    public static string? DomainPart(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        var dot = name.IndexOf('.', StringComparison.Ordinal);
        var domain = dot < 0 ? "" : name[(dot + 1)..].TrimEnd('.');
        return domain.Length == 0 ? null : domain;
    }

    /// <summary>dnsmasq <c>check_name()</c> (built without IDN): ASCII, no control character, labels of at most 63
    /// characters, at least one character that is not a space.</summary>
    private static bool IsDomainName(string name)
    {
        var label = 0;
        var blank = true;
        foreach (var c in name)
        {
            if (c == '.')
            {
                label = 0;
                continue;
            }
            if (++label > MaximumLabelLength || !char.IsAscii(c) || char.IsControl(c))
            {
                return false;
            }
            blank &= c == ' ';
        }
        return !blank;
    }

    private static bool IsHostPart(string host) =>
        host.Length > 0 && char.IsAsciiLetterOrDigit(host[0]) && host.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_');
}

namespace NetBoot.Configuration.Parsing;

/// <summary>What makes a network interface name (<c>interface=</c>, <c>except-interface=</c>, <c>no-dhcp-interface=</c>,
/// <c>enable-tftp=</c>, <c>tftp-root=DIR,IFACE</c>) one the kernel could have: Linux <c>dev_valid_name</c>, plus dnsmasq's
/// trailing <c>*</c> wildcard.</summary>
public static class InterfaceNameSyntax
{
    /// <summary>IFNAMSIZ (16) less the terminating NUL.</summary>
    public const int MaximumLength = 15;

    /// <summary>Null when <paramref name="name"/> is valid, else what is wrong with it and what to write instead.</summary>
    public static string? Problem(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        var bare = name.EndsWith('*') ? name[..^1] : name;
        if (name.Length == 0)
        {
            return "an interface name cannot be empty";
        }
        if (name.Length > MaximumLength)
        {
            return $"interface names have at most {MaximumLength} characters (Linux IFNAMSIZ); list them with: ip link";
        }
        if (bare is "." or "..")
        {
            return "'.' and '..' are not interface names; list them with: ip link";
        }
        if (bare.Contains('*', StringComparison.Ordinal))
        {
            return "'*' is a wildcard only at the end of a name, e.g. interface=eth*";
        }
        if (bare.Contains(':', StringComparison.Ordinal))
        {
            // dnsmasq's manual: alias labels cannot be used with --interface; the address names them instead.
            return "an alias label (eth0:1) is not an interface: name the interface (eth0), or its address with listen-address=";
        }
        if (bare.Any(c => c == '/' || char.IsWhiteSpace(c) || char.IsControl(c)))
        {
            return "an interface name has no '/', space or control character; list them with: ip link";
        }
        return null;
    }
}

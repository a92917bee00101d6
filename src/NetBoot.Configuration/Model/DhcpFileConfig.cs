namespace NetBoot.Configuration.Model;

/// <summary>What the lines of a host or option file are: the value of a <c>dhcp-host</c> or of a <c>dhcp-option</c>.</summary>
public enum DhcpFileKind
{
    Hosts,
    Options,
}

/// <summary><c>dhcp-hostsfile</c>, <c>dhcp-optsfile</c> (a file, or a directory whose files are read in name order) and
/// <c>dhcp-hostsdir</c>, <c>dhcp-optsdir</c> (a directory, watched: new and changed files apply at once).</summary>
/// <param name="Path">The file or directory as written.</param>
/// <param name="IsWatched">The <c>…dir</c> form: the directory is watched with inotify (dnsmasq's <c>dynamic_dirs</c>).</param>
/// <param name="Source">Where the directive was written.</param>
public sealed record DhcpFileSource(string Path, DhcpFileKind Kind, bool IsWatched, SourceLocation Source)
{
    /// <summary>The directive that named this source, for messages.</summary>
    public string Directive => (Kind, IsWatched) switch
    {
        (DhcpFileKind.Hosts, false) => "dhcp-hostsfile",
        (DhcpFileKind.Hosts, true) => "dhcp-hostsdir",
        (DhcpFileKind.Options, false) => "dhcp-optsfile",
        _ => "dhcp-optsdir",
    };
}

using System.Collections.Immutable;

namespace NetBoot.Configuration.Model;

public enum TftpUniqueRoot
{
    None,
    ByClientAddress,
    ByHardwareAddress,
}

/// <summary>The <c>tftp-*</c> and <c>enable-tftp</c> directives.</summary>
public sealed record TftpConfig
{
    public bool IsEnabled { get; init; }
    /// <summary><c>enable-tftp=if1,if2</c>: empty = every interface DHCP listens on.</summary>
    public ImmutableArray<string> Interfaces { get; init; } = [];
    /// <summary>The global root (<c>tftp-root=DIR</c>); null when none is given.</summary>
    public string? Root { get; init; }
    /// <summary><c>tftp-root=DIR,IFACE</c>: per-interface roots that override the global one.</summary>
    public ImmutableDictionary<string, string> InterfaceRoots { get; init; } = ImmutableDictionary<string, string>.Empty;
    public TftpUniqueRoot UniqueRoot { get; init; }
    public bool IsSecure { get; init; }
    public bool NoFail { get; init; }
    public int MaxTransfers { get; init; } = 50;
    public (int Start, int End)? PortRange { get; init; }
    public bool SinglePort { get; init; }
    public bool LowerCase { get; init; }
    public bool NoBlockSize { get; init; }
    /// <summary><c>tftp-mtu</c>: caps the interface MTU used to clamp blksize.</summary>
    public int? Mtu { get; init; }
    public bool Quiet { get; init; }
    /// <summary>Windowsize cap (RFC 7440); dnsmasq uses 32.</summary>
    public int MaxWindowSize { get; init; } = 32;
    /// <summary>Off by default: symlinks that leave the root are refused.</summary>
    public bool FollowSymlinksOutsideRoot { get; init; }
    public SourceLocation? Source { get; init; }
}

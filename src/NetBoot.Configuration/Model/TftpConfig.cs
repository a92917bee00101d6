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
    /// <summary>The <c>tftp-root</c> line that set <see cref="Root"/>, for errors about that folder.</summary>
    public SourceLocation? RootSource { get; init; }
    /// <summary>The line of each per-interface root, keyed as <see cref="InterfaceRoots"/>.</summary>
    public ImmutableDictionary<string, SourceLocation> InterfaceRootSources { get; init; } = ImmutableDictionary<string, SourceLocation>.Empty;
    public TftpUniqueRoot UniqueRoot { get; init; }
    /// <summary><c>tftp-secure</c>: only files owned by the user NetBoot runs as are served (dnsmasq: when not root).</summary>
    public bool IsSecure { get; init; }
    public bool NoFail { get; init; }
    public int MaxTransfers { get; init; } = 50;
    /// <summary><c>tftp-port-range=A,B</c>: transfer sockets are bound in this range (firewalls).</summary>
    public (int Start, int End)? PortRange { get; init; }
    /// <summary><c>tftp-single-port</c>: every transfer runs on port 69, keyed by the client's address and port.</summary>
    public bool SinglePort { get; init; }
    public bool LowerCase { get; init; }
    public bool NoBlockSize { get; init; }
    /// <summary><c>tftp-mtu</c>: caps the interface MTU used to clamp blksize.</summary>
    public int? Mtu { get; init; }
    /// <summary><c>quiet-tftp</c>: no log line for files sent or not found (errors still logged).</summary>
    public bool Quiet { get; init; }
    /// <summary>Windowsize cap (RFC 7440); dnsmasq uses 32.</summary>
    public int MaxWindowSize { get; init; } = 32;
    /// <summary><c>tftp-follow-symlinks</c> (NetBoot's own): symlinks that leave the root are followed. Off by
    /// default: they are refused (some sites link kernels in from elsewhere and opt in).</summary>
    public bool FollowSymlinksOutsideRoot { get; init; }
    /// <summary><c>tftp-cache-size=MiB</c> (NetBoot's own): the memory bound of the block cache shared by every
    /// transfer of the same file; 0 reads each block from the file.</summary>
    public int CacheMegabytes { get; init; } = 16;
    /// <summary><c>tftp-busy-poll=µs</c> (NetBoot's own): how long a transfer on its own port polls for the next ACK
    /// before it sleeps in <c>recvfrom</c>, while no more transfers run than the CPUs NetBoot may use; zero never polls.
    /// It trades server CPU for lock-step speed; it does not apply under <c>tftp-single-port</c>.</summary>
    public TimeSpan BusyPoll { get; init; } = TimeSpan.FromMicroseconds(DefaultBusyPollMicroseconds);

    /// <summary>100 µs: with the server and the client pinned to different CPUs on an otherwise idle machine, lock-step
    /// went from 17.1 to 46.3 MB/s (tftpd-hpa 20.0) for 6 % more server CPU per MB (bench/tftp/busy-poll.sh, 2026-12-07;
    /// runs on a machine loaded by other builds could not tell, see bench/tftp/README.md).</summary>
    public const int DefaultBusyPollMicroseconds = 100;

    /// <summary>The longest <c>tftp-busy-poll</c>: beyond a LAN round trip polling only burns CPU.</summary>
    public const int MaxBusyPollMicroseconds = 1000;
    public SourceLocation? Source { get; init; }
}

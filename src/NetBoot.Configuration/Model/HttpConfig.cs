namespace NetBoot.Configuration.Model;

/// <summary>NetBoot's HTTP server for boot files (not a dnsmasq feature): <c>http-root=DIR</c> and
/// <c>http-port=N</c>. Either one turns it on; the root defaults to the TFTP root and the port to 80, so
/// <c>http-port=8080</c> alone serves the TFTP root over HTTP as well.</summary>
public sealed record HttpConfig
{
    public const int DefaultPort = 80;

    public bool IsEnabled { get; init; }
    /// <summary><c>http-root=DIR</c>; null = the global <c>tftp-root</c>.</summary>
    public string? Root { get; init; }
    /// <summary>The <c>http-root</c> line, for errors about that folder.</summary>
    public SourceLocation? RootSource { get; init; }
    public int Port { get; init; } = DefaultPort;
    public SourceLocation? Source { get; init; }

    /// <summary><c>http-max-connections=&lt;total&gt;[,&lt;per client&gt;]</c> (NetBoot only): a ceiling on concurrent
    /// connections, 0 = none but the file descriptors. The server lowers it to what its file descriptors allow
    /// (docs/hostile-input.md, "HTTP connection budget").</summary>
    public int MaxConnections { get; init; } = DefaultMaxConnections;

    /// <summary>The second value of <c>http-max-connections</c>: concurrent connections one client address may hold,
    /// 0 = no limit of its own (the total still applies).</summary>
    public int MaxConnectionsPerClient { get; init; } = DefaultMaxConnectionsPerClient;

    /// <summary>Firmware fetches its files one after another on one connection (iPXE, UEFI HTTP Boot), so 2048 clients
    /// may boot at the same moment; idle keep-alive connections make room for new clients when the table is full.</summary>
    public const int DefaultMaxConnections = 2048;

    /// <summary>A booting machine needs one or two connections; 32 leaves room for an installer fetching in parallel,
    /// and one address can then hold at most 1/64 of the default table.</summary>
    public const int DefaultMaxConnectionsPerClient = 32;

    /// <summary>The directory served: <see cref="Root"/>, else the TFTP root; null when neither is configured (the
    /// server then refuses to start rather than serve from '/').</summary>
    public string? EffectiveRoot(TftpConfig tftp) => Root ?? tftp?.Root;
}

/// <summary><c>pxe-uefi-direct[=tag:x,…]</c> (a NetBoot extension): UEFI clients whose tags match get their boot file
/// directly in the proxy OFFER on port 67 (option 43 = discovery control 8, siaddr and file), for firmware that never
/// asks port 4011 (HP, Dell; google/netboot#43). Without tags it applies to every UEFI client.</summary>
public sealed record PxeUefiDirectConfig
{
    public TagFilter Filter { get; init; } = TagFilter.None;
    public required SourceLocation Source { get; init; }
}

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
    public int Port { get; init; } = DefaultPort;
    public SourceLocation? Source { get; init; }

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

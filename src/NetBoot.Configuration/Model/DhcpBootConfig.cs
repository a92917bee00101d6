namespace NetBoot.Configuration.Model;

/// <summary><c>dhcp-boot=[tag:t,…]filename[,servername[,server address|tftp servername]]</c>.</summary>
public sealed record DhcpBootConfig
{
    public required string FileName { get; init; }
    public string? ServerName { get; init; }
    /// <summary>An IPv4 literal or a name to resolve (dnsmasq: /etc/hosts); null = this server.</summary>
    public string? ServerAddress { get; init; }
    public TagFilter Filter { get; init; } = TagFilter.None;
    public required SourceLocation Source { get; init; }
}

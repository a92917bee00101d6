using NetBoot.Configuration.Model;

namespace NetBoot.Leases;

/// <summary>Where the SQLite lease database lives: <c>dhcp-lease-db=sqlite:///PATH</c>, else next to
/// <c>dhcp-leasefile</c> (<c>FILE.sqlite</c>) when one is configured, else <c>/var/lib/netboot/leases.sqlite</c>;
/// <c>NETBOOT_LEASE_DB</c> overrides them all.</summary>
public static class LeaseDatabase
{
    public const string DefaultPath = "/var/lib/netboot/leases.sqlite";

    public const string EnvironmentVariable = "NETBOOT_LEASE_DB";

    public static string PathFor(ServerConfig config, string? overridePath = null)
    {
        ArgumentNullException.ThrowIfNull(config);
        if (!string.IsNullOrEmpty(overridePath))
        {
            return overridePath;
        }
        return config.LeaseDatabase is { Kind: LeaseDatabaseKind.Sqlite, Path: { } path } ? path
            : config.LeaseFile is { Length: > 0 } file ? file + ".sqlite"
            : DefaultPath;
    }

    /// <summary>Full DHCP is served (and a lease store needed) when some <c>dhcp-range</c> is not a proxy range.</summary>
    public static bool IsNeeded(ServerConfig config) =>
        config?.Ranges.Any(r => r.Mode != DhcpRangeMode.Proxy) ?? false;
}

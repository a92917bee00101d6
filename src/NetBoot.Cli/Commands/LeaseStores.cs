using Microsoft.Extensions.Logging;
using NetBoot.Configuration.Model;
using NetBoot.Engine.Dhcp6;
using NetBoot.Engine.Leases;
using NetBoot.Leases;
using NetBoot.Leases.Postgres;
using Npgsql;

namespace NetBoot.Cli.Commands;

/// <summary>Opens the lease store <c>dhcp-lease-db</c> names: SQLite by default (<c>NETBOOT_LEASE_DB</c> still overrides
/// its path), or the shared PostgreSQL store (migrated on start unless <c>?migrate=never</c>; when it cannot be reached
/// at start, the server starts anyway with DHCP leasing paused until it can).</summary>
internal static class LeaseStores
{
    public static bool IsPostgres(ServerConfig config) => config.LeaseDatabase is { Kind: LeaseDatabaseKind.Postgres };

    public static string SqlitePath(ServerConfig config) =>
        LeaseDatabase.PathFor(config, Environment.GetEnvironmentVariable(LeaseDatabase.EnvironmentVariable));

    public static string Describe(ServerConfig config) =>
        IsPostgres(config) ? config.LeaseDatabase!.ToString() : config.LeaseFileReadOnly ? "memory (leasefile-ro)" : SqlitePath(config);

    /// <summary>The store, or null when no range leases addresses; an error message (what, where, what to do) on failure.</summary>
    public static async Task<(ILeaseStore? Store, string? Error)> OpenAsync(ServerConfig config, ILoggerFactory loggers, CancellationToken cancellationToken)
    {
        if (!LeaseDatabase.IsNeeded(config))
        {
            return (null, null);
        }
        if (!IsPostgres(config))
        {
            // leasefile-ro: leases live in memory only, filled by dhcp-script init (dnsmasq writes no lease file then).
            var path = config.LeaseFileReadOnly ? ":memory:" : SqlitePath(config);
            try
            {
                return (SqliteLeaseStore.Open(path), null);
            }
            catch (Exception e) when (e is Microsoft.Data.Sqlite.SqliteException or IOException or UnauthorizedAccessException)
            {
                return (null, e is LeaseDatabaseCorruptException
                    ? e.Message
                    : $"cannot open the lease database {path}: {e.Message}: check that its folder exists, is writable by netboot (not a read-only mount) and has free space, or set another path with {LeaseDatabase.EnvironmentVariable}");
            }
        }
        var db = config.LeaseDatabase!;
        var password = PostgresConnection.ResolvePassword(db, Environment.GetEnvironmentVariable, out var passwordError);
        if (passwordError is not null)
        {
            // Refused like libpq refuses a loose ~/.pgpass, but as an error: the message names the file and the fix.
            return (null, $"lease database {db} ({db.Source}): {passwordError}");
        }
        try
        {
            var dataSource = PostgresConnection.CreateDataSource(PostgresConnection.ConnectionString(db, password));
            try
            {
                // A database that is down at start does not stop the server: proxy/PXE/TFTP/HTTP serve at once and DHCP
                // leasing waits for it (the store logs why and reconnects).
                var store = await PostgresLeaseStore.OpenOrWaitAsync(dataSource, db.ToString(), loggers.CreateLogger("netboot.leases"),
                    TimeProvider.System, db.MigratesOnStart, cancellationToken).ConfigureAwait(false);
                return (store, null);
            }
            catch
            {
                await dataSource.DisposeAsync().ConfigureAwait(false);
                throw;
            }
        }
        catch (Exception e) when (e is NpgsqlException or InvalidOperationException or TimeoutException or IOException)
        {
            return (null, $"cannot open the lease database {db} ({db.Source}): {e.Message}; check that PostgreSQL runs and that the password is in NETBOOT_DB_PASSWORD, PGPASSWORD or the passfile");
        }
    }

    /// <summary>The leases for <c>netboot leases</c>; null with an error when the database cannot be read.</summary>
    public static async Task<(IReadOnlyList<Lease>? Leases, string? Error)> ReadAsync(ServerConfig config, CancellationToken cancellationToken)
    {
        if (!IsPostgres(config))
        {
            var path = SqlitePath(config);
            return File.Exists(path) ? (SqliteLeaseStore.Read(path), null) : (null, $"no lease database at {path}");
        }
        var db = config.LeaseDatabase!;
        try
        {
            await using var dataSource = PostgresConnection.Open(db, Environment.GetEnvironmentVariable);
            return (await PostgresLeaseStore.ReadAllAsync(dataSource, cancellationToken).ConfigureAwait(false), null);
        }
        catch (Exception e) when (e is NpgsqlException or InvalidOperationException or TimeoutException or IOException)
        {
            return (null, $"cannot read the lease database {db}: {e.Message}");
        }
    }

    /// <summary>An IPv6 store is needed when some IPv6 <c>dhcp-range</c> serves DHCPv6 (stateful or stateless: the server
    /// DUID is kept in the store either way).</summary>
    public static bool NeedsIpv6Store(ServerConfig config) =>
        config?.Ipv6.Ranges.Any(r => r.Modes.HasFlag(Dhcp6RangeModes.Dhcp)) ?? false;

    /// <summary>The IPv6 (IA_NA) lease store next to <see cref="OpenAsync"/>'s, in the same database: the SQLite file
    /// (its own connection), the shared PostgreSQL database (its own pool; when it cannot be reached at start, DHCPv6
    /// leasing waits for it), or memory for <c>leasefile-ro</c>. Null when no range serves DHCPv6; an error message
    /// (what, where, what to do) on failure.</summary>
    public static async Task<(IIpv6LeaseStore? Store, string? Error)> OpenIpv6Async(ServerConfig config, ILoggerFactory loggers, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(loggers);
        if (!NeedsIpv6Store(config))
        {
            return (null, null);
        }
        if (!IsPostgres(config))
        {
            if (config.LeaseFileReadOnly)
            {
                return (new MemoryIpv6LeaseStore(), null);
            }
            var path = SqlitePath(config);
            try
            {
                return (SqliteIpv6LeaseStore.Open(path), null);
            }
            catch (Exception e) when (e is Microsoft.Data.Sqlite.SqliteException or IOException or UnauthorizedAccessException or InvalidOperationException)
            {
                return (null, e is LeaseDatabaseCorruptException
                    ? e.Message
                    : $"cannot open the lease database {path} for IPv6 leases: {e.Message}: check that its folder exists, is writable by netboot (not a read-only mount) and has free space, or set another path with {LeaseDatabase.EnvironmentVariable}");
            }
        }
        var db = config.LeaseDatabase!;
        var password = PostgresConnection.ResolvePassword(db, Environment.GetEnvironmentVariable, out var passwordError);
        if (passwordError is not null)
        {
            return (null, $"lease database {db} ({db.Source}): {passwordError}");
        }
        try
        {
            var dataSource = PostgresConnection.CreateDataSource(PostgresConnection.ConnectionString(db, password));
            try
            {
                var store = await PostgresIpv6LeaseStore.OpenOrWaitAsync(dataSource, db.ToString(), loggers.CreateLogger("netboot.leases"),
                    TimeProvider.System, db.MigratesOnStart, cancellationToken).ConfigureAwait(false);
                return (store, null);
            }
            catch
            {
                await dataSource.DisposeAsync().ConfigureAwait(false);
                throw;
            }
        }
        catch (Exception e) when (e is NpgsqlException or InvalidOperationException or TimeoutException or IOException)
        {
            return (null, $"cannot open the lease database {db} ({db.Source}) for IPv6 leases: {e.Message}; check that PostgreSQL runs and that the password is in NETBOOT_DB_PASSWORD, PGPASSWORD or the passfile");
        }
    }

    /// <summary>The IPv6 leases for <c>netboot leases</c> (none when the database has no IPv6 table yet); null with an
    /// error when the database cannot be read.</summary>
    public static async Task<(IReadOnlyList<Ipv6Lease>? Leases, string? Error)> ReadIpv6Async(ServerConfig config, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(config);
        if (!IsPostgres(config))
        {
            var path = SqlitePath(config);
            return File.Exists(path) ? (SqliteIpv6LeaseStore.Read(path), null) : (null, $"no lease database at {path}");
        }
        var db = config.LeaseDatabase!;
        try
        {
            await using var dataSource = PostgresConnection.Open(db, Environment.GetEnvironmentVariable);
            return (await PostgresIpv6LeaseStore.ReadAllAsync(dataSource, cancellationToken).ConfigureAwait(false), null);
        }
        catch (Exception e) when (e is NpgsqlException or InvalidOperationException or TimeoutException or IOException)
        {
            return (null, $"cannot read the lease database {db}: {e.Message}");
        }
    }
}

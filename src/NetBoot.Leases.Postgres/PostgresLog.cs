using Microsoft.Extensions.Logging;

namespace NetBoot.Leases.Postgres;

/// <summary>The PostgreSQL store's log lines (event ids 4100-4119; 4109-4113 for IPv6 leases): greppable for "lease database".</summary>
internal static partial class PostgresLog
{
    [LoggerMessage(4100, LogLevel.Error, "lease database {Database} unavailable: {Reason}; DHCP leasing paused (no OFFER, ACK or NAK without the database), proxyDHCP, PXE, TFTP and HTTP go on; reconnecting with backoff (at most every {MaximumSeconds} s): check that PostgreSQL runs and accepts connections at {Database}")]
    public static partial void Unavailable(ILogger logger, string database, string reason, double maximumSeconds);

    [LoggerMessage(4105, LogLevel.Error, "lease database {Database} unreachable at start: {Reason}; serving proxyDHCP, PXE, TFTP and HTTP now, DHCP leasing paused until it is reachable (reconnecting with backoff, at most every {MaximumSeconds} s; the schema is checked, and migrated if allowed, then): start PostgreSQL or fix the host/port in dhcp-lease-db")]
    public static partial void UnavailableAtStart(ILogger logger, string database, string reason, double maximumSeconds);

    [LoggerMessage(4106, LogLevel.Warning, "lease database {Database} still unavailable after {Attempts} attempts: {Reason}; next attempt in {RetrySeconds} s")]
    public static partial void StillUnavailable(ILogger logger, string database, int attempts, string reason, double retrySeconds);

    [LoggerMessage(4107, LogLevel.Warning, "DHCP paused: {Count} lease request(s) left unanswered because the lease database {Database} is unavailable (this line at most every {IntervalSeconds} s)")]
    public static partial void Paused(ILogger logger, int count, string database, double intervalSeconds);

    [LoggerMessage(4108, LogLevel.Information, "lease database {Database}: schema migrated from version {From} to {To}")]
    public static partial void Migrated(ILogger logger, string database, int from, int to);

    [LoggerMessage(4101, LogLevel.Warning, "lease database {Database} reachable again; leases reloaded ({Count})")]
    public static partial void Reconnected(ILogger logger, string database, int count);

    [LoggerMessage(4102, LogLevel.Warning, "lease conflict: {Address} for {Client} is held by another server's client; no ACK, view refreshed")]
    public static partial void Conflict(ILogger logger, string address, string client);

    [LoggerMessage(4103, LogLevel.Information, "lease database {Database}: {Count} lease(s) loaded, schema version {Version}, server id {Origin}")]
    public static partial void Opened(ILogger logger, string database, int count, int version, string origin);

    [LoggerMessage(4104, LogLevel.Warning, "lease database {Database}: change notifications lost ({Reason}); listening again in {RetrySeconds} s")]
    public static partial void ListenLost(ILogger logger, string database, string reason, double retrySeconds);

    [LoggerMessage(4109, LogLevel.Error, "lease database {Database} unavailable for IPv6 leases: {Reason}; DHCPv6 leasing paused (no ADVERTISE or REPLY about addresses without the database), reconnecting with backoff (at most every {MaximumSeconds} s): check that PostgreSQL runs and accepts connections at {Database}")]
    public static partial void Unavailable6(ILogger logger, string database, string reason, double maximumSeconds);

    [LoggerMessage(4110, LogLevel.Warning, "lease database {Database} reachable again; IPv6 leases reloaded ({Count})")]
    public static partial void Reconnected6(ILogger logger, string database, int count);

    [LoggerMessage(4111, LogLevel.Warning, "IPv6 lease conflict: {Address} for DUID {Duid} IAID {Iaid} is held by another server's client; no REPLY, view refreshed")]
    public static partial void Conflict6(ILogger logger, string address, string duid, uint iaid);

    [LoggerMessage(4112, LogLevel.Information, "lease database {Database}: {Count} IPv6 lease(s) loaded, server id {Origin}")]
    public static partial void Opened6(ILogger logger, string database, int count, string origin);

    [LoggerMessage(4113, LogLevel.Error, "lease database {Database} unreachable at start for IPv6 leases: {Reason}; DHCPv6 leasing paused until it is reachable (reconnecting with backoff, at most every {MaximumSeconds} s; the schema is checked, and migrated if allowed, then): start PostgreSQL or fix the host/port in dhcp-lease-db")]
    public static partial void UnavailableAtStart6(ILogger logger, string database, string reason, double maximumSeconds);

    [LoggerMessage(4114, LogLevel.Warning, "lease database {Database} unreachable ({Reason}): the server DUID of {Server} could not be read; using {Duid} until restart (stored when the database is back, unless one is stored already): clients bound under a stored DUID will rebind")]
    public static partial void ServerDuidUnstored(ILogger logger, string database, string server, string duid, string reason);
}

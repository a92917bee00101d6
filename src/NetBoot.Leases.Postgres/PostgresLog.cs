using Microsoft.Extensions.Logging;

namespace NetBoot.Leases.Postgres;

/// <summary>The PostgreSQL store's log lines (event ids 4100-4119): greppable for "lease database".</summary>
internal static partial class PostgresLog
{
    [LoggerMessage(4100, LogLevel.Error, "lease database {Database} unavailable: {Reason}; new DHCP clients wait (no ACK without a durable lease), retrying in {RetrySeconds} s")]
    public static partial void Unavailable(ILogger logger, string database, string reason, double retrySeconds);

    [LoggerMessage(4101, LogLevel.Warning, "lease database {Database} reachable again; leases reloaded ({Count})")]
    public static partial void Reconnected(ILogger logger, string database, int count);

    [LoggerMessage(4102, LogLevel.Warning, "lease conflict: {Address} for {Client} is held by another server's client; no ACK, view refreshed")]
    public static partial void Conflict(ILogger logger, string address, string client);

    [LoggerMessage(4103, LogLevel.Information, "lease database {Database}: {Count} lease(s) loaded, schema version {Version}, server id {Origin}")]
    public static partial void Opened(ILogger logger, string database, int count, int version, string origin);

    [LoggerMessage(4104, LogLevel.Warning, "lease database {Database}: change notifications lost ({Reason}); listening again in {RetrySeconds} s")]
    public static partial void ListenLost(ILogger logger, string database, string reason, double retrySeconds);
}

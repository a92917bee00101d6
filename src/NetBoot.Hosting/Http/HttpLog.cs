using Microsoft.Extensions.Logging;

namespace NetBoot.Hosting.Http;

/// <summary>The HTTP server's log lines (event ids 13xx): one per request, in the spirit of TFTP's "sent FILE to
/// CLIENT", so <c>grep 'HTTP GET'</c> lists every transfer.</summary>
internal static partial class HttpLog
{
    [LoggerMessage(1400, LogLevel.Information, "HTTP listening on {Endpoints}, serving {Root}")]
    public static partial void Listening(ILogger logger, string endpoints, string root);

    [LoggerMessage(1401, LogLevel.Information, "HTTP {Method} {Path} from {Client}: {Status} sent {File}, {Bytes} bytes{Range}")]
    public static partial void Sent(ILogger logger, string method, string path, string client, int status, string file, long bytes, string range);

    [LoggerMessage(1402, LogLevel.Warning, "HTTP {Method} {Path} from {Client}: {Status} {Reason}")]
    public static partial void Refused(ILogger logger, string method, string path, string client, int status, string reason);

    [LoggerMessage(1403, LogLevel.Warning, "HTTP {Method} {Path} from {Client}: failed sending {File}: client went away")]
    public static partial void Aborted(ILogger logger, string method, string path, string client, string file);

    [LoggerMessage(1404, LogLevel.Error, "HTTP root {Root} inaccessible: the HTTP server does not start")]
    public static partial void RootMissing(ILogger logger, string root);

    [LoggerMessage(1440, LogLevel.Information,
        "HTTP connection budget: {Capacity} connections, {PerClient} per client address ({Why}; file descriptors: soft limit {Limit}, {Reserve} kept for DHCP, TFTP and the rest)")]
    public static partial void Budget(ILogger logger, int capacity, int perClient, string why, long limit, long reserve);

    [LoggerMessage(1441, LogLevel.Warning,
        "HTTP connection budget: the file descriptor limit {Limit} leaves too few beside the {Reserve} kept for DHCP, TFTP and the rest; HTTP keeps {Capacity} connections anyway; raise LimitNOFILE (systemd) or ulimit -n")]
    public static partial void DescriptorLimitTooLow(ILogger logger, long limit, long reserve, int capacity);

    [LoggerMessage(1442, LogLevel.Warning,
        "HTTP connection limit reached ({What}, from {Client}): connections beyond {PerClient} per client address or {Capacity} in all are refused, idle ones make room for new clients; a summary follows every {Seconds}s while it lasts; tune with http-max-connections=")]
    public static partial void LimitReached(ILogger logger, string what, string client, int perClient, int capacity, int seconds);

    [LoggerMessage(1443, LogLevel.Warning,
        "HTTP connection limit: {Refused} connections refused in the last {Seconds}s ({OverClient} over {PerClient} per client address, the last from {Client}; {Full} with all {Capacity} busy); {Evicted} idle connections closed to make room")]
    public static partial void LimitSummary(ILogger logger, int refused, int seconds, int overClient, int perClient, string client, int full, int capacity, int evicted);

    [LoggerMessage(1444, LogLevel.Error,
        "HTTP cannot accept connections: {Error} ({Code}; {Suppressed} more since the last line); retrying in {Delay} ms; {Open} HTTP connections open, file descriptor limit {Limit}")]
    public static partial void AcceptFailed(ILogger logger, string error, string code, int suppressed, int delay, int open, long limit);
}

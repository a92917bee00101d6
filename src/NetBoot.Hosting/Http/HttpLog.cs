using Microsoft.Extensions.Logging;

namespace NetBoot.Hosting.Http;

/// <summary>The HTTP server's log lines (event ids 13xx): one per request, in the spirit of TFTP's "sent FILE to
/// CLIENT", so <c>grep 'HTTP GET'</c> lists every transfer.</summary>
internal static partial class HttpLog
{
    [LoggerMessage(1300, LogLevel.Information, "HTTP listening on {Endpoints}, serving {Root}")]
    public static partial void Listening(ILogger logger, string endpoints, string root);

    [LoggerMessage(1301, LogLevel.Information, "HTTP {Method} {Path} from {Client}: {Status} sent {File}, {Bytes} bytes{Range}")]
    public static partial void Sent(ILogger logger, string method, string path, string client, int status, string file, long bytes, string range);

    [LoggerMessage(1302, LogLevel.Warning, "HTTP {Method} {Path} from {Client}: {Status} {Reason}")]
    public static partial void Refused(ILogger logger, string method, string path, string client, int status, string reason);

    [LoggerMessage(1303, LogLevel.Warning, "HTTP {Method} {Path} from {Client}: failed sending {File}: client went away")]
    public static partial void Aborted(ILogger logger, string method, string path, string client, string file);

    [LoggerMessage(1304, LogLevel.Error, "HTTP root {Root} inaccessible: the HTTP server does not start")]
    public static partial void RootMissing(ILogger logger, string root);
}

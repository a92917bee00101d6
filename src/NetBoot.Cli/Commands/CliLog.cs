using Microsoft.Extensions.Logging;

namespace NetBoot.Cli.Commands;

internal static partial class CliLog
{
    [LoggerMessage(1, LogLevel.Warning, "{Directive} {Source}: {Message}")]
    public static partial void Notice(ILogger logger, string directive, string source, string message);

    [LoggerMessage(2, LogLevel.Information, "started, version {Version}")]
    public static partial void Started(ILogger logger, string version);

    [LoggerMessage(3, LogLevel.Critical, "FAILED to start up: {Reason}")]
    public static partial void FailedToStart(ILogger logger, string reason);

    [LoggerMessage(4, LogLevel.Information, "exiting on request")]
    public static partial void Exiting(ILogger logger);
}

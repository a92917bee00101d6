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

    [LoggerMessage(9, LogLevel.Critical, "FAILED to start up: {Reason}; {Hint}")]
    public static partial void FailedToStartWithHint(ILogger logger, string reason, string hint);

    [LoggerMessage(4, LogLevel.Information, "exiting on request")]
    public static partial void Exiting(ILogger logger);

    [LoggerMessage(5, LogLevel.Information, "{Directive} {Source}: {Message}")]
    public static partial void Info(ILogger logger, string directive, string source, string message);

    [LoggerMessage(6, LogLevel.Error, "reload refused, still serving the previous configuration: {Error} ({Hint})")]
    public static partial void ReloadRejected(ILogger logger, string error, string hint);

    [LoggerMessage(7, LogLevel.Information, "configuration reloaded from {Sources}")]
    public static partial void Reloaded(ILogger logger, string sources);

    [LoggerMessage(8, LogLevel.Information, "file descriptor limit raised from {Before} to the hard limit {After}")]
    public static partial void DescriptorLimitRaised(ILogger logger, ulong before, ulong after);

    [LoggerMessage(40, LogLevel.Information, "log file {Path} reopened (SIGUSR2)")]
    public static partial void LogReopened(ILogger logger, string path);

    [LoggerMessage(41, LogLevel.Error, "cannot reopen the log file {Path}: {Reason}; still writing to the file opened before")]
    public static partial void LogReopenFailed(ILogger logger, string path, string reason);

    [LoggerMessage(42, LogLevel.Warning, "cannot remove the pid file {Path}: {Reason}")]
    public static partial void PidFileNotRemoved(ILogger logger, string path, string reason);

    [LoggerMessage(43, LogLevel.Information, "{Count} leases read from {Script} init (leasefile-ro)")]
    public static partial void LeaseInitLoaded(ILogger logger, int count, string script);

    [LoggerMessage(44, LogLevel.Warning, "ignoring invalid line in lease database: {LeaseLine}")]
    public static partial void LeaseInitLineIgnored(ILogger logger, string leaseLine);
}

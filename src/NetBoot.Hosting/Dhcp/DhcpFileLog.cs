using Microsoft.Extensions.Logging;

namespace NetBoot.Hosting.Dhcp;

/// <summary>Host and option files (<c>dhcp-hostsfile</c>, <c>dhcp-hostsdir</c>, <c>dhcp-optsdir</c>, /etc/ethers…).</summary>
public static partial class DhcpFileLog
{
    [LoggerMessage(1860, LogLevel.Information, "inotify: {Path} new or modified: {Hosts} dhcp-host and {Options} dhcp-option line(s) applied (removed lines stay in effect until SIGHUP)")]
    public static partial void Applied(ILogger logger, string path, int hosts, int options);

    /// <summary>dnsmasq's words (<c>bad dhcp-host at line 3 of FILE</c>), then what NetBoot did about it.</summary>
    [LoggerMessage(1861, LogLevel.Error, "{Error}: {Hint}; that line is skipped, the rest is served")]
    public static partial void LineRejected(ILogger logger, string error, string hint);

    [LoggerMessage(1862, LogLevel.Information, "watching {Directory} ({Directive}): new and changed files apply at once, removals at SIGHUP")]
    public static partial void Watching(ILogger logger, string directory, string directive);

    [LoggerMessage(1863, LogLevel.Error, "cannot watch {Directory} ({Directive}): {Reason}; its files are read at start-up and SIGHUP only")]
    public static partial void CannotWatch(ILogger logger, string directory, string directive, string reason);
}

using Microsoft.Extensions.Logging;
using NetBoot.Configuration.Model;
using NetBoot.Hosting.Telemetry;

namespace NetBoot.Hosting.Privileges;

/// <summary>The log lines about <c>user=</c>/<c>group=</c>.</summary>
public static class PrivilegeNotes
{
    public static void RunningAsRoot(ILogger logger) => RuntimeLog.RunningAsRoot(logger);

    public static void Dropped(ILogger logger, PrivilegeTarget target)
    {
        ArgumentNullException.ThrowIfNull(target);
        RuntimeLog.PrivilegesDropped(logger, target.User, target.Uid, target.Group, target.Gid);
    }

    /// <summary>C: <c>user=</c> given, but NetBoot is not root, so it cannot become another account.</summary>
    public static void CannotDrop(ILogger logger, ServerConfig config, uint uid, PrivilegeTarget target)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(target);
        RuntimeLog.CannotDropNotRoot(logger, $"user={target.User}", (config.UserSource ?? SourceLocation.CommandLine).ToString(), uid,
            "start NetBoot as root to switch to that account, or run it as that account (the systemd unit's User=) and remove user=");
    }
}

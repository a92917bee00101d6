using Microsoft.Extensions.Logging;

namespace NetBoot.Hosting.Telemetry;

/// <summary>Lines about the process itself while it runs: interfaces that come, change and go, and the privilege drop (ids 1700–1719).</summary>
internal static partial class RuntimeLog
{
    [LoggerMessage(1700, LogLevel.Information, "interface {Interface} addresses changed: {Before} -> {After}")]
    public static partial void AddressesChanged(ILogger logger, string @interface, string before, string after);

    [LoggerMessage(1701, LogLevel.Warning, "cannot read the interfaces after an address change ({Reason}); still using the previous addresses")]
    public static partial void AddressRefreshFailed(ILogger logger, string reason);

    [LoggerMessage(1705, LogLevel.Warning, "cannot watch for address changes ({Reason}): replies keep the addresses read at start-up; restart after renumbering")]
    public static partial void AddressWatchUnavailable(ILogger logger, string reason);

    [LoggerMessage(1702, LogLevel.Information, "{Service}({Interface}) now answers as {Address}")]
    public static partial void ServingAddressChanged(ILogger logger, string service, string @interface, string address);

    [LoggerMessage(1703, LogLevel.Warning, "{Service}({Interface}) has no address in a dhcp-range subnet any more: not answering there until it has one")]
    public static partial void ServingAddressLost(ILogger logger, string service, string @interface);

    [LoggerMessage(1704, LogLevel.Warning, "{Service}({Interface}) request from {Source} not answered: the interface has no address in a dhcp-range subnet (logged once until the address changes)")]
    public static partial void NotAnsweringWithoutAddress(ILogger logger, string service, string @interface, string source);

    [LoggerMessage(1706, LogLevel.Information, "interface {Interface} is gone (it had {Addresses}); any sockets on it are closed")]
    public static partial void InterfaceGone(ILogger logger, string @interface, string addresses);

    [LoggerMessage(1707, LogLevel.Warning, "waiting for interface {Interface}: it does not currently exist ({Mode}); it is served as soon as it appears")]
    public static partial void WaitingForInterface(ILogger logger, string @interface, string mode);

    [LoggerMessage(1708, LogLevel.Warning, "interface {Interface} appeared after start: not listening on it (bind-interfaces binds the interfaces present at start; use bind-dynamic to follow new ones)")]
    public static partial void NotFollowingNewInterface(ILogger logger, string @interface);

    [LoggerMessage(1709, LogLevel.Debug, "{Service} stopped listening on {Interface}: the interface is gone")]
    public static partial void StoppedListening(ILogger logger, string service, string @interface);

    [LoggerMessage(1713, LogLevel.Error, "internal error while following an interface change; the other services still follow it")]
    public static partial void ChangeHandlerFailed(ILogger logger, Exception exception);

    [LoggerMessage(1710, LogLevel.Information, "dropped privileges to user {User} (uid {Uid}), group {Group} (gid {Gid}); no capabilities kept")]
    public static partial void PrivilegesDropped(ILogger logger, string user, uint uid, string group, uint gid);

    [LoggerMessage(1711, LogLevel.Warning, "{Directive} {Source}: ignored, NetBoot is not running as root (uid {Uid}) and cannot change user or group; {Advice}")]
    public static partial void CannotDropNotRoot(ILogger logger, string directive, string source, uint uid, string advice);

    [LoggerMessage(1712, LogLevel.Information, "running as root: give user= (e.g. user=netboot) to drop privileges once the sockets are bound")]
    public static partial void RunningAsRoot(ILogger logger);
}

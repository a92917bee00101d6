using Microsoft.Extensions.Logging;
using NetBoot.Engine.Ra;
using NetBoot.Wire.Icmp6;

namespace NetBoot.Hosting.Ra;

/// <summary>Router advertisement log lines, worded as dnsmasq's radv.c writes them (<c>RTR-ADVERT(eth0) 2001:db8::</c>,
/// <c>RTR-SOLICIT(eth0) 52:54:00:12:34:56</c>); <c>quiet-ra</c> silences those two.</summary>
internal static partial class RaLog
{
    [LoggerMessage(4400, LogLevel.Information, "RTR-ADVERT({Interface}) {AdvertisedPrefix}")]
    public static partial void Advertised(ILogger logger, string @interface, string advertisedPrefix);

    [LoggerMessage(4401, LogLevel.Information, "RTR-SOLICIT({Interface}) {ClientMac}")]
    public static partial void Solicited(ILogger logger, string @interface, string clientMac);

    [LoggerMessage(4402, LogLevel.Information, "router advertisements on {Interface} from {Source}, at most every {IntervalSeconds} s, router lifetime {LifetimeSeconds} s")]
    public static partial void Advertising(ILogger logger, string @interface, string source, int intervalSeconds, int lifetimeSeconds);

    [LoggerMessage(4403, LogLevel.Debug, "no router advertisements on {Interface}: {Reason}")]
    public static partial void NotAdvertising(ILogger logger, string @interface, RaNotSentReason reason);

    [LoggerMessage(4404, LogLevel.Error, "cannot send a router advertisement on {Interface} to {Destination}: {Reason}")]
    public static partial void SendFailed(ILogger logger, string @interface, string destination, string reason);

    [LoggerMessage(4405, LogLevel.Critical, "cannot create ICMPv6 socket for router advertisements: {Reason}; {Hint}")]
    public static partial void CannotOpen(ILogger logger, string reason, string hint);

    [LoggerMessage(4406, LogLevel.Debug, "malformed router solicitation from {Source} on {Interface} dropped: {Reason}")]
    public static partial void Malformed(ILogger logger, string source, string @interface, Icmp6DecodeError reason);

    [LoggerMessage(4408, LogLevel.Warning, "router solicitations on {Interface} over {Limit}/s are not answered ({Suppressed} more since the last such line); unsolicited advertisements go on")]
    public static partial void SolicitationsShed(ILogger logger, string @interface, int limit, int suppressed);

    [LoggerMessage(4407, LogLevel.Warning, "cannot hear router solicitations on {Interface} (joining ff02::2 failed): {Reason}")]
    public static partial void CannotJoin(ILogger logger, string @interface, string reason);
}

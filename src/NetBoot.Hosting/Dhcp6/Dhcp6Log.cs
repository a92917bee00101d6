using Microsoft.Extensions.Logging;

namespace NetBoot.Hosting.Dhcp6;

/// <summary>DHCPv6 log lines in dnsmasq's wording, to grep as one greps dnsmasq's:
/// <c>DHCPSOLICIT(eth0) 00:01:00:01:…</c>, <c>DHCPREPLY(eth0) 2001:db8::5 00:01:00:01:…</c>.</summary>
internal static partial class Dhcp6Log
{
    [LoggerMessage(1650, LogLevel.Information, "{MessageType}({Interface}) {Client}")]
    public static partial void Received(ILogger logger, string messageType, string @interface, string client);

    /// <summary>An ADVERTISE or REPLY: the addresses it gives (or the responder's summary when it gives none).</summary>
    [LoggerMessage(1651, LogLevel.Information, "{MessageType}({Interface}) {Addresses} {Client}")]
    public static partial void Replied(ILogger logger, string messageType, string @interface, string addresses, string client);

    [LoggerMessage(1652, LogLevel.Information, "{MessageType}({Interface}) {Client} no reply: {Reason}")]
    public static partial void NotAnswered(ILogger logger, string messageType, string @interface, string client, string reason);

    /// <summary>Normal on a network with several servers (a REQUEST for another one), so not logged by default.</summary>
    [LoggerMessage(1653, LogLevel.Debug, "{MessageType}({Interface}) {Client} not for this server: {Reason}")]
    public static partial void ForAnotherServer(ILogger logger, string messageType, string @interface, string client, string reason);

    [LoggerMessage(1654, LogLevel.Warning, "malformed DHCPv6 packet from {Source} on {Interface} dropped: {Reason} (further ones are not logged for {Minutes} min)")]
    public static partial void Malformed(ILogger logger, string source, string @interface, string reason, int minutes);

    [LoggerMessage(1655, LogLevel.Error, "DHCPv6 lease for {Addresses} could not be made durable, reply not sent: {Reason}")]
    public static partial void NotDurable(ILogger logger, string addresses, string reason);

    [LoggerMessage(1656, LogLevel.Information, "DHCPv6 server DUID {Duid}")]
    public static partial void ServerDuid(ILogger logger, string duid);

    [LoggerMessage(1657, LogLevel.Warning, "no interface has a global IPv6 address on a DHCPv6 dhcp-range yet: DHCPv6 starts answering on one as soon as it has (interfaces: {Interfaces})")]
    public static partial void NoInterface(ILogger logger, string interfaces);

    [LoggerMessage(1658, LogLevel.Information, "DHCPv6 lease {Address} {Client} expired")]
    public static partial void Expired(ILogger logger, string address, string client);

    [LoggerMessage(1659, LogLevel.Error, "cannot listen for DHCPv6 on [::]:{Port}: {Reason}; {Hint}")]
    public static partial void CannotListen(ILogger logger, int port, string reason, string hint);

    [LoggerMessage(1660, LogLevel.Error, "receiving DHCPv6 failed: {Reason}; retrying")]
    public static partial void ReceiveFailed(ILogger logger, string reason);

    [LoggerMessage(1661, LogLevel.Warning, "cannot join ff02::1:2 on {Interface}: {Reason}; DHCPv6 clients there are not heard")]
    public static partial void JoinFailed(ILogger logger, string @interface, string reason);

    [LoggerMessage(1662, LogLevel.Debug, "DHCPv6 message from {Source} on {Interface} ignored: no DHCPv6 range on that interface")]
    public static partial void NotServedInterface(ILogger logger, string source, string @interface);
}

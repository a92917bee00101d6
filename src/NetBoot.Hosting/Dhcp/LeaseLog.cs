using Microsoft.Extensions.Logging;
using NetBoot.Engine.Dhcp;

namespace NetBoot.Hosting.Dhcp;

/// <summary>Full-DHCP log lines in dnsmasq's wording: <c>DHCPACK(eth1) 192.168.67.20 52:54:00:12:34:56 host</c>.</summary>
internal static partial class LeaseLog
{
    // With log-dhcp the line starts with the transaction id, so that variant is an event of its own.
    [LoggerMessage(1300, LogLevel.Information, "{MessageType}({Interface}) {Address} {Client} {HostName}")]
    public static partial void Reply(ILogger logger, string messageType, string @interface, string address, string client, string hostName);

    [LoggerMessage(1310, LogLevel.Information, "{TransactionId} {MessageType}({Interface}) {Address} {Client} {HostName}")]
    public static partial void ReplyVerbose(ILogger logger, uint transactionId, string messageType, string @interface, string address, string client, string hostName);

    /// <summary>A DHCPNAK in dnsmasq's order (<c>DHCPNAK(eth0) 192.168.1.5 52:54:00:12:34:56 wrong network</c>): the
    /// address the client asked for, and the message sent in option 56.</summary>
    [LoggerMessage(1314, LogLevel.Information, "{MessageType}({Interface}) {Address} {HardwareAddress} {Message}")]
    public static partial void Nak(ILogger logger, string messageType, string @interface, string address, string hardwareAddress, string message);

    [LoggerMessage(1315, LogLevel.Information, "{TransactionId} {MessageType}({Interface}) {Address} {HardwareAddress} {Message}")]
    public static partial void NakVerbose(ILogger logger, uint transactionId, string messageType, string @interface, string address, string hardwareAddress, string message);

    /// <summary>A lease change without a reply (DHCPRELEASE, DHCPDECLINE), in dnsmasq's order:
    /// <c>DHCPRELEASE(eth0) 192.168.67.20 52:54:00:12:34:56 Released</c>; the reason is the engine's
    /// <see cref="LeaseSilenceReason"/>, a value a structured sink can filter on.</summary>
    [LoggerMessage(1301, LogLevel.Information, "{MessageType}({Interface}) {Address} {HardwareAddress} {Reason}")]
    public static partial void Recorded(ILogger logger, string messageType, string @interface, string address, string hardwareAddress, LeaseSilenceReason reason);

    [LoggerMessage(1311, LogLevel.Information, "{TransactionId} {MessageType}({Interface}) {Address} {HardwareAddress} {Reason}")]
    public static partial void RecordedVerbose(ILogger logger, uint transactionId, string messageType, string @interface, string address, string hardwareAddress, LeaseSilenceReason reason);

    /// <summary>The same for a message that names another server (option 54), with that server: dnsmasq's
    /// "wrong server-ID". A DHCPREQUEST for another server's offer frees what was held for the client.</summary>
    [LoggerMessage(1312, LogLevel.Information, "{MessageType}({Interface}) {Address} {HardwareAddress} {Reason}: the client chose server {Server}")]
    public static partial void RecordedForServer(ILogger logger, string messageType, string @interface, string address, string hardwareAddress, LeaseSilenceReason reason, string server);

    [LoggerMessage(1313, LogLevel.Information, "{TransactionId} {MessageType}({Interface}) {Address} {HardwareAddress} {Reason}: the client chose server {Server}")]
    public static partial void RecordedForServerVerbose(ILogger logger, uint transactionId, string messageType, string Interface, string address, string hardwareAddress, LeaseSilenceReason reason, string server);

    [LoggerMessage(1302, LogLevel.Warning, "cannot add the ARP entry for {Address} on {Interface} (errno {Error}); replying by broadcast")]
    public static partial void ArpFailed(ILogger logger, string address, string @interface, int error);

    [LoggerMessage(1303, LogLevel.Error, "lease for {Address} could not be made durable, reply not sent: {Reason}")]
    public static partial void NotDurable(ILogger logger, string address, string reason);

    [LoggerMessage(1304, LogLevel.Information, "{Count} leases loaded from {Path}")]
    public static partial void Loaded(ILogger logger, int count, string path);

    [LoggerMessage(1305, LogLevel.Warning, "dhcp-script {Script} {Action} {Address} failed: {Reason}")]
    public static partial void ScriptFailed(ILogger logger, string script, string action, string address, string reason);

    [LoggerMessage(1306, LogLevel.Warning, "cannot write the lease file {Path}: {Reason}")]
    public static partial void LeaseFileFailed(ILogger logger, string path, string reason);

    [LoggerMessage(1307, LogLevel.Information, "DHCP lease {Address} {Client} expired")]
    public static partial void Expired(ILogger logger, string address, string client);

    [LoggerMessage(1320, LogLevel.Error, "receiving on {Interface} port {Port} failed: {Reason}; retrying")]
    public static partial void ReceiveFailed(ILogger logger, string @interface, int port, string reason);

    [LoggerMessage(1321, LogLevel.Warning, "no ping check before offers: cannot open an ICMP socket ({Reason}); addresses are offered as with no-ping (run as root or with CAP_NET_RAW, or widen net.ipv4.ping_group_range)")]
    public static partial void PingUnavailable(ILogger logger, string reason);

    [LoggerMessage(1322, LogLevel.Warning, "{Address} answers ping: in use by another host; not offered to {Client}, nor to anyone for {Minutes} min")]
    public static partial void AddressInUse(ILogger logger, string address, string client, int minutes);

    [LoggerMessage(1323, LogLevel.Warning, "script-arp: cannot read the ARP table {Path}: {Reason}; trying again in 90 s")]
    public static partial void ArpTableUnreadable(ILogger logger, string path, string reason);
}

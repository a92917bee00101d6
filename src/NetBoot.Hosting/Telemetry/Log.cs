using Microsoft.Extensions.Logging;

namespace NetBoot.Hosting.Telemetry;

/// <summary>Every log line NetBoot writes, with stable event ids. Wording follows dnsmasq's <c>log-dhcp</c>
/// (<c>PXE(eth0) 52:54:00:12:34:56 proxy</c>) so that habits and grep patterns carry over.</summary>
internal static partial class Log
{
    [LoggerMessage(1000, LogLevel.Information, "{Service} listening on {Interface} {Address}:{Port}")]
    public static partial void Listening(ILogger logger, string service, string @interface, string address, int port);

    [LoggerMessage(1001, LogLevel.Warning, "no interface has an address in a dhcp-range subnet yet: DHCP/PXE starts answering on one as soon as it has (interfaces up: {Interfaces})")]
    public static partial void NoDhcpInterface(ILogger logger, string interfaces);

    [LoggerMessage(1002, LogLevel.Error, "cannot listen on {Interface} port {Port}: {Reason}; {Hint}")]
    public static partial void CannotListen(ILogger logger, string @interface, int port, string reason, string hint);

    // Each field is a value of its own (no pre-built text): a structured sink sees TransactionId, Kind, Interface…,
    // while the rendered line stays dnsmasq's log-dhcp one. With log-dhcp the line starts with the transaction id,
    // so that variant is an event of its own.
    [LoggerMessage(1100, LogLevel.Information, "{Kind}({Interface}) {HardwareAddress} {Summary} [{Asked}]")]
    public static partial void Replied(ILogger logger, string kind, string @interface, string hardwareAddress, string summary, string asked);

    [LoggerMessage(1107, LogLevel.Information, "{TransactionId} {Kind}({Interface}) {HardwareAddress} {Summary} [{Asked}]")]
    public static partial void RepliedVerbose(ILogger logger, uint transactionId, string kind, string @interface, string hardwareAddress, string summary, string asked);

    // A boot-server reply (port 4011) to a client that has an address: dnsmasq logs the address before the MAC.
    [LoggerMessage(1115, LogLevel.Information, "{Kind}({Interface}) {ClientAddress} {HardwareAddress} {Summary} [{Asked}]")]
    public static partial void RepliedToAddress(ILogger logger, string kind, string @interface, string clientAddress, string hardwareAddress, string summary, string asked);

    [LoggerMessage(1116, LogLevel.Information, "{TransactionId} {Kind}({Interface}) {ClientAddress} {HardwareAddress} {Summary} [{Asked}]")]
    public static partial void RepliedToAddressVerbose(ILogger logger, uint transactionId, string kind, string @interface, string clientAddress, string hardwareAddress, string summary, string asked);

    [LoggerMessage(1101, LogLevel.Information, "{TransactionId} {Kind}({Interface}) {Client} no reply: {Reason} [{Asked}]")]
    public static partial void NotAnsweredVerbose(ILogger logger, uint transactionId, string kind, string @interface, string client, string reason, string asked);

    [LoggerMessage(1102, LogLevel.Debug, "{Kind}({Interface}) {Client} no reply: {Reason} [{Asked}]")]
    public static partial void NotAnswered(ILogger logger, string kind, string @interface, string client, string reason, string asked);

    // log-dhcp's detail lines, one event per kind of line.
    [LoggerMessage(1103, LogLevel.Information, "{TransactionId} vendor class: {VendorClass}")]
    public static partial void VendorClass(ILogger logger, uint transactionId, string vendorClass);

    [LoggerMessage(1108, LogLevel.Information, "{TransactionId} user class: {UserClass}")]
    public static partial void UserClass(ILogger logger, uint transactionId, string userClass);

    [LoggerMessage(1109, LogLevel.Information, "{TransactionId} tags: {Tags}")]
    public static partial void Tags(ILogger logger, uint transactionId, IEnumerable<string> tags);

    [LoggerMessage(1112, LogLevel.Information, "{TransactionId} bootfile name: {BootFileName}")]
    public static partial void BootFileName(ILogger logger, uint transactionId, string bootFileName);

    [LoggerMessage(1113, LogLevel.Information, "{TransactionId} next server: {NextServer}")]
    public static partial void NextServer(ILogger logger, uint transactionId, string nextServer);

    [LoggerMessage(1114, LogLevel.Information, "{TransactionId} sent size:{Size,3} option:{Code,3} {Option}  {Value}")]
    public static partial void OptionSent(ILogger logger, uint transactionId, int size, byte code, string option, string value);

    [LoggerMessage(1104, LogLevel.Warning, "malformed DHCP packet from {Source} on {Interface} dropped: {Reason} (further ones from there are not logged for {Minutes} min)")]
    public static partial void Malformed(ILogger logger, string source, string @interface, string reason, int minutes);

    [LoggerMessage(1105, LogLevel.Error, "failed to send reply to {Destination} on {Interface}: {Reason}")]
    public static partial void SendFailed(ILogger logger, string destination, string @interface, string reason);

    [LoggerMessage(1106, LogLevel.Error, "internal error while handling a packet from {Source} on {Interface}; the packet was dropped and service continues")]
    public static partial void HandlerFailed(ILogger logger, Exception exception, string source, string @interface);

    [LoggerMessage(1200, LogLevel.Warning, "TFTP directory {Root} inaccessible; starting anyway (tftp-no-fail)")]
    public static partial void TftpRootMissing(ILogger logger, string root);

    [LoggerMessage(1201, LogLevel.Information, "sent {File} to {Client}: {Details}")]
    public static partial void TftpSent(ILogger logger, string file, string client, string details);

    [LoggerMessage(1202, LogLevel.Information, "size of {File} told to {Client} (client ended after the options: {Reason})")]
    public static partial void TftpProbed(ILogger logger, string file, string client, string reason);

    [LoggerMessage(1203, LogLevel.Warning, "failed sending {File} to {Client}: {Reason}; {Details}")]
    public static partial void TftpFailed(ILogger logger, string file, string client, string reason, string details);

    [LoggerMessage(1204, LogLevel.Warning, "TFTP request for {File} from {Client} refused: {Reason}")]
    public static partial void TftpRefused(ILogger logger, string file, string client, string reason);

    [LoggerMessage(1205, LogLevel.Warning, "TFTP request for {File} from {Client} refused: already {Max} transfers running (tftp-max); {Suppressed} more refused since the last such line (one line per 10 s)")]
    public static partial void TftpTooMany(ILogger logger, string file, string client, int max, int suppressed);

    [LoggerMessage(1206, LogLevel.Warning, "cannot read {File} for {Client}: {Reason}")]
    public static partial void TftpReadFailed(ILogger logger, string file, string client, string reason);

    [LoggerMessage(1207, LogLevel.Information, "transfer of {File} to {Client} cut short: shutting down")]
    public static partial void TftpCancelled(ILogger logger, string file, string client);

    [LoggerMessage(1209, LogLevel.Error, "internal error while serving {File} to {Client}; that transfer ended (ERROR 0 sent) and service continues")]
    public static partial void TftpTransferCrashed(ILogger logger, Exception exception, string file, string client);

    [LoggerMessage(1208, LogLevel.Debug, "malformed TFTP packet from {Source} on {Interface} dropped: {Reason}")]
    public static partial void TftpMalformed(ILogger logger, string source, string @interface, string reason);
}

using Microsoft.Extensions.Logging;
using NetBoot.Wire.Tftp;

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

    // Each field is a value of its own (no pre-built text): a structured sink sees TransactionId, Kind, Interface,
    // MessageType, Port, ClientArchitecture…, while the rendered line stays dnsmasq's log-dhcp one followed by what the
    // client asked in brackets. A line with an optional part is an event of its own: with log-dhcp the line starts with
    // the transaction id; a boot-server request may come without option 93. A proxy answer always has 93 and 60 (the
    // engine answers no PXE client without them). Past six fields the generator names a field after its parameter, so
    // the interface's parameter is spelt `Interface` there (`@interface` would make the field "@interface").
    [LoggerMessage(1100, LogLevel.Information, "{Kind}({Interface}) {HardwareAddress} proxy [{MessageType} on {Port}, arch {ClientArchitecture} {ArchitectureName}, {VendorClass}]")]
    public static partial void ProxyReplied(ILogger logger, string kind, string Interface, string hardwareAddress, string messageType, int port, ushort clientArchitecture, string architectureName, string vendorClass);

    [LoggerMessage(1107, LogLevel.Information, "{TransactionId} {Kind}({Interface}) {HardwareAddress} proxy [{MessageType} on {Port}, arch {ClientArchitecture} {ArchitectureName}, {VendorClass}]")]
    public static partial void ProxyRepliedVerbose(ILogger logger, uint transactionId, string kind, string Interface, string hardwareAddress, string messageType, int port, ushort clientArchitecture, string architectureName, string vendorClass);

    // A reply on port 4011 to a client that has an address: dnsmasq logs the address before the MAC.
    [LoggerMessage(1115, LogLevel.Information, "{Kind}({Interface}) {ClientAddress} {HardwareAddress} proxy [{MessageType} on {Port}, arch {ClientArchitecture} {ArchitectureName}, {VendorClass}]")]
    public static partial void ProxyRepliedToAddress(ILogger logger, string kind, string Interface, string clientAddress, string hardwareAddress, string messageType, int port, ushort clientArchitecture, string architectureName, string vendorClass);

    [LoggerMessage(1116, LogLevel.Information, "{TransactionId} {Kind}({Interface}) {ClientAddress} {HardwareAddress} proxy [{MessageType} on {Port}, arch {ClientArchitecture} {ArchitectureName}, {VendorClass}]")]
    public static partial void ProxyRepliedToAddressVerbose(ILogger logger, uint transactionId, string kind, string Interface, string clientAddress, string hardwareAddress, string messageType, int port, ushort clientArchitecture, string architectureName, string vendorClass);

    // A boot-server answer (PXE 2.1 §2.2.5): the boot file of the asked item, to the client's address (ciaddr).
    [LoggerMessage(1117, LogLevel.Information, "{Kind}({Interface}) {ClientAddress} {HardwareAddress} {BootFile} [{MessageType} on {Port}, arch {ClientArchitecture} {ArchitectureName}, boot item 0x{BootItemType:x4} layer {BootItemLayer}, {VendorClass}]")]
    public static partial void BootServerReplied(ILogger logger, string kind, string Interface, string clientAddress, string hardwareAddress, string bootFile, string messageType, int port, ushort clientArchitecture, string architectureName, ushort bootItemType, ushort bootItemLayer, string vendorClass);

    [LoggerMessage(1118, LogLevel.Information, "{TransactionId} {Kind}({Interface}) {ClientAddress} {HardwareAddress} {BootFile} [{MessageType} on {Port}, arch {ClientArchitecture} {ArchitectureName}, boot item 0x{BootItemType:x4} layer {BootItemLayer}, {VendorClass}]")]
    public static partial void BootServerRepliedVerbose(ILogger logger, uint transactionId, string kind, string Interface, string clientAddress, string hardwareAddress, string bootFile, string messageType, int port, ushort clientArchitecture, string architectureName, ushort bootItemType, ushort bootItemLayer, string vendorClass);

    [LoggerMessage(1119, LogLevel.Information, "{Kind}({Interface}) {ClientAddress} {HardwareAddress} {BootFile} [{MessageType} on {Port}, boot item 0x{BootItemType:x4} layer {BootItemLayer}, {VendorClass}]")]
    public static partial void BootServerRepliedWithoutArchitecture(ILogger logger, string kind, string Interface, string clientAddress, string hardwareAddress, string bootFile, string messageType, int port, ushort bootItemType, ushort bootItemLayer, string vendorClass);

    [LoggerMessage(1120, LogLevel.Information, "{TransactionId} {Kind}({Interface}) {ClientAddress} {HardwareAddress} {BootFile} [{MessageType} on {Port}, boot item 0x{BootItemType:x4} layer {BootItemLayer}, {VendorClass}]")]
    public static partial void BootServerRepliedWithoutArchitectureVerbose(ILogger logger, uint transactionId, string kind, string Interface, string clientAddress, string hardwareAddress, string bootFile, string messageType, int port, ushort bootItemType, ushort bootItemLayer, string vendorClass);

    // No reply: {Reason} is the engine's enum value (ProxySilenceReason on the proxy/PXE path, LeaseSilenceReason on
    // the full-DHCP path), followed by the value it is about when it has one; with log-dhcp the client's vendor class,
    // user class and tags follow on lines of their own (events 1103, 1108, 1109). Debug without log-dhcp.
    [LoggerMessage(1101, LogLevel.Information, "{TransactionId} {Kind}({Interface}) {Client} no reply: {Reason} [{MessageType} on {Port}]")]
    public static partial void NotAnsweredVerbose(ILogger logger, uint transactionId, string kind, string Interface, string client, Enum reason, string messageType, int port);

    [LoggerMessage(1102, LogLevel.Debug, "{Kind}({Interface}) {Client} no reply: {Reason} [{MessageType} on {Port}]")]
    public static partial void NotAnswered(ILogger logger, string kind, string @interface, string client, Enum reason, string messageType, int port);

    [LoggerMessage(1121, LogLevel.Information, "{TransactionId} {Kind}({Interface}) {Client} no reply: {Reason} ({Address}) [{MessageType} on {Port}]")]
    public static partial void NotAnsweredForAddressVerbose(ILogger logger, uint transactionId, string kind, string Interface, string client, Enum reason, string address, string messageType, int port);

    [LoggerMessage(1122, LogLevel.Debug, "{Kind}({Interface}) {Client} no reply: {Reason} ({Address}) [{MessageType} on {Port}]")]
    public static partial void NotAnsweredForAddress(ILogger logger, string kind, string Interface, string client, Enum reason, string address, string messageType, int port);

    [LoggerMessage(1123, LogLevel.Information, "{TransactionId} {Kind}({Interface}) {Client} no reply: {Reason} (boot item 0x{BootItemType:x4} layer {BootItemLayer}) [{MessageType} on {Port}]")]
    public static partial void NotAnsweredForBootItemVerbose(ILogger logger, uint transactionId, string kind, string Interface, string client, Enum reason, ushort bootItemType, ushort bootItemLayer, string messageType, int port);

    [LoggerMessage(1124, LogLevel.Debug, "{Kind}({Interface}) {Client} no reply: {Reason} (boot item 0x{BootItemType:x4} layer {BootItemLayer}) [{MessageType} on {Port}]")]
    public static partial void NotAnsweredForBootItem(ILogger logger, string kind, string Interface, string client, Enum reason, ushort bootItemType, ushort bootItemLayer, string messageType, int port);

    [LoggerMessage(1125, LogLevel.Information, "{TransactionId} {Kind}({Interface}) {Client} no reply: {Reason} (htype {HardwareType} hlen {HardwareAddressLength}) [{MessageType} on {Port}]")]
    public static partial void NotAnsweredForHardwareVerbose(ILogger logger, uint transactionId, string kind, string Interface, string client, Enum reason, byte hardwareType, byte hardwareAddressLength, string messageType, int port);

    [LoggerMessage(1126, LogLevel.Debug, "{Kind}({Interface}) {Client} no reply: {Reason} (htype {HardwareType} hlen {HardwareAddressLength}) [{MessageType} on {Port}]")]
    public static partial void NotAnsweredForHardware(ILogger logger, string kind, string Interface, string client, Enum reason, byte hardwareType, byte hardwareAddressLength, string messageType, int port);

    [LoggerMessage(1127, LogLevel.Information, "{TransactionId} {Kind}({Interface}) {Client} no reply: {Reason} ({VendorClass}) [{MessageType} on {Port}]")]
    public static partial void NotAnsweredForVendorClassVerbose(ILogger logger, uint transactionId, string kind, string Interface, string client, Enum reason, string vendorClass, string messageType, int port);

    [LoggerMessage(1128, LogLevel.Debug, "{Kind}({Interface}) {Client} no reply: {Reason} ({VendorClass}) [{MessageType} on {Port}]")]
    public static partial void NotAnsweredForVendorClass(ILogger logger, string kind, string Interface, string client, Enum reason, string vendorClass, string messageType, int port);

    [LoggerMessage(1129, LogLevel.Information, "{TransactionId} {Kind}({Interface}) {Client} no reply: {Reason} ({Address}): the client chose server {Server} [{MessageType} on {Port}]")]
    public static partial void NotAnsweredForServerVerbose(ILogger logger, uint transactionId, string kind, string Interface, string client, Enum reason, string address, string server, string messageType, int port);

    [LoggerMessage(1130, LogLevel.Debug, "{Kind}({Interface}) {Client} no reply: {Reason} ({Address}): the client chose server {Server} [{MessageType} on {Port}]")]
    public static partial void NotAnsweredForServer(ILogger logger, string kind, string Interface, string client, Enum reason, string address, string server, string messageType, int port);

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
    public static partial void TftpMalformed(ILogger logger, string source, string @interface, TftpDecodeError reason);
}

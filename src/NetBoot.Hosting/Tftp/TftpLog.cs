using Microsoft.Extensions.Logging;
using NetBoot.Engine.Tftp;

namespace NetBoot.Hosting.Tftp;

/// <summary>TFTP log lines added with the full directive set, in dnsmasq's wording (spec §1.15).</summary>
internal static partial class TftpLog
{
    [LoggerMessage(1210, LogLevel.Warning, "file {File} not found for {Client}")]
    public static partial void NotFound(ILogger logger, string file, string client);

    /// <summary>The figures of a transfer's end, in the words of 1201 (<c>Log.TftpSent</c>).</summary>
    private const string TransferFigures = "{Bytes} bytes in {Milliseconds:0} ms ({MegabytesPerSecond:0.00} MB/s), blksize {BlockSize}, windowsize {WindowSize}, {Retransmissions} retransmitted, {DataBytesSent} data bytes sent";

    [LoggerMessage(1211, LogLevel.Warning, "timeout sending {File} to {Client}: {End}: {Retries} retransmissions unanswered (last acknowledged block {Block}, timeout {TimeoutSeconds} s); " + TransferFigures)]
    public static partial void RetriesExhausted(ILogger logger, string file, string client, TftpTransferEnd end, int retries, long block, int timeoutSeconds,
        long bytes, double milliseconds, double megabytesPerSecond, int blockSize, int windowSize, long retransmissions, long dataBytesSent);

    [LoggerMessage(1218, LogLevel.Warning, "timeout sending {File} to {Client}: {End}: no progress for {IdleSeconds} s (last acknowledged block {Block}); " + TransferFigures)]
    public static partial void Stalled(ILogger logger, string file, string client, TftpTransferEnd end, int idleSeconds, long block,
        long bytes, double milliseconds, double megabytesPerSecond, int blockSize, int windowSize, long retransmissions, long dataBytesSent);

    [LoggerMessage(1212, LogLevel.Warning, "ignoring packet from {Source} (TID mismatch)")]
    public static partial void TidMismatch(ILogger logger, string source);

    [LoggerMessage(1213, LogLevel.Warning, "unable to get free port for TFTP in {First}-{Last} (request for {File} from {Client})")]
    public static partial void NoFreePort(ILogger logger, int first, int last, string file, string client);

    [LoggerMessage(1214, LogLevel.Warning, "restricting maximum simultaneous TFTP transfers to {Max} (tftp-port-range holds {Ports} ports)")]
    public static partial void RestrictingMax(ILogger logger, int max, int ports);

    [LoggerMessage(1217, LogLevel.Warning, "TFTP port 69 on {Interface}: {Dropped} datagrams dropped, the socket receive buffer was full (requests lost: clients retry after their timeout)")]
    public static partial void ListenerDrops(ILogger logger, string @interface, long dropped);

    [LoggerMessage(1215, LogLevel.Information, "TFTP block cache of {Megabytes} MiB shared by all transfers; transfers {Mode}")]
    public static partial void Started(ILogger logger, int megabytes, string mode);
}

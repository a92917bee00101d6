using NetBoot.Configuration.Model;
using NetBoot.Engine.Tftp;
using NetBoot.Hosting.Tftp;
using NetBoot.Wire.Tftp;

namespace NetBoot.Hosting.Tests.Tftp;

/// <summary>DESIGN "no per-packet allocation on the hot paths": a whole transfer driven through the real runner,
/// content and cache against a link that answers every window at once (so the run stays on this thread and
/// <see cref="GC.GetAllocatedBytesForCurrentThread"/> sees all of it) allocates the same whether it sends 200 or
/// 20 000 packets.</summary>
public sealed class TftpSendPathAllocationTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("netboot-alloc-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    /// <summary>Acknowledges the last DATA block it was handed; never waits.</summary>
    private sealed class AcknowledgingLink : ITftpTransferLink
    {
        private ushort _lastBlock;

        public long Packets { get; private set; }

        public void Send(ReadOnlySpan<byte> datagram)
        {
            Packets++;
            if (TftpPacketDecoder.TryReadData(datagram, out var block, out _))
            {
                _lastBlock = block;
            }
        }

        public int Receive(TimeSpan wait, Span<byte> buffer) => TftpPacketEncoder.WriteAck(buffer, _lastBlock);

        public void Interrupt()
        {
        }

        public void Dispose()
        {
        }
    }

    private static long MeasureTransfer(string path, int blockSize, int windowSize, TftpBlockCache cache, TftpTransferMode mode, out long packets)
    {
        var link = new AcknowledgingLink();
        using var content = TftpContent.Open(path, mode, cache);
        var options = TftpNegotiation.Negotiate(
            [new TftpOption("blksize", blockSize.ToString(System.Globalization.CultureInfo.InvariantCulture)),
             new TftpOption("windowsize", windowSize.ToString(System.Globalization.CultureInfo.InvariantCulture))],
            mode, content.TransferSize, new TftpConfig(), 9000);
        var transfer = new TftpTransfer(content.Length, options);
        var runner = new TftpTransferRunner(link, content, transfer, TimeProvider.System);
        var before = GC.GetAllocatedBytesForCurrentThread();
        var end = runner.Run(CancellationToken.None);
        var after = GC.GetAllocatedBytesForCurrentThread();
        Assert.Equal(TftpTransferEnd.Completed, end.End);
        packets = link.Packets;
        return after - before;
    }

    [Theory]
    [InlineData(512, 1, TftpTransferMode.Octet)]
    [InlineData(1468, 16, TftpTransferMode.Octet)]
    [InlineData(512, 1, TftpTransferMode.Netascii)]
    [InlineData(1468, 1, TftpTransferMode.Netascii)]
    public void Allocation_does_not_grow_with_the_number_of_packets(int blockSize, int windowSize, TftpTransferMode mode)
    {
        var small = Path.Combine(_directory, "small");
        var large = Path.Combine(_directory, "large");
        // Text with line ends, so netascii expands (and splits pairs across blocks).
        var line = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789a\r\n"u8.ToArray();
        File.WriteAllBytes(small, [.. Enumerable.Repeat(line, 100 * blockSize / line.Length).SelectMany(l => l)]);
        File.WriteAllBytes(large, [.. Enumerable.Repeat(line, 20_000 * blockSize / line.Length).SelectMany(l => l)]);
        var cache = new TftpBlockCache(64L * 1024 * 1024);
        // Warm up: JIT, the cache's buffers, the timer behind the timeout source.
        MeasureTransfer(large, blockSize, windowSize, cache, mode, out _);
        MeasureTransfer(small, blockSize, windowSize, cache, mode, out _);

        var smallBytes = MeasureTransfer(small, blockSize, windowSize, cache, mode, out var smallPackets);
        var largeBytes = MeasureTransfer(large, blockSize, windowSize, cache, mode, out var largePackets);

        Assert.True(largePackets > 100 * smallPackets / 2);
        var perPacket = (double)(largeBytes - smallBytes) / (largePackets - smallPackets);
        Assert.True(perPacket < 0.5, $"{smallBytes} B for {smallPackets} packets, {largeBytes} B for {largePackets} packets: {perPacket:0.00} B per extra packet");
    }
}

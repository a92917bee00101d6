using NetBoot.Engine.Tftp;
using NetBoot.Wire.Tftp;

namespace NetBoot.Engine.Tests.Tftp;

/// <summary>Netascii converted while it is sent (issue 14 item 2): reads at any offset equal the reference conversion,
/// a transfer driven to its end (retransmissions included) delivers exactly the reference, and a source over 2 GiB
/// (and past block 65535) is served with the same block numbers as an octet transfer of the converted length.</summary>
public class NetasciiContentTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 25, 22, 0, 0, TimeSpan.Zero);

    /// <summary>An in-memory source that hands out at most <paramref name="largestRead"/> bytes per call (a short read
    /// is allowed by the contract), counting calls.</summary>
    private static TftpSourceReader Source(byte[] bytes, int largestRead = int.MaxValue) => (offset, destination) =>
    {
        var count = (int)Math.Clamp(bytes.Length - offset, 0, Math.Min(destination.Length, largestRead));
        bytes.AsSpan((int)offset, count).CopyTo(destination);
        return count;
    };

    [Fact]
    public void A_read_at_every_offset_equals_the_reference_from_a_cold_start_and_after_the_block_before()
    {
        var random = new Random(1350);
        for (var round = 0; round < 6; round++)
        {
            var source = NetasciiEncoderTests.RandomText(random, random.Next(1, 300));
            var expected = NetasciiEncoderTests.Reference(source);
            for (var split = 0; split <= expected.Length; split++)
            {
                // Cold: no checkpoint, the content converts again from the start of the file.
                var cold = new NetasciiContent(Source(source, largestRead: 7));
                var tail = new byte[expected.Length - split + 3];
                Assert.Equal(expected.Length - split, cold.Read(split, tail));
                Assert.Equal(expected[split..], tail[..(expected.Length - split)]);

                // Warm: the first part read, then the rest from where it ended (a block boundary at `split`).
                var warm = new NetasciiContent(Source(source));
                var head = new byte[split];
                Assert.Equal(split, warm.Read(0, head));
                Assert.Equal(expected[..split], head);
                Array.Clear(tail);
                Assert.Equal(expected.Length - split, warm.Read(split, tail));
                Assert.Equal(expected[split..], tail[..(expected.Length - split)]);
            }
        }
    }

    [Theory]
    [InlineData(8, 0)]
    [InlineData(8, 7)]
    [InlineData(512, 3)]
    [InlineData(512, 0)]
    public void A_lock_step_transfer_with_lost_acks_delivers_exactly_the_reference(int blockSize, int seed)
    {
        var random = new Random(seed);
        var source = NetasciiEncoderTests.RandomText(random, 50_000);
        var expected = NetasciiEncoderTests.Reference(source);
        var content = new NetasciiContent(Source(source, largestRead: 1000));
        var transfer = new TftpTransfer(null, new TftpNegotiatedOptions(blockSize, 1, null, null, []));
        var received = new List<byte>();
        var buffer = new byte[blockSize];
        var now = T0;
        var step = transfer.Start(now);
        var resends = 0;
        ushort expectedBlock = 1;
        ushort lastNumber = 0;
        while (!step.IsFinished)
        {
            foreach (var block in step.DataBlocks)
            {
                var read = content.Read(block.Offset, buffer.AsSpan(0, block.Length));
                if (block.BlockNumber == expectedBlock)
                {
                    received.AddRange(buffer.AsSpan(0, read).ToArray());
                    expectedBlock++;
                }
                lastNumber = block.BlockNumber;
                if (read < block.Length)
                {
                    transfer.OnContentEnd(block.Index, read);
                    break;
                }
            }
            now += TimeSpan.FromSeconds(3);
            // One ACK in five is lost: the block is sent again (read again from its checkpoint).
            if (random.Next(5) == 0)
            {
                resends++;
                step = transfer.OnTimeout(now);
                continue;
            }
            step = transfer.OnAck(lastNumber, now);
        }
        Assert.Equal(TftpTransferEnd.Completed, step.End);
        Assert.Equal(expected, received.ToArray());
        Assert.Equal(expected.Length, transfer.ContentLength);
        Assert.Equal(expected.Length, step.Statistics!.Bytes);
        Assert.True(resends > 10);
        // Each source byte is read about once: resent blocks start at a checkpoint, never at the file's start.
        Assert.True(content.SourceBytesRead < 2L * source.Length + 2 * NetasciiContent.ChunkSize, $"{content.SourceBytesRead} source bytes read for {source.Length}");
    }

    [Fact]
    public void Content_ending_on_a_block_boundary_ends_with_an_empty_block()
    {
        // "abc\n" → "abc\r\n": 5 bytes, blksize 5 → one full block and an empty one (RFC 1350 §6).
        var content = new NetasciiContent(Source("abc\n"u8.ToArray()));
        var transfer = new TftpTransfer(null, new TftpNegotiatedOptions(5, 1, null, null, []));
        var step = transfer.Start(T0);
        var buffer = new byte[5];
        Assert.Equal(5, content.Read(step.DataBlocks[0].Offset, buffer));
        step = transfer.OnAck(1, T0);
        var last = Assert.Single(step.DataBlocks);
        Assert.Equal(0, content.Read(last.Offset, buffer.AsSpan(0, last.Length)));
        transfer.OnContentEnd(last.Index, 0);
        Assert.Equal(5, transfer.ContentLength);
        Assert.Equal(2, transfer.TotalBlocks);
        Assert.Equal(TftpTransferEnd.Completed, transfer.OnAck(2, T0).End);
    }

    /// <summary>A file of 2 GiB + 1000 bytes (never in memory: each byte computed from its offset), 'a' with an LF
    /// closing every 4096 bytes, sent at blksize 32 768: 65 553 blocks, so the block number rolls over past 65535.</summary>
    [Fact]
    public void A_file_over_2_GiB_is_served_to_its_end_with_the_block_numbers_of_an_octet_transfer()
    {
        const long sourceLength = (2L << 30) + 1000;
        const int period = 4096;
        const int blockSize = 32_768;
        var source = new TftpSourceReader((offset, destination) =>
        {
            var count = (int)Math.Clamp(sourceLength - offset, 0, destination.Length);
            var span = destination[..count];
            span.Fill((byte)'a');
            // LF at every offset ≡ period − 1.
            for (var lf = (int)((period - 1 - offset % period) % period); lf < count; lf += period)
            {
                span[lf] = (byte)'\n';
            }
            return count;
        });
        var convertedLength = sourceLength + sourceLength / period;
        var content = new NetasciiContent(source);
        var options = new TftpNegotiatedOptions(blockSize, 1, null, null, []);
        var netascii = new TftpTransfer(null, options);
        var octet = new TftpTransfer(convertedLength, options);
        var buffer = new byte[blockSize];
        var step = netascii.Start(T0);
        var reference = octet.Start(T0);
        long delivered = 0;
        long blocks = 0;
        while (!step.IsFinished)
        {
            var block = Assert.Single(step.DataBlocks);
            var twin = Assert.Single(reference.DataBlocks);
            Assert.Equal((twin.Index, twin.BlockNumber, twin.Offset), (block.Index, block.BlockNumber, block.Offset));
            var read = content.Read(block.Offset, buffer.AsSpan(0, block.Length));
            Assert.Equal(twin.Length, read);
            // Checking every byte would double the test's time: the first blocks, those around the roll-over and
            // the end, and one in 97 are checked (a block's bytes depend only on its offset, so any mistake in the
            // checkpoints shows up in the blocks after it).
            if (block.Index < 64 || block.Index % 97 == 0 || Math.Abs(block.Index - 65_536) < 4 || read < block.Length)
            {
                AssertPattern(buffer.AsSpan(0, read), block.Offset);
            }
            if (read < block.Length)
            {
                netascii.OnContentEnd(block.Index, read);
                Assert.True(twin.IsLast);
            }
            delivered += read;
            blocks++;
            step = netascii.OnAck(block.BlockNumber, T0);
            reference = octet.OnAck(twin.BlockNumber, T0);
        }
        Assert.Equal(TftpTransferEnd.Completed, step.End);
        Assert.Equal(TftpTransferEnd.Completed, reference.End);
        Assert.Equal(convertedLength, delivered);
        Assert.Equal(convertedLength, netascii.ContentLength);
        Assert.Equal(octet.TotalBlocks, blocks);
        Assert.True(blocks > 65_536, $"{blocks} blocks: the block number must roll over");
        Assert.Equal(octet.TotalBlocks, netascii.TotalBlocks);
        Assert.Equal(reference.Statistics!.Bytes, step.Statistics!.Bytes);

        // Each 4096 source bytes become 4095 'a', CR, LF: the byte at converted offset q is known from q alone.
        static void AssertPattern(ReadOnlySpan<byte> bytes, long offset)
        {
            var position = 0;
            while (position < bytes.Length)
            {
                var inPeriod = (int)((offset + position) % (period + 1));
                if (inPeriod < period - 1)
                {
                    var run = Math.Min(bytes.Length - position, period - 1 - inPeriod);
                    if (bytes.Slice(position, run).IndexOfAnyExcept((byte)'a') >= 0)
                    {
                        Assert.Fail($"not 'a' near converted offset {offset + position}");
                    }
                    position += run;
                    continue;
                }
                Assert.Equal(inPeriod == period - 1 ? (byte)'\r' : (byte)'\n', bytes[position]);
                position++;
            }
        }
    }

    [Fact]
    public void Memory_held_does_not_depend_on_the_file_size()
    {
        // The chunk and the checkpoints are all a content holds; a 1 TiB source costs what a 1 KiB one does.
        const long terabyte = 1L << 40;
        var calls = 0;
        var content = new NetasciiContent((offset, destination) =>
        {
            calls++;
            var count = (int)Math.Clamp(terabyte - offset, 0, destination.Length);
            destination[..count].Fill((byte)'\n');
            return count;
        });
        var buffer = new byte[1468];
        var before = GC.GetAllocatedBytesForCurrentThread();
        Assert.Equal(1468, content.Read(0, buffer));
        Assert.Equal(1468, content.Read(1468, buffer));
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 1024);
        Assert.Equal("\r\n\r\n"u8.ToArray(), buffer[..4]);
        Assert.Equal(1, calls);
    }
}

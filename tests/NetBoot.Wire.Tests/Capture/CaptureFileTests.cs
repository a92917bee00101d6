using NetBoot.Testing;
using NetBoot.Wire.Capture;
using NetBoot.Wire.Net;

namespace NetBoot.Wire.Tests.Capture;

public sealed class CaptureFileTests
{
    private static readonly DateTimeOffset When = DateTimeOffset.FromUnixTimeSeconds(1_700_000_000).AddTicks(1_234_567);

    private static byte[] SampleFrame(int payloadLength = 10) => FrameBuilder.Ethernet(FrameBuilder.IPv4Udp(
        IPv4Address.Parse("0.0.0.0"), 68, IPv4Address.Broadcast, 67, new byte[payloadLength]));

    [Theory]
    [InlineData(false, false)]
    [InlineData(true, false)]
    [InlineData(false, true)]
    [InlineData(true, true)]
    public void Pcap_is_read_in_either_byte_order_and_either_resolution(bool bigEndian, bool nanoseconds)
    {
        var data = SampleFrame();
        var bytes = CaptureWriter.Pcap(1, [new(When, data), new(When.AddSeconds(1), data, 1500)], bigEndian, nanoseconds);

        Assert.True(CaptureFile.TryOpen(bytes, out var file, out var error));
        var frames = file.Frames.ToList();

        Assert.Equal(CaptureError.None, error);
        Assert.Equal(nanoseconds ? CaptureFormat.PcapNanosecond : CaptureFormat.Pcap, file.Format);
        Assert.Equal(2, frames.Count);
        Assert.Equal(nanoseconds ? When : When.AddTicks(-7), frames[0].Timestamp);
        Assert.True(frames[0].Data.Span.SequenceEqual(data));
        Assert.Equal(CaptureLinkType.Ethernet, frames[0].LinkType);
        Assert.True(frames[1].IsCutBySnapLength);
        Assert.Equal(1500, frames[1].OriginalLength);
    }

    [Theory]
    [InlineData(new byte[0], CaptureError.Empty)]
    [InlineData(new byte[] { 0xd4, 0xc3 }, CaptureError.TruncatedFileHeader)]
    [InlineData(new byte[] { 0xd4, 0xc3, 0xb2, 0xa1, 2, 0, 4, 0 }, CaptureError.TruncatedFileHeader)]
    [InlineData(new byte[] { (byte)'G', (byte)'I', (byte)'F', (byte)'8', (byte)'9', (byte)'a', 0, 0 }, CaptureError.UnknownFormat)]
    [InlineData(new byte[] { 0x0a, 0x0d, 0x0d, 0x0a, 28, 0, 0, 0 }, CaptureError.TruncatedFileHeader)]
    [InlineData(new byte[] { 0x0a, 0x0d, 0x0d, 0x0a, 28, 0, 0, 0, 1, 2, 3, 4, 0, 0, 0, 0 }, CaptureError.BadSectionHeader)]
    [InlineData(new byte[] { 0x0a, 0x0d, 0x0d, 0x0a, 13, 0, 0, 0, 0x4d, 0x3c, 0x2b, 0x1a, 0, 0, 0, 0 }, CaptureError.BadSectionHeader)]
    [InlineData(new byte[] { 0x0a, 0x0d, 0x0d, 0x0a, 0, 1, 0, 0, 0x4d, 0x3c, 0x2b, 0x1a, 0, 0, 0, 0 }, CaptureError.TruncatedFileHeader)]
    public void Unreadable_bytes_are_refused_with_a_reason(byte[] bytes, CaptureError expected)
    {
        Assert.False(CaptureFile.TryOpen(bytes, out var file, out var error));
        Assert.Null(file);
        Assert.Equal(expected, error);
    }

    [Fact]
    public void A_stream_that_fails_is_reported_as_read_failed()
    {
        Assert.False(CaptureFile.TryOpen(new FailingStream(), out _, out var error));
        Assert.Equal(CaptureError.ReadFailed, error);
    }

    [Fact]
    public void A_stream_is_read_like_bytes()
    {
        var bytes = CaptureWriter.Pcap(1, [new(When, SampleFrame())]);

        Assert.True(CaptureFile.TryOpen(new MemoryStream(bytes), out var file, out _));
        Assert.Single(file.Frames);
    }

    [Fact]
    public void Pcap_record_cut_by_the_end_of_file_is_the_last_frame_and_is_damaged()
    {
        var bytes = CaptureWriter.Pcap(1, [new(When, SampleFrame()), new(When, SampleFrame())]);

        Assert.True(CaptureFile.TryOpen(bytes.AsMemory(0, bytes.Length - 5), out var file, out _));
        var frames = file.Frames.ToList();

        Assert.Equal(2, frames.Count);
        Assert.Equal(CaptureRecordError.TruncatedRecordData, frames[1].Error);
        Assert.Equal(SampleFrame().Length - 5, frames[1].Data.Length);
        Assert.False(UdpDatagramExtractor.TryExtract(frames[1], out _, out var error));
        Assert.Equal(FrameError.DamagedRecord, error);
    }

    [Fact]
    public void Pcap_record_header_cut_by_the_end_of_file_is_reported()
    {
        var bytes = CaptureWriter.Pcap(1, [new(When, SampleFrame())]);
        var cut = bytes.Concat(new byte[7]).ToArray();

        Assert.True(CaptureFile.TryOpen(cut, out var file, out _));

        Assert.Equal(CaptureRecordError.TruncatedRecordHeader, file.Frames.Last().Error);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Pcapng_reads_enhanced_and_simple_packets_and_skips_other_blocks(bool bigEndian)
    {
        var data = SampleFrame();
        var bytes = CaptureWriter.PcapNgSection(1,
        [
            CaptureWriter.OtherBlock(5, 20, bigEndian),
            CaptureWriter.EnhancedPacketBlock(0, 1_700_000_000_123_456, data, bigEndian),
            CaptureWriter.OtherBlock(0x0BAD, 7 * 4, bigEndian),
            CaptureWriter.SimplePacketBlock(data, bigEndian),
        ], bigEndian);

        Assert.True(CaptureFile.TryOpen(bytes, out var file, out _));
        var frames = file.Frames.ToList();

        Assert.Equal(CaptureFormat.PcapNg, file.Format);
        Assert.Equal(2, frames.Count);
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1_700_000_000).AddTicks(1_234_560), frames[0].Timestamp);
        Assert.All(frames, f => Assert.True(f.Data.Span.SequenceEqual(data)));
        Assert.All(frames, f => Assert.Equal(CaptureLinkType.Ethernet, f.LinkType));
    }

    [Theory]
    [InlineData(9, 1_700_000_000_123_456_789UL, 1_234_567)]
    [InlineData(3, 1_700_000_000_123UL, 1_230_000)]
    [InlineData(0x80 | 10, 1_700_000_000UL * 1024 + 512, 5_000_000)]
    public void Pcapng_interface_timestamp_resolution_is_honoured(byte resolution, ulong units, long expectedSubTicks)
    {
        var bytes = CaptureWriter.PcapNgSection(1, [CaptureWriter.EnhancedPacketBlock(0, units, SampleFrame())], timestampResolution: resolution);

        Assert.True(CaptureFile.TryOpen(bytes, out var file, out _));

        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1_700_000_000).AddTicks(expectedSubTicks), Assert.Single(file.Frames).Timestamp);
    }

    [Fact]
    public void Pcapng_sections_of_different_byte_order_follow_each_other()
    {
        var bytes = CaptureWriter.PcapNgSection(1, [CaptureWriter.EnhancedPacketBlock(0, 1, SampleFrame(1))])
            .Concat(CaptureWriter.PcapNgSection(113, [CaptureWriter.EnhancedPacketBlock(0, 2, FrameBuilder.LinuxCooked([]), bigEndian: true)], bigEndian: true))
            .ToArray();

        Assert.True(CaptureFile.TryOpen(bytes, out var file, out _));
        var frames = file.Frames.ToList();

        Assert.Equal([CaptureLinkType.Ethernet, CaptureLinkType.LinuxCooked], frames.Select(f => f.LinkType));
        Assert.All(frames, f => Assert.False(f.IsDamaged));
    }

    [Fact]
    public void Pcapng_packet_for_an_undeclared_interface_is_reported_and_reading_goes_on()
    {
        var bytes = CaptureWriter.PcapNgSection(1,
        [
            CaptureWriter.EnhancedPacketBlock(3, 0, SampleFrame()),
            CaptureWriter.EnhancedPacketBlock(0, 0, SampleFrame()),
        ]);

        Assert.True(CaptureFile.TryOpen(bytes, out var file, out _));
        var frames = file.Frames.ToList();

        Assert.Equal([CaptureRecordError.UnknownInterface, CaptureRecordError.None], frames.Select(f => f.Error));
    }

    [Fact]
    public void Pcapng_block_with_a_bad_length_stops_the_reader_with_a_damaged_frame()
    {
        var block = CaptureWriter.EnhancedPacketBlock(0, 0, SampleFrame());
        block[^1] ^= 0x40;
        var bytes = CaptureWriter.PcapNgSection(1, [CaptureWriter.EnhancedPacketBlock(0, 0, SampleFrame()), block, CaptureWriter.EnhancedPacketBlock(0, 0, SampleFrame())]);

        Assert.True(CaptureFile.TryOpen(bytes, out var file, out _));

        Assert.Equal([CaptureRecordError.None, CaptureRecordError.BadBlockLength], file.Frames.Select(f => f.Error));
    }

    [Fact]
    public void Pcapng_packet_block_cut_by_the_end_of_file_keeps_the_bytes_it_has()
    {
        var bytes = CaptureWriter.PcapNgSection(1, [CaptureWriter.EnhancedPacketBlock(0, 0, SampleFrame(100))]);

        Assert.True(CaptureFile.TryOpen(bytes.AsMemory(0, bytes.Length - 40), out var file, out _));
        var frame = Assert.Single(file.Frames);

        Assert.Equal(CaptureRecordError.TruncatedRecordData, frame.Error);
        Assert.True(frame.Data.Length > 0);
        Assert.True(UdpDatagramExtractor.TryExtractPartial(frame, out var partial, out _));
        Assert.True(partial.IsPartial);
    }

    private sealed class FailingStream : Stream
    {
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => 0; set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override int Read(byte[] buffer, int offset, int count) => throw new IOException("device gone");
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}

using System.IO.Pipes;
using NetBoot.Testing;
using NetBoot.Wire.Capture;
using NetBoot.Wire.Rendering;

namespace NetBoot.Wire.Tests.Capture;

/// <summary>The stream reader behind <c>netboot decode -</c> against the in-memory reader: the same frames for every corpus
/// capture and for every cut of a pcap and a pcapng file; over a real pipe fed one record at a time, each frame is
/// returned (and rendered) before the next record is written.</summary>
public sealed class CaptureStreamReaderTests
{
    public static IEnumerable<object[]> Files => CaptureCorpus.AllKeysData();

    [Theory]
    [MemberData(nameof(Files))]
    public void A_stream_gives_the_frames_the_file_reader_gives(string key)
    {
        var bytes = File.ReadAllBytes(CaptureCorpus.PathOf(key));
        AssertSameFrames(bytes, key);
    }

    /// <summary>Every prefix of two small captures (a pcap and a pcapng): a capture cut anywhere, as a pipe closed
    /// mid-record leaves it, reads as the file reader reads the same cut file (damage reasons included).</summary>
    [Theory]
    [InlineData("testdata/pcap/dhcp/pcapplusplus-Dhcp1.pcap")]
    [InlineData("testdata/pcap/dhcp/tcpdump-dhcp-option-108.pcapng")]
    public void Every_cut_of_a_capture_reads_as_the_file_reader_reads_it(string key)
    {
        var bytes = File.ReadAllBytes(CaptureCorpus.PathOf(key));
        for (var length = 0; length <= bytes.Length; length++)
        {
            AssertSameFrames(bytes[..length], $"{key} cut at {length}");
        }
    }

    [Fact]
    public void A_record_length_beyond_the_limit_ends_the_reading_as_damage_without_allocating_it()
    {
        var bytes = File.ReadAllBytes(CaptureCorpus.PathOf("testdata/pcap/dhcp/pcapplusplus-Dhcp1.pcap"));
        // incl_len of the first record (little-endian file) set to 0x7fffffff.
        BitConverter.GetBytes(0x7fffffff).CopyTo(bytes, PcapFileHeaderLength + 8);
        Assert.True(CaptureStreamReader.TryOpen(new MemoryStream(bytes), out var reader, out _));
        var frame = Assert.Single(reader.ReadFrames());
        Assert.Equal(CaptureRecordError.BadBlockLength, frame.Error);
    }

    [Fact]
    public async Task Over_a_pipe_fed_one_record_at_a_time_each_frame_is_rendered_before_the_next_record_is_written()
    {
        var bytes = File.ReadAllBytes(CaptureCorpus.PathOf("testdata/lab/bios-ipxe-proxy/capture.pcap"));
        var records = PcapRecords(bytes);
        // DHCP and TFTP frames are printed, the others only counted: those are the frames whose arrival shows.
        var shown = ShownFrameNumbers(bytes);
        Assert.True(shown.Count >= 10, "the capture must show enough frames to prove anything");
        var server = new AnonymousPipeServerStream(PipeDirection.Out);
        using var client = new AnonymousPipeClientStream(PipeDirection.In, server.ClientSafePipeHandle);
        var output = new SignallingWriter();
        var rendering = Task.Run(() => CaptureRenderer.Render(client, "-", output));
        try
        {
            server.Write(bytes.AsSpan(0, PcapFileHeaderLength));
            server.Flush();
            output.WaitFor("format  pcap");
            for (var i = 0; i < records.Count; i++)
            {
                var number = i + 1;
                // Nothing of this frame can have been rendered before its bytes are written.
                Assert.DoesNotContain($"\n#{number} ", output.Text, StringComparison.Ordinal);
                server.Write(records[i].Span);
                server.Flush();
                if (shown.Contains(number))
                {
                    output.WaitFor($"\n#{number} ");
                }
            }
            Assert.DoesNotContain("summary", output.Text, StringComparison.Ordinal);
        }
        finally
        {
            // The end of the stream: the renderer then writes its summary (and a blocked read returns).
            server.Dispose();
        }
        var result = await rendering.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.True(result.IsReadable);
        Assert.Equal(records.Count, result.FrameCount);
        Assert.Contains($"summary {records.Count} frames: 10 DHCP, 5 TFTP, 8 not shown", output.Text, StringComparison.Ordinal);
    }

    /// <summary>The numbers of the frames the file rendering prints a line for.</summary>
    private static HashSet<int> ShownFrameNumbers(byte[] capture) =>
        [.. System.Text.RegularExpressions.Regex.Matches(CaptureRenderer.Render(capture, "file").Text, @"^#(\d+) ", System.Text.RegularExpressions.RegexOptions.Multiline)
            .Select(m => int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture))];

    [Fact]
    public void An_empty_stream_and_a_foreign_one_are_not_captures()
    {
        Assert.False(CaptureStreamReader.TryOpen(new MemoryStream(), out _, out var empty));
        Assert.Equal(CaptureError.Empty, empty);
        Assert.False(CaptureStreamReader.TryOpen(new MemoryStream("dhcp-range=10.0.0.0,proxy\n"u8.ToArray()), out _, out var foreign));
        Assert.Equal(CaptureError.UnknownFormat, foreign);
    }

    private const int PcapFileHeaderLength = 24;

    private static void AssertSameFrames(byte[] bytes, string what)
    {
        var fileOpened = CaptureFile.TryOpen(bytes, out var file, out var fileError);
        var streamOpened = CaptureStreamReader.TryOpen(new OneByteAtATimeStream(bytes), out var reader, out var streamError);
        // A pcapng whose first block is cut: the file reader sees that it is cut, the stream reader learns it at the
        // first block; both then read no frame.
        if (fileError == CaptureError.TruncatedFileHeader && streamOpened)
        {
            Assert.All(reader!.ReadFrames(), f => Assert.True(f.IsDamaged, what));
            return;
        }
        Assert.Equal(fileOpened, streamOpened);
        Assert.Equal(fileError, streamError);
        if (!fileOpened)
        {
            return;
        }
        Assert.Equal(file!.Format, reader!.Format);
        var expected = file.Frames.ToList();
        var actual = reader.ReadFrames().ToList();
        Assert.Equal(expected.Count, actual.Count);
        for (var i = 0; i < expected.Count; i++)
        {
            Assert.Equal((expected[i].Number, expected[i].Timestamp, expected[i].LinkType, expected[i].OriginalLength, expected[i].Error),
                (actual[i].Number, actual[i].Timestamp, actual[i].LinkType, actual[i].OriginalLength, actual[i].Error));
            Assert.True(expected[i].Data.Span.SequenceEqual(actual[i].Data.Span), $"{what}: frame {i + 1} bytes differ");
        }
    }

    /// <summary>The records of a little-endian pcap file, each with its header.</summary>
    private static List<ReadOnlyMemory<byte>> PcapRecords(byte[] bytes)
    {
        var records = new List<ReadOnlyMemory<byte>>();
        for (var at = PcapFileHeaderLength; at < bytes.Length;)
        {
            var length = 16 + BitConverter.ToInt32(bytes, at + 8);
            records.Add(bytes.AsMemory(at, length));
            at += length;
        }
        return records;
    }

    /// <summary>A non-seekable stream that hands out one byte per read: the worst a pipe can do.</summary>
    private sealed class OneByteAtATimeStream(byte[] bytes) : Stream
    {
        private int _position;

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            if (_position >= bytes.Length || buffer.IsEmpty)
            {
                return 0;
            }
            buffer[0] = bytes[_position++];
            return 1;
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }

    /// <summary>Collects what the renderer writes and lets the test wait (bounded) until a text has appeared.</summary>
    private sealed class SignallingWriter : StringWriter
    {
        private readonly Lock _gate = new();
        private readonly SemaphoreSlim _written = new(0);

        public string Text
        {
            get
            {
                lock (_gate)
                {
                    return ToString();
                }
            }
        }

        public override void Write(char value)
        {
            lock (_gate)
            {
                base.Write(value);
            }
        }

        public override void Write(string? value)
        {
            lock (_gate)
            {
                base.Write(value);
            }
        }

        public override void Flush() => _written.Release();

        public void WaitFor(string text)
        {
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
            while (!Text.Contains(text, StringComparison.Ordinal))
            {
                var left = deadline - DateTime.UtcNow;
                if (left <= TimeSpan.Zero || !_written.Wait(left))
                {
                    throw new TimeoutException($"'{text}' was not rendered; so far:\n{Text}");
                }
            }
        }
    }
}

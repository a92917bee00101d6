using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;

namespace NetBoot.Wire.Capture;

/// <summary>A pcap or pcapng capture read from a stream as it arrives, such as a pipe from <c>tcpdump -U -w -</c>: each
/// frame is returned as soon as the last byte of its record is read, and nothing is read ahead of it, so a capture fed
/// one packet at a time is decoded one packet at a time (the stream need not be seekable, and is never held whole).
/// Records are read as <see cref="CaptureFile"/> reads them, with the same damage reasons; a record longer than
/// <see cref="MaxRecordLength"/> ends the reading as a damaged frame rather than an allocation a garbled length asks for.</summary>
public sealed class CaptureStreamReader
{
    /// <summary>The longest pcap record or pcapng block read (a snap length of 262 144 is the most libpcap writes).</summary>
    public const int MaxRecordLength = 16 << 20;

    private readonly Stream _stream;
    private readonly ByteOrder _pcapByteOrder;
    /// <summary>The pcap file header, or the first 12 bytes of the first pcapng block (read to recognise the format).</summary>
    private readonly byte[] _head;

    private CaptureStreamReader(Stream stream, CaptureFormat format, ByteOrder pcapByteOrder, byte[] head)
    {
        _stream = stream;
        Format = format;
        _pcapByteOrder = pcapByteOrder;
        _head = head;
    }

    public CaptureFormat Format { get; }

    /// <summary>The pcap file's link type; <see cref="CaptureLinkType.Unknown"/> for pcapng (each interface states its own).</summary>
    public CaptureLinkType LinkType => Format == CaptureFormat.PcapNg ? CaptureLinkType.Unknown : PcapReader.LinkType(_head, _pcapByteOrder);

    /// <summary>Reads the file header (blocking until it has arrived) and recognises the format.</summary>
    public static bool TryOpen(Stream stream, [NotNullWhen(true)] out CaptureStreamReader? reader, out CaptureError error)
    {
        ArgumentNullException.ThrowIfNull(stream);
        reader = null;
        var magic = new byte[4];
        if (!TryRead(stream, magic, out var read, out error))
        {
            return false;
        }
        if (read < magic.Length)
        {
            error = read == 0 ? CaptureError.Empty : CaptureError.TruncatedFileHeader;
            return false;
        }
        if (BinaryPrimitives.ReadUInt32LittleEndian(magic) == PcapNgReader.SectionHeaderType)
        {
            return TryOpenRest(stream, magic, PcapNgReader.MinimumBlockLength, CaptureFormat.PcapNg, ByteOrder.Little, out reader, out error);
        }
        if (!CaptureFile.TryRecognisePcap(magic, out var format, out var order))
        {
            error = CaptureError.UnknownFormat;
            return false;
        }
        return TryOpenRest(stream, magic, PcapReader.FileHeaderLength, format, order, out reader, out error);
    }

    /// <summary>Every frame, each returned once its record has arrived. Ends at the end of the stream, or after a damaged
    /// frame that loses the framing.</summary>
    public IEnumerable<CaptureFrame> ReadFrames() => Format == CaptureFormat.PcapNg ? ReadPcapNg() : ReadPcap();

    private IEnumerable<CaptureFrame> ReadPcap()
    {
        var linkType = LinkType;
        var header = new byte[PcapReader.RecordHeaderLength];
        for (var number = 1; ; number++)
        {
            if (!TryRead(_stream, header, out var read, out _) || read == 0)
            {
                yield break;
            }
            if (read < header.Length)
            {
                yield return PcapReader.Damaged(number, linkType, header.AsMemory(0, read), CaptureRecordError.TruncatedRecordHeader);
                yield break;
            }
            var length = PcapReader.CapturedLength(header, _pcapByteOrder);
            if (length > MaxRecordLength)
            {
                yield return PcapReader.Damaged(number, linkType, ReadOnlyMemory<byte>.Empty, CaptureRecordError.BadBlockLength);
                yield break;
            }
            var data = new byte[length];
            TryRead(_stream, data, out read, out _);
            yield return PcapReader.Record(number, header, data.AsMemory(0, read), _pcapByteOrder, Format, linkType);
            if (read < data.Length)
            {
                yield break;
            }
        }
    }

    private IEnumerable<CaptureFrame> ReadPcapNg()
    {
        var section = new PcapNgReader.Section();
        var head = _head;
        while (true)
        {
            if (head.Length == 0)
            {
                head = new byte[PcapNgReader.MinimumBlockLength];
                if (!TryRead(_stream, head, out var read, out _) || read == 0)
                {
                    yield break;
                }
                if (read < head.Length)
                {
                    yield return section.Damaged(CaptureRecordError.TruncatedRecordHeader);
                    yield break;
                }
            }
            if (section.ReadHeader(head, out var type, out var length) is not CaptureRecordError.None and var error)
            {
                yield return section.Damaged(error);
                yield break;
            }
            if (length > MaxRecordLength)
            {
                yield return section.Damaged(CaptureRecordError.BadBlockLength);
                yield break;
            }
            var block = new byte[length];
            head.CopyTo(block, 0);
            TryRead(_stream, block.AsSpan(head.Length), out var rest, out _);
            if (head.Length + rest < block.Length)
            {
                yield return section.Cut(type, block.AsMemory(0, head.Length + rest));
                yield break;
            }
            var (frame, stop) = section.Accept(type, block);
            if (frame is not null)
            {
                yield return frame;
            }
            if (stop)
            {
                yield break;
            }
            head = [];
        }
    }

    private static bool TryOpenRest(Stream stream, byte[] magic, int headLength, CaptureFormat format, ByteOrder order,
        out CaptureStreamReader? reader, out CaptureError error)
    {
        reader = null;
        var head = new byte[headLength];
        magic.CopyTo(head, 0);
        if (!TryRead(stream, head.AsSpan(magic.Length), out var read, out error))
        {
            return false;
        }
        if (magic.Length + read < headLength)
        {
            error = CaptureError.TruncatedFileHeader;
            return false;
        }
        if (format == CaptureFormat.PcapNg && !IsValidFirstSection(head))
        {
            error = CaptureError.BadSectionHeader;
            return false;
        }
        reader = new CaptureStreamReader(stream, format, order, head);
        error = CaptureError.None;
        return true;
    }

    /// <summary>The first block's byte-order magic and length, as <see cref="PcapNgReader.CheckFirstSection"/> checks them
    /// (its length against what follows is checked when the block is read).</summary>
    private static bool IsValidFirstSection(byte[] head) =>
        new PcapNgReader.Section().ReadHeader(head, out _, out var length) == CaptureRecordError.None && length >= PcapNgReader.SectionHeaderMinimumLength;

    /// <summary>Fills <paramref name="buffer"/> unless the stream ends first (then <paramref name="read"/> is short).</summary>
    private static bool TryRead(Stream stream, Span<byte> buffer, out int read, out CaptureError error)
    {
        try
        {
            read = stream.ReadAtLeast(buffer, buffer.Length, throwOnEndOfStream: false);
            error = CaptureError.None;
            return true;
        }
        catch (IOException)
        {
            read = 0;
            error = CaptureError.ReadFailed;
            return false;
        }
    }
}

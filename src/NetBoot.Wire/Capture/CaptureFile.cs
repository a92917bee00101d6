using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;

namespace NetBoot.Wire.Capture;

/// <summary>A pcap or pcapng capture held in memory. <see cref="Frames"/> walks its records lazily;
/// damaged records come out as frames with <see cref="CaptureFrame.Error"/> set, never as exceptions.
/// A test and tooling aid: the server itself never reads captures.</summary>
public sealed class CaptureFile
{
    private const uint PcapMicroseconds = 0xA1B2C3D4;
    private const uint PcapNanoseconds = 0xA1B23C4D;

    private readonly ReadOnlyMemory<byte> _bytes;
    private readonly ByteOrder _pcapByteOrder;

    private CaptureFile(ReadOnlyMemory<byte> bytes, CaptureFormat format, ByteOrder pcapByteOrder)
    {
        _bytes = bytes;
        Format = format;
        _pcapByteOrder = pcapByteOrder;
    }

    public CaptureFormat Format { get; }

    /// <summary>Length in bytes of the whole file.</summary>
    public int Length => _bytes.Length;

    /// <summary>Every record, in file order. Each enumeration starts again from the beginning.</summary>
    public IEnumerable<CaptureFrame> Frames =>
        Format == CaptureFormat.PcapNg ? PcapNgReader.ReadFrames(_bytes) : PcapReader.ReadFrames(_bytes, _pcapByteOrder, Format);

    /// <summary>Recognises the format from the first bytes and checks the file header; the records are read later.</summary>
    public static bool TryOpen(ReadOnlyMemory<byte> bytes, [NotNullWhen(true)] out CaptureFile? file, out CaptureError error)
    {
        file = null;
        var span = bytes.Span;
        if (span.IsEmpty)
        {
            error = CaptureError.Empty;
            return false;
        }
        if (span.Length < 4)
        {
            error = CaptureError.TruncatedFileHeader;
            return false;
        }
        if (BinaryPrimitives.ReadUInt32LittleEndian(span) == PcapNgReader.SectionHeaderType)
        {
            error = PcapNgReader.CheckFirstSection(span);
            file = error == CaptureError.None ? new CaptureFile(bytes, CaptureFormat.PcapNg, ByteOrder.Little) : null;
            return file is not null;
        }
        if (!TryRecognisePcap(span, out var format, out var order))
        {
            error = CaptureError.UnknownFormat;
            return false;
        }
        if (span.Length < PcapReader.FileHeaderLength)
        {
            error = CaptureError.TruncatedFileHeader;
            return false;
        }
        file = new CaptureFile(bytes, format, order);
        error = CaptureError.None;
        return true;
    }

    /// <summary>Reads the whole stream (captures for tests are small) and opens it.</summary>
    public static bool TryOpen(Stream stream, [NotNullWhen(true)] out CaptureFile? file, out CaptureError error)
    {
        ArgumentNullException.ThrowIfNull(stream);
        byte[] bytes;
        try
        {
            using var copy = new MemoryStream();
            stream.CopyTo(copy);
            bytes = copy.ToArray();
        }
        catch (IOException)
        {
            file = null;
            error = CaptureError.ReadFailed;
            return false;
        }
        return TryOpen(bytes, out file, out error);
    }

    internal static bool TryRecognisePcap(ReadOnlySpan<byte> span, out CaptureFormat format, out ByteOrder order)
    {
        var little = BinaryPrimitives.ReadUInt32LittleEndian(span);
        var big = BinaryPrimitives.ReadUInt32BigEndian(span);
        (format, order) = (little, big) switch
        {
            (PcapMicroseconds, _) => (CaptureFormat.Pcap, ByteOrder.Little),
            (_, PcapMicroseconds) => (CaptureFormat.Pcap, ByteOrder.Big),
            (PcapNanoseconds, _) => (CaptureFormat.PcapNanosecond, ByteOrder.Little),
            (_, PcapNanoseconds) => (CaptureFormat.PcapNanosecond, ByteOrder.Big),
            _ => ((CaptureFormat)(-1), ByteOrder.Little),
        };
        return Enum.IsDefined(format);
    }
}

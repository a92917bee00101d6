namespace NetBoot.Wire.Capture;

/// <summary>libpcap format: a 24-byte file header, then records of a 16-byte header and the captured bytes
/// (tcpdump.org, "pcap capture file format", draft-ietf-opsawg-pcap).</summary>
internal static class PcapReader
{
    public const int FileHeaderLength = 24;
    public const int RecordHeaderLength = 16;

    public static IEnumerable<CaptureFrame> ReadFrames(ReadOnlyMemory<byte> file, ByteOrder order, CaptureFormat format)
    {
        var linkType = LinkType(file.Span, order);
        var position = FileHeaderLength;
        var number = 0;
        while (position < file.Length)
        {
            number++;
            var remaining = file.Length - position;
            if (remaining < RecordHeaderLength)
            {
                yield return Damaged(number, linkType, file.Slice(position), CaptureRecordError.TruncatedRecordHeader);
                yield break;
            }
            var header = file.Span.Slice(position, RecordHeaderLength);
            var capturedLength = CapturedLength(header, order);
            var dataStart = position + RecordHeaderLength;
            if (capturedLength > (uint)(file.Length - dataStart))
            {
                yield return Record(number, header, file.Slice(dataStart), order, format, linkType);
                yield break;
            }
            yield return Record(number, header, file.Slice(dataStart, (int)capturedLength), order, format, linkType);
            position = dataStart + (int)capturedLength;
        }
    }

    /// <summary>The file's link type: the LinkType field's upper 16 bits carry FCS information, the type is the lower 16.</summary>
    public static CaptureLinkType LinkType(ReadOnlySpan<byte> fileHeader, ByteOrder order) =>
        (CaptureLinkType)(order.UInt32(fileHeader.Slice(20, 4)) & 0xFFFF);

    /// <summary>The <c>incl_len</c> of a record header: how many captured bytes follow it.</summary>
    public static uint CapturedLength(ReadOnlySpan<byte> recordHeader, ByteOrder order) => order.UInt32(recordHeader[8..]);

    /// <summary>One record: its header and the bytes that followed it (fewer than <c>incl_len</c> when the capture ended
    /// inside the record, which is then marked <see cref="CaptureRecordError.TruncatedRecordData"/>).</summary>
    public static CaptureFrame Record(int number, ReadOnlySpan<byte> header, ReadOnlyMemory<byte> data, ByteOrder order, CaptureFormat format, CaptureLinkType linkType)
    {
        var resolution = format == CaptureFormat.PcapNanosecond ? TimestampResolution.Nanoseconds : TimestampResolution.Microseconds;
        var timestamp = resolution.ToTimestamp(order.UInt32(header), order.UInt32(header[4..]));
        var originalLength = (int)Math.Min(order.UInt32(header[12..]), int.MaxValue);
        var error = CapturedLength(header, order) > (uint)data.Length ? CaptureRecordError.TruncatedRecordData : CaptureRecordError.None;
        return new CaptureFrame(number, timestamp, linkType, data, originalLength, error);
    }

    public static CaptureFrame Damaged(int number, CaptureLinkType linkType, ReadOnlyMemory<byte> rest, CaptureRecordError error) =>
        new(number, DateTimeOffset.UnixEpoch, linkType, ReadOnlyMemory<byte>.Empty, rest.Length, error);
}

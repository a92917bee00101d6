namespace NetBoot.Wire.Capture;

/// <summary>libpcap format: a 24-byte file header, then records of a 16-byte header and the captured bytes
/// (tcpdump.org, "pcap capture file format", draft-ietf-opsawg-pcap).</summary>
internal static class PcapReader
{
    public const int FileHeaderLength = 24;
    private const int RecordHeaderLength = 16;

    public static IEnumerable<CaptureFrame> ReadFrames(ReadOnlyMemory<byte> file, ByteOrder order, CaptureFormat format)
    {
        var resolution = format == CaptureFormat.PcapNanosecond ? TimestampResolution.Nanoseconds : TimestampResolution.Microseconds;
        // The LinkType field's upper 16 bits carry FCS information; the link type is the lower 16.
        var linkType = (CaptureLinkType)(order.UInt32(file.Span.Slice(20, 4)) & 0xFFFF);
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
            var timestamp = resolution.ToTimestamp(order.UInt32(header), order.UInt32(header[4..]));
            var capturedLength = order.UInt32(header[8..]);
            var originalLength = (int)Math.Min(order.UInt32(header[12..]), int.MaxValue);
            var dataStart = position + RecordHeaderLength;
            if (capturedLength > (uint)(file.Length - dataStart))
            {
                yield return new CaptureFrame(number, timestamp, linkType, file.Slice(dataStart), originalLength, CaptureRecordError.TruncatedRecordData);
                yield break;
            }
            yield return new CaptureFrame(number, timestamp, linkType, file.Slice(dataStart, (int)capturedLength), originalLength);
            position = dataStart + (int)capturedLength;
        }
    }

    private static CaptureFrame Damaged(int number, CaptureLinkType linkType, ReadOnlyMemory<byte> rest, CaptureRecordError error) =>
        new(number, DateTimeOffset.UnixEpoch, linkType, ReadOnlyMemory<byte>.Empty, rest.Length, error);
}

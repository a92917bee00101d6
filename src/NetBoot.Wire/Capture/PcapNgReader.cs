using System.Buffers.Binary;

namespace NetBoot.Wire.Capture;

/// <summary>pcapng (draft-ietf-opsawg-pcapng): blocks of <c>type | length | body | length</c>. Reads section
/// headers (byte order), interface descriptions (link type, snap length, <c>if_tsresol</c>, <c>if_tsoffset</c>),
/// enhanced, simple and obsolete packet blocks; every other block is skipped.</summary>
internal static class PcapNgReader
{
    public const uint SectionHeaderType = 0x0A0D0D0A;
    private const uint InterfaceDescriptionType = 1;
    private const uint ObsoletePacketType = 2;
    private const uint SimplePacketType = 3;
    private const uint EnhancedPacketType = 6;
    private const uint ByteOrderMagic = 0x1A2B3C4D;
    internal const int MinimumBlockLength = 12;
    internal const int SectionHeaderMinimumLength = 28;

    private sealed record Interface(CaptureLinkType LinkType, uint SnapLength, TimestampResolution Resolution, long OffsetSeconds);

    public static CaptureError CheckFirstSection(ReadOnlySpan<byte> file)
    {
        if (file.Length < MinimumBlockLength)
        {
            return CaptureError.TruncatedFileHeader;
        }
        if (!TryByteOrder(file, out var order))
        {
            return CaptureError.BadSectionHeader;
        }
        var length = order.UInt32(file[4..]);
        return length < SectionHeaderMinimumLength || length % 4 != 0 ? CaptureError.BadSectionHeader
            : length > (uint)file.Length ? CaptureError.TruncatedFileHeader
            : CaptureError.None;
    }

    public static IEnumerable<CaptureFrame> ReadFrames(ReadOnlyMemory<byte> file)
    {
        var section = new Section();
        var position = 0;
        while (position < file.Length)
        {
            var block = file.Slice(position);
            if (block.Length < MinimumBlockLength)
            {
                yield return section.Damaged(CaptureRecordError.TruncatedRecordHeader);
                yield break;
            }
            if (section.ReadHeader(block.Span, out var type, out var length) is not CaptureRecordError.None and var error)
            {
                yield return section.Damaged(error);
                yield break;
            }
            if (length > (uint)block.Length)
            {
                yield return section.Cut(type, block);
                yield break;
            }
            var (frame, stop) = section.Accept(type, block[..(int)length]);
            if (frame is not null)
            {
                yield return frame;
            }
            if (stop)
            {
                yield break;
            }
            position += (int)length;
        }
    }

    /// <summary>The reading state of a pcapng stream: the current section's byte order and interfaces, and the number of
    /// the last frame. Fed one block at a time, by <see cref="ReadFrames"/> from a file in memory and by
    /// <see cref="CaptureStreamReader"/> from a stream as each block arrives.</summary>
    internal sealed class Section
    {
        private readonly List<Interface> _interfaces = [];
        private ByteOrder _order = ByteOrder.Little;
        private int _number;

        /// <summary>Reads a block's type and length from its first <see cref="MinimumBlockLength"/> bytes, in its section's
        /// byte order (pcapng §4.1: a section header states its own, and interfaces are numbered afresh after it).</summary>
        public CaptureRecordError ReadHeader(ReadOnlySpan<byte> head, out uint type, out uint length)
        {
            type = _order.UInt32(head);
            length = 0;
            if (type == SectionHeaderType)
            {
                if (!TryByteOrder(head, out _order))
                {
                    return CaptureRecordError.BadBlockLength;
                }
                _interfaces.Clear();
            }
            length = _order.UInt32(head[4..]);
            return length < MinimumBlockLength || length % 4 != 0 ? CaptureRecordError.BadBlockLength : CaptureRecordError.None;
        }

        /// <summary>One whole block (its <c>length</c> bytes): an interface description is kept, a packet block becomes a
        /// frame. <c>Stop</c> when the trailing length differs from the leading one: the framing is lost.</summary>
        public (CaptureFrame? Frame, bool Stop) Accept(uint type, ReadOnlyMemory<byte> block)
        {
            var length = block.Length;
            if (_order.UInt32(block.Span[(length - 4)..]) != (uint)length)
            {
                return (Damaged(CaptureRecordError.BadBlockLength), true);
            }
            var body = block.Slice(8, length - MinimumBlockLength);
            if (type == InterfaceDescriptionType)
            {
                _interfaces.Add(ReadInterface(body.Span, _order));
                return (null, false);
            }
            return IsPacketBlock(type) ? (ReadPacket(++_number, type, body, _order, _interfaces), false) : (null, false);
        }

        /// <summary>A block cut by the end of the capture: a packet block gives what it holds, any other a damaged frame.</summary>
        public CaptureFrame Cut(uint type, ReadOnlyMemory<byte> partialBlock) =>
            IsPacketBlock(type) ? TruncatedPacket(++_number, type, partialBlock, _order, _interfaces) : Damaged(CaptureRecordError.TruncatedRecordData);

        public CaptureFrame Damaged(CaptureRecordError error) => PcapNgReader.Damaged(++_number, error);
    }

    private static bool IsPacketBlock(uint type) => type is EnhancedPacketType or SimplePacketType or ObsoletePacketType;

    private static bool TryByteOrder(ReadOnlySpan<byte> block, out ByteOrder order)
    {
        order = ByteOrder.Little;
        if (block.Length < MinimumBlockLength)
        {
            return false;
        }
        var magic = block.Slice(8, 4);
        if (BinaryPrimitives.ReadUInt32LittleEndian(magic) == ByteOrderMagic)
        {
            return true;
        }
        order = ByteOrder.Big;
        return BinaryPrimitives.ReadUInt32BigEndian(magic) == ByteOrderMagic;
    }

    private static Interface ReadInterface(ReadOnlySpan<byte> body, ByteOrder order)
    {
        if (body.Length < 8)
        {
            return new Interface(CaptureLinkType.Unknown, 0, TimestampResolution.Microseconds, 0);
        }
        var linkType = (CaptureLinkType)order.UInt16(body);
        var snapLength = order.UInt32(body[4..]);
        var resolution = TimestampResolution.Microseconds;
        long offset = 0;
        // Options: code(2) | length(2) | value padded to 4; code 0 ends them.
        var options = body[8..];
        while (options.Length >= 4)
        {
            var code = order.UInt16(options);
            var valueLength = order.UInt16(options[2..]);
            if (code == 0 || 4 + valueLength > options.Length)
            {
                break;
            }
            var value = options.Slice(4, valueLength);
            if (code == 9 && valueLength >= 1)
            {
                resolution = TimestampResolution.FromOption(value[0]);
            }
            else if (code == 14 && valueLength >= 8)
            {
                offset = order.Int64(value);
            }
            options = options[Math.Min(options.Length, 4 + ((valueLength + 3) & ~3))..];
        }
        return new Interface(linkType, snapLength, resolution, offset);
    }

    private static CaptureFrame ReadPacket(int number, uint type, ReadOnlyMemory<byte> body, ByteOrder order, List<Interface> interfaces)
    {
        var span = body.Span;
        if (type == SimplePacketType)
        {
            // pcapng §4.4: interface 0; captured length = min(original length, snap length, what the block holds).
            if (span.Length < 4)
            {
                return Damaged(number, CaptureRecordError.BadBlockLength);
            }
            if (interfaces.Count == 0)
            {
                return Damaged(number, CaptureRecordError.UnknownInterface);
            }
            var first = interfaces[0];
            var original = order.UInt32(span);
            var captured = (int)Math.Min(Math.Min(original, first.SnapLength == 0 ? uint.MaxValue : first.SnapLength), (uint)(span.Length - 4));
            return new CaptureFrame(number, DateTimeOffset.UnixEpoch, first.LinkType, body.Slice(4, captured), ClampLength(original));
        }
        // Enhanced (§4.3) and obsolete (appendix) packet blocks share the layout; the obsolete one has a 2-byte
        // interface id followed by a 2-byte drop count.
        const int headerLength = 20;
        if (span.Length < headerLength)
        {
            return Damaged(number, CaptureRecordError.BadBlockLength);
        }
        var interfaceId = type == EnhancedPacketType ? order.UInt32(span) : order.UInt16(span);
        if (interfaceId >= (uint)interfaces.Count)
        {
            return Damaged(number, CaptureRecordError.UnknownInterface);
        }
        var source = interfaces[(int)interfaceId];
        var units = ((ulong)order.UInt32(span[4..]) << 32) | order.UInt32(span[8..]);
        var timestamp = source.Resolution.ToTimestamp(units, source.OffsetSeconds);
        var capturedLength = order.UInt32(span[12..]);
        var originalLength = ClampLength(order.UInt32(span[16..]));
        var available = span.Length - headerLength;
        if (capturedLength > (uint)available)
        {
            return new CaptureFrame(number, timestamp, source.LinkType, body.Slice(headerLength), originalLength, CaptureRecordError.TruncatedRecordData);
        }
        return new CaptureFrame(number, timestamp, source.LinkType, body.Slice(headerLength, (int)capturedLength), originalLength);
    }

    /// <summary>A packet block cut by the end of the file: report what is there, with the block's own header if readable.</summary>
    private static CaptureFrame TruncatedPacket(int number, uint type, ReadOnlyMemory<byte> block, ByteOrder order, List<Interface> interfaces)
    {
        var body = block[8..];
        var frame = ReadPacket(number, type, body, order, interfaces);
        return frame with { Error = frame.Error is CaptureRecordError.None or CaptureRecordError.BadBlockLength ? CaptureRecordError.TruncatedRecordData : frame.Error };
    }

    private static int ClampLength(uint length) => (int)Math.Min(length, int.MaxValue);

    private static CaptureFrame Damaged(int number, CaptureRecordError error) =>
        new(number, DateTimeOffset.UnixEpoch, CaptureLinkType.Unknown, ReadOnlyMemory<byte>.Empty, 0, error);
}

using System.Buffers.Binary;

namespace NetBoot.Testing;

/// <summary>One frame to write into a test capture.</summary>
public sealed record CapturedFrameSpec(DateTimeOffset Timestamp, byte[] Data, int? OriginalLength = null);

/// <summary>Writes small pcap and pcapng files in either byte order, to test the capture reader against
/// layouts the corpus lacks (big-endian, SLL2, simple packet blocks, several sections).</summary>
public static class CaptureWriter
{
    public static byte[] Pcap(ushort linkType, IEnumerable<CapturedFrameSpec> frames, bool bigEndian = false, bool nanoseconds = false)
    {
        using var output = new MemoryStream();
        var w = new EndianWriter(output, bigEndian);
        w.UInt32(nanoseconds ? 0xA1B23C4Du : 0xA1B2C3D4u);
        w.UInt16(2);
        w.UInt16(4);
        w.UInt32(0);
        w.UInt32(0);
        w.UInt32(65535);
        w.UInt32(linkType);
        foreach (var frame in frames)
        {
            var sinceEpoch = frame.Timestamp - DateTimeOffset.UnixEpoch;
            var seconds = (uint)(sinceEpoch.Ticks / TimeSpan.TicksPerSecond);
            var subTicks = sinceEpoch.Ticks % TimeSpan.TicksPerSecond;
            w.UInt32(seconds);
            w.UInt32((uint)(nanoseconds ? subTicks * 100 : subTicks / 10));
            w.UInt32((uint)frame.Data.Length);
            w.UInt32((uint)(frame.OriginalLength ?? frame.Data.Length));
            output.Write(frame.Data);
        }
        return output.ToArray();
    }

    /// <summary>A pcapng section: SHB, one IDB (with <c>if_tsresol</c> when given), then the blocks.</summary>
    public static byte[] PcapNgSection(ushort linkType, IEnumerable<byte[]> blocks, bool bigEndian = false, byte? timestampResolution = null, uint snapLength = 0)
    {
        using var output = new MemoryStream();
        var w = new EndianWriter(output, bigEndian);
        Block(w, 0x0A0D0D0A, body =>
        {
            body.UInt32(0x1A2B3C4D);
            body.UInt16(1);
            body.UInt16(0);
            body.UInt64(ulong.MaxValue);
        });
        Block(w, 1, body =>
        {
            body.UInt16(linkType);
            body.UInt16(0);
            body.UInt32(snapLength);
            if (timestampResolution is { } resolution)
            {
                body.UInt16(9);
                body.UInt16(1);
                body.Bytes([resolution, 0, 0, 0]);
                body.UInt16(0);
                body.UInt16(0);
            }
        });
        foreach (var block in blocks)
        {
            output.Write(block);
        }
        return output.ToArray();
    }

    /// <summary>An enhanced packet block; <paramref name="units"/> is the timestamp in the interface's resolution.</summary>
    public static byte[] EnhancedPacketBlock(uint interfaceId, ulong units, byte[] data, bool bigEndian = false, int? originalLength = null) =>
        BlockBytes(bigEndian, 6, body =>
        {
            body.UInt32(interfaceId);
            body.UInt32((uint)(units >> 32));
            body.UInt32((uint)units);
            body.UInt32((uint)data.Length);
            body.UInt32((uint)(originalLength ?? data.Length));
            body.Bytes(data);
            body.Pad();
        });

    public static byte[] SimplePacketBlock(byte[] data, bool bigEndian = false) =>
        BlockBytes(bigEndian, 3, body =>
        {
            body.UInt32((uint)data.Length);
            body.Bytes(data);
            body.Pad();
        });

    /// <summary>A block of a type the reader must skip (e.g. 5 = interface statistics, 0x0BAD = custom).</summary>
    public static byte[] OtherBlock(uint type, int bodyLength, bool bigEndian = false) =>
        BlockBytes(bigEndian, type, body => body.Bytes(new byte[bodyLength]));

    private static byte[] BlockBytes(bool bigEndian, uint type, Action<EndianWriter> writeBody)
    {
        using var output = new MemoryStream();
        Block(new EndianWriter(output, bigEndian), type, writeBody);
        return output.ToArray();
    }

    private static void Block(EndianWriter w, uint type, Action<EndianWriter> writeBody)
    {
        using var body = new MemoryStream();
        var bodyWriter = new EndianWriter(body, w.BigEndian);
        writeBody(bodyWriter);
        bodyWriter.Pad();
        var length = (uint)(12 + body.Length);
        w.UInt32(type);
        w.UInt32(length);
        w.Bytes(body.ToArray());
        w.UInt32(length);
    }

    private sealed class EndianWriter(Stream stream, bool bigEndian)
    {
        public bool BigEndian => bigEndian;

        public void UInt16(ushort value)
        {
            Span<byte> b = stackalloc byte[2];
            if (bigEndian) { BinaryPrimitives.WriteUInt16BigEndian(b, value); } else { BinaryPrimitives.WriteUInt16LittleEndian(b, value); }
            stream.Write(b);
        }

        public void UInt32(uint value)
        {
            Span<byte> b = stackalloc byte[4];
            if (bigEndian) { BinaryPrimitives.WriteUInt32BigEndian(b, value); } else { BinaryPrimitives.WriteUInt32LittleEndian(b, value); }
            stream.Write(b);
        }

        public void UInt64(ulong value)
        {
            Span<byte> b = stackalloc byte[8];
            if (bigEndian) { BinaryPrimitives.WriteUInt64BigEndian(b, value); } else { BinaryPrimitives.WriteUInt64LittleEndian(b, value); }
            stream.Write(b);
        }

        public void Bytes(ReadOnlySpan<byte> bytes) => stream.Write(bytes);

        public void Pad()
        {
            while (stream.Length % 4 != 0)
            {
                stream.WriteByte(0);
            }
        }
    }
}

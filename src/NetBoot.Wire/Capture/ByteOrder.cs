using System.Buffers.Binary;

namespace NetBoot.Wire.Capture;

/// <summary>The byte order a capture file was written in (pcap and pcapng both follow the writer's host).</summary>
internal readonly record struct ByteOrder(bool IsLittleEndian)
{
    public static readonly ByteOrder Little = new(true);
    public static readonly ByteOrder Big = new(false);

    public ushort UInt16(ReadOnlySpan<byte> bytes) =>
        IsLittleEndian ? BinaryPrimitives.ReadUInt16LittleEndian(bytes) : BinaryPrimitives.ReadUInt16BigEndian(bytes);

    public uint UInt32(ReadOnlySpan<byte> bytes) =>
        IsLittleEndian ? BinaryPrimitives.ReadUInt32LittleEndian(bytes) : BinaryPrimitives.ReadUInt32BigEndian(bytes);

    public long Int64(ReadOnlySpan<byte> bytes) =>
        IsLittleEndian ? BinaryPrimitives.ReadInt64LittleEndian(bytes) : BinaryPrimitives.ReadInt64BigEndian(bytes);
}

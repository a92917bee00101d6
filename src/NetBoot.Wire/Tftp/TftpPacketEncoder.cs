using System.Buffers.Binary;
using System.Text;

namespace NetBoot.Wire.Tftp;

/// <summary>Writes TFTP packets into a caller's buffer (RFC 1350 §5, RFC 2347). The DATA/ACK writers do not
/// allocate. A destination too small is a caller bug and throws <see cref="ArgumentException"/>.</summary>
public static class TftpPacketEncoder
{
    /// <summary>Length of the DATA and ACK headers: opcode + block number.</summary>
    public const int HeaderLength = 4;

    /// <summary>Writes <c>00 03 block</c>; the caller puts the payload at <c>destination[4..]</c>. Returns 4.</summary>
    public static int WriteDataHeader(Span<byte> destination, ushort block) =>
        WriteHeader(destination, TftpOpcode.Data, block);

    /// <summary>Writes a 4-byte ACK. Returns 4.</summary>
    public static int WriteAck(Span<byte> destination, ushort block) =>
        WriteHeader(destination, TftpOpcode.Acknowledgment, block);

    /// <summary>Writes <c>00 05 code message NUL</c> (message in UTF-8). Returns the length.</summary>
    public static int WriteError(Span<byte> destination, TftpErrorCode code, string message)
    {
        var length = GetErrorLength(message);
        EnsureRoom(destination, length);
        WriteHeader(destination, TftpOpcode.Error, (ushort)code);
        var written = Encoding.UTF8.GetBytes(message, destination[4..]);
        destination[4 + written] = 0;
        return length;
    }

    public static int GetErrorLength(string message) => HeaderLength + Encoding.UTF8.GetByteCount(message) + 1;

    /// <summary>Writes <c>00 06 [name NUL value NUL]*</c> (RFC 2347 §2). Returns the length.</summary>
    public static int WriteOack(Span<byte> destination, ReadOnlySpan<TftpOption> options)
    {
        var length = GetOackLength(options);
        EnsureRoom(destination, length);
        BinaryPrimitives.WriteUInt16BigEndian(destination, (ushort)TftpOpcode.OptionAcknowledgment);
        WriteOptions(destination[2..], options);
        return length;
    }

    public static int GetOackLength(ReadOnlySpan<TftpOption> options) => 2 + GetOptionsLength(options);

    /// <summary>Writes an RRQ or WRQ (used by tests, probes and clients). Returns the length.</summary>
    public static int WriteRequest(Span<byte> destination, TftpOpcode opcode, string filename, string mode, ReadOnlySpan<TftpOption> options)
    {
        if (opcode is not (TftpOpcode.ReadRequest or TftpOpcode.WriteRequest))
        {
            throw new ArgumentOutOfRangeException(nameof(opcode), opcode, "RRQ or WRQ expected");
        }
        var length = GetRequestLength(filename, mode, options);
        EnsureRoom(destination, length);
        BinaryPrimitives.WriteUInt16BigEndian(destination, (ushort)opcode);
        var offset = 2 + WriteString(destination[2..], filename, Encoding.UTF8);
        offset += WriteString(destination[offset..], mode, Encoding.ASCII);
        WriteOptions(destination[offset..], options);
        return length;
    }

    public static int GetRequestLength(string filename, string mode, ReadOnlySpan<TftpOption> options) =>
        2 + Encoding.UTF8.GetByteCount(filename) + 1 + Encoding.ASCII.GetByteCount(mode) + 1 + GetOptionsLength(options);

    /// <summary>Encodes any packet into a new array (tests, round trips; not for the hot path).</summary>
    public static byte[] Encode(TftpPacket packet)
    {
        ArgumentNullException.ThrowIfNull(packet);
        switch (packet)
        {
            case TftpRequestPacket request:
                var requestBytes = new byte[GetRequestLength(request.Filename, request.Mode, request.Options.AsSpan())];
                WriteRequest(requestBytes, request.Opcode, request.Filename, request.Mode, request.Options.AsSpan());
                return requestBytes;
            case TftpDataPacket data:
                var dataBytes = new byte[HeaderLength + data.Payload.Length];
                WriteDataHeader(dataBytes, data.Block);
                data.Payload.Span.CopyTo(dataBytes.AsSpan(HeaderLength));
                return dataBytes;
            case TftpAckPacket ack:
                var ackBytes = new byte[HeaderLength];
                WriteAck(ackBytes, ack.Block);
                return ackBytes;
            case TftpErrorPacket error:
                var errorBytes = new byte[GetErrorLength(error.Message)];
                WriteError(errorBytes, error.Code, error.Message);
                return errorBytes;
            case TftpOptionAckPacket oack:
                var oackBytes = new byte[GetOackLength(oack.Options.AsSpan())];
                WriteOack(oackBytes, oack.Options.AsSpan());
                return oackBytes;
            default:
                throw new ArgumentException("unknown packet type " + packet.GetType().Name, nameof(packet));
        }
    }

    private static int WriteHeader(Span<byte> destination, TftpOpcode opcode, ushort value)
    {
        EnsureRoom(destination, HeaderLength);
        BinaryPrimitives.WriteUInt16BigEndian(destination, (ushort)opcode);
        BinaryPrimitives.WriteUInt16BigEndian(destination[2..], value);
        return HeaderLength;
    }

    private static int GetOptionsLength(ReadOnlySpan<TftpOption> options)
    {
        var length = 0;
        foreach (var option in options)
        {
            length += Encoding.ASCII.GetByteCount(option.Name) + 1 + Encoding.ASCII.GetByteCount(option.Value) + 1;
        }
        return length;
    }

    private static void WriteOptions(Span<byte> destination, ReadOnlySpan<TftpOption> options)
    {
        var offset = 0;
        foreach (var option in options)
        {
            offset += WriteString(destination[offset..], option.Name, Encoding.ASCII);
            offset += WriteString(destination[offset..], option.Value, Encoding.ASCII);
        }
    }

    private static int WriteString(Span<byte> destination, string text, Encoding encoding)
    {
        var written = encoding.GetBytes(text, destination);
        destination[written] = 0;
        return written + 1;
    }

    private static void EnsureRoom(Span<byte> destination, int length)
    {
        if (destination.Length < length)
        {
            throw new ArgumentException($"destination holds {destination.Length} bytes, {length} needed", nameof(destination));
        }
    }
}

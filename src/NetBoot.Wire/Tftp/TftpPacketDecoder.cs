using System.Buffers.Binary;
using System.Collections.Immutable;
using System.Diagnostics.CodeAnalysis;
using System.Text;

namespace NetBoot.Wire.Tftp;

/// <summary>Decodes TFTP datagrams (RFC 1350 §5, RFC 2347 §2). Never throws on untrusted bytes.</summary>
public static class TftpPacketDecoder
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>Decodes any TFTP packet. DATA payloads are copied; use <see cref="TryReadAck"/> on the hot path.</summary>
    public static bool TryDecode(ReadOnlySpan<byte> datagram, [NotNullWhen(true)] out TftpPacket? packet, out TftpDecodeError error)
    {
        packet = null;
        if (!TryReadOpcode(datagram, out var opcode))
        {
            error = datagram.Length < 2 ? TftpDecodeError.TooShort : TftpDecodeError.UnknownOpcode;
            return false;
        }
        var body = datagram[2..];
        error = opcode switch
        {
            TftpOpcode.ReadRequest or TftpOpcode.WriteRequest => DecodeRequest(opcode, body, out packet),
            TftpOpcode.Data => DecodeData(body, out packet),
            TftpOpcode.Acknowledgment => DecodeAck(body, out packet),
            TftpOpcode.Error => DecodeError(body, out packet),
            _ => DecodeOptionAck(body, out packet),
        };
        return error == TftpDecodeError.None;
    }

    /// <summary>Reads the opcode; false when the datagram is shorter than 2 bytes or the opcode is not 1..6.</summary>
    public static bool TryReadOpcode(ReadOnlySpan<byte> datagram, out TftpOpcode opcode)
    {
        opcode = default;
        if (datagram.Length < 2)
        {
            return false;
        }
        var value = BinaryPrimitives.ReadUInt16BigEndian(datagram);
        if (value is < 1 or > 6)
        {
            return false;
        }
        opcode = (TftpOpcode)value;
        return true;
    }

    /// <summary>Allocation-free ACK reader for the transfer hot path.</summary>
    public static bool TryReadAck(ReadOnlySpan<byte> datagram, out ushort block)
    {
        block = 0;
        // RFC 1350 §5: ACK is 4 bytes; trailing bytes (padding by some ROMs) are tolerated.
        if (datagram.Length < 4 || !TryReadOpcode(datagram, out var opcode) || opcode != TftpOpcode.Acknowledgment)
        {
            return false;
        }
        block = BinaryPrimitives.ReadUInt16BigEndian(datagram[2..]);
        return true;
    }

    /// <summary>Allocation-free DATA reader for clients: the block number and a slice of the datagram.</summary>
    public static bool TryReadData(ReadOnlySpan<byte> datagram, out ushort block, out ReadOnlySpan<byte> payload)
    {
        block = 0;
        payload = default;
        if (datagram.Length < 4 || !TryReadOpcode(datagram, out var opcode) || opcode != TftpOpcode.Data)
        {
            return false;
        }
        block = BinaryPrimitives.ReadUInt16BigEndian(datagram[2..]);
        payload = datagram[4..];
        return true;
    }

    private static TftpDecodeError DecodeRequest(TftpOpcode opcode, ReadOnlySpan<byte> body, out TftpPacket? packet)
    {
        packet = null;
        var filenameEnd = body.IndexOf((byte)0);
        if (filenameEnd < 0)
        {
            return TftpDecodeError.MissingFilenameTerminator;
        }
        if (filenameEnd == 0)
        {
            return TftpDecodeError.EmptyFilename;
        }
        if (!TryDecodeUtf8(body[..filenameEnd], out var filename))
        {
            return TftpDecodeError.InvalidFilenameEncoding;
        }
        var rest = body[(filenameEnd + 1)..];
        var modeEnd = rest.IndexOf((byte)0);
        if (modeEnd < 0)
        {
            return TftpDecodeError.MissingModeTerminator;
        }
        if (modeEnd == 0)
        {
            return TftpDecodeError.EmptyMode;
        }
        if (!IsPrintableAscii(rest[..modeEnd]))
        {
            return TftpDecodeError.InvalidOptionText;
        }
        var mode = Encoding.ASCII.GetString(rest[..modeEnd]);
        var optionError = DecodeOptions(rest[(modeEnd + 1)..], out var options);
        if (optionError != TftpDecodeError.None)
        {
            return optionError;
        }
        packet = opcode == TftpOpcode.ReadRequest
            ? new TftpReadRequest(filename, mode, options)
            : new TftpWriteRequest(filename, mode, options);
        return TftpDecodeError.None;
    }

    /// <summary>RFC 2347 §2: <c>opt1 NUL value1 NUL …</c> after the mode. Trailing NUL padding after the last
    /// complete pair is tolerated (some PXE ROMs pad their requests).</summary>
    private static TftpDecodeError DecodeOptions(ReadOnlySpan<byte> area, out ImmutableArray<TftpOption> options)
    {
        options = [];
        var builder = ImmutableArray.CreateBuilder<TftpOption>();
        while (!area.IsEmpty)
        {
            if (area.IndexOfAnyExcept((byte)0) < 0)
            {
                break;
            }
            var nameEnd = area.IndexOf((byte)0);
            if (nameEnd < 0)
            {
                return TftpDecodeError.MissingOptionTerminator;
            }
            if (nameEnd == 0)
            {
                return TftpDecodeError.EmptyOptionName;
            }
            var afterName = area[(nameEnd + 1)..];
            if (afterName.IsEmpty)
            {
                return TftpDecodeError.OddOptionList;
            }
            var valueEnd = afterName.IndexOf((byte)0);
            if (valueEnd < 0)
            {
                return TftpDecodeError.MissingOptionTerminator;
            }
            if (!IsPrintableAscii(area[..nameEnd]) || !IsPrintableAscii(afterName[..valueEnd]))
            {
                return TftpDecodeError.InvalidOptionText;
            }
            builder.Add(new TftpOption(Encoding.ASCII.GetString(area[..nameEnd]), Encoding.ASCII.GetString(afterName[..valueEnd])));
            area = afterName[(valueEnd + 1)..];
        }
        options = builder.DrainToImmutable();
        return TftpDecodeError.None;
    }

    private static TftpDecodeError DecodeData(ReadOnlySpan<byte> body, out TftpPacket? packet)
    {
        packet = null;
        if (body.Length < 2)
        {
            return TftpDecodeError.TooShort;
        }
        packet = new TftpDataPacket(BinaryPrimitives.ReadUInt16BigEndian(body), body[2..].ToArray());
        return TftpDecodeError.None;
    }

    private static TftpDecodeError DecodeAck(ReadOnlySpan<byte> body, out TftpPacket? packet)
    {
        packet = null;
        if (body.Length < 2)
        {
            return TftpDecodeError.TooShort;
        }
        packet = new TftpAckPacket(BinaryPrimitives.ReadUInt16BigEndian(body));
        return TftpDecodeError.None;
    }

    /// <summary>ERROR: a missing NUL after the message is tolerated (the message runs to the end) so that a
    /// client's abort is still recognised; invalid UTF-8 is replaced, the text is only for the log.</summary>
    private static TftpDecodeError DecodeError(ReadOnlySpan<byte> body, out TftpPacket? packet)
    {
        packet = null;
        if (body.Length < 2)
        {
            return TftpDecodeError.TooShort;
        }
        var text = body[2..];
        var end = text.IndexOf((byte)0);
        if (end >= 0)
        {
            text = text[..end];
        }
        packet = new TftpErrorPacket((TftpErrorCode)BinaryPrimitives.ReadUInt16BigEndian(body), Encoding.UTF8.GetString(text));
        return TftpDecodeError.None;
    }

    private static TftpDecodeError DecodeOptionAck(ReadOnlySpan<byte> body, out TftpPacket? packet)
    {
        packet = null;
        var error = DecodeOptions(body, out var options);
        if (error == TftpDecodeError.None)
        {
            packet = new TftpOptionAckPacket(options);
        }
        return error;
    }

    private static bool TryDecodeUtf8(ReadOnlySpan<byte> bytes, [NotNullWhen(true)] out string? text)
    {
        try
        {
            text = StrictUtf8.GetString(bytes);
            return true;
        }
        catch (DecoderFallbackException)
        {
            text = null;
            return false;
        }
    }

    private static bool IsPrintableAscii(ReadOnlySpan<byte> bytes) => !bytes.ContainsAnyExceptInRange((byte)0x20, (byte)0x7E);
}

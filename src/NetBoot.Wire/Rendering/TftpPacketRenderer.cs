using System.Globalization;
using NetBoot.Wire.Tftp;

namespace NetBoot.Wire.Rendering;

/// <summary>One-line renderings of TFTP packets (RFC 1350 §5, RFC 2347 options and OACK), decoded by
/// <see cref="TftpPacketDecoder"/>. DATA shows block number and length, never the payload.</summary>
public static class TftpPacketRenderer
{
    public const int DefaultBlockSize = 512;

    /// <summary>The packet as one line; for a damaged packet, false with the codec's reason and a line
    /// naming the opcode when it could be read.</summary>
    /// <param name="blockSize">The block size negotiated on this transfer, to mark the final DATA block.</param>
    public static bool TryRender(ReadOnlySpan<byte> datagram, int blockSize, out string text, out TftpDecodeError error)
    {
        if (!TftpPacketDecoder.TryDecode(datagram, out var packet, out error))
        {
            text = TftpPacketDecoder.TryReadOpcode(datagram, out var opcode) ? "TFTP " + OpcodeName(opcode) : "TFTP";
            return false;
        }
        text = Render(packet, blockSize);
        return true;
    }

    public static string Render(TftpPacket packet, int blockSize) => packet switch
    {
        TftpRequestPacket request => RequestText(request),
        // RFC 1350 §6: a DATA packet shorter than the block size ends the transfer.
        TftpDataPacket data => string.Create(CultureInfo.InvariantCulture,
            $"TFTP DATA block {data.Block}, {ValueText.Plural(data.Payload.Length, "byte")}{(data.Payload.Length < blockSize ? " (final)" : string.Empty)}"),
        TftpAckPacket ack => string.Create(CultureInfo.InvariantCulture, $"TFTP ACK block {ack.Block}"),
        TftpErrorPacket failure => string.Create(CultureInfo.InvariantCulture,
            $"TFTP ERROR {(ushort)failure.Code} ({ErrorName(failure.Code)}): {ValueText.Quoted(failure.Message)}"),
        TftpOptionAckPacket ack => "TFTP OACK " + (ack.Options.IsEmpty ? "(no options)" : string.Join(' ', ack.Options)),
        _ => "TFTP " + OpcodeName(packet.Opcode),
    };

    private static string RequestText(TftpRequestPacket request)
    {
        var line = $"TFTP {OpcodeName(request.Opcode)} {ValueText.Quoted(request.Filename)} mode {request.Mode}";
        return request.Options.IsEmpty ? line : line + "  options " + string.Join(' ', request.Options);
    }

    public static string OpcodeName(TftpOpcode opcode) => opcode switch
    {
        TftpOpcode.ReadRequest => "RRQ",
        TftpOpcode.WriteRequest => "WRQ",
        TftpOpcode.Data => "DATA",
        TftpOpcode.Acknowledgment => "ACK",
        TftpOpcode.Error => "ERROR",
        TftpOpcode.OptionAcknowledgment => "OACK",
        _ => string.Create(CultureInfo.InvariantCulture, $"opcode {(ushort)opcode}"),
    };

    /// <summary>RFC 1350 appendix error codes, with RFC 2347's 8.</summary>
    public static string ErrorName(TftpErrorCode code) => code switch
    {
        TftpErrorCode.NotDefined => "not defined",
        TftpErrorCode.FileNotFound => "file not found",
        TftpErrorCode.AccessViolation => "access violation",
        TftpErrorCode.DiskFull => "disk full",
        TftpErrorCode.IllegalOperation => "illegal operation",
        TftpErrorCode.UnknownTransferId => "unknown transfer id",
        TftpErrorCode.FileAlreadyExists => "file exists",
        TftpErrorCode.NoSuchUser => "no such user",
        TftpErrorCode.OptionNegotiationFailed => "option negotiation refused",
        _ => "unassigned",
    };

    public static string Describe(TftpDecodeError error) => error switch
    {
        TftpDecodeError.TooShort => "shorter than the fields its opcode requires",
        TftpDecodeError.UnknownOpcode => "opcode is not one of RFC 1350/2347 (1-6)",
        TftpDecodeError.MissingFilenameTerminator => "the file name has no terminating NUL",
        TftpDecodeError.EmptyFilename => "the file name is empty",
        TftpDecodeError.InvalidFilenameEncoding => "the file name is not valid UTF-8",
        TftpDecodeError.MissingModeTerminator => "the mode is missing or has no terminating NUL",
        TftpDecodeError.EmptyMode => "the mode is empty",
        TftpDecodeError.MissingOptionTerminator => "an option name or value has no terminating NUL",
        TftpDecodeError.OddOptionList => "an option name has no value",
        TftpDecodeError.EmptyOptionName => "an option name is empty",
        TftpDecodeError.InvalidOptionText => "an option holds bytes outside printable ASCII",
        _ => "unknown reason",
    };
}

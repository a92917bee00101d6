using System.Collections.Immutable;
using System.Text;
using NetBoot.Wire.Tftp;

namespace NetBoot.Wire.Tests.Tftp;

public class TftpPacketCodecTests
{
    private static byte[] Bytes(string text) => Encoding.Latin1.GetBytes(text);

    private static TftpPacket Decode(byte[] datagram)
    {
        Assert.True(TftpPacketDecoder.TryDecode(datagram, out var packet, out var error), $"decode failed: {error}");
        Assert.Equal(TftpDecodeError.None, error);
        return packet;
    }

    public static TheoryData<TftpPacket> Packets() => new()
    {
        new TftpReadRequest("pxelinux.0", "octet", []),
        new TftpReadRequest("boot/grub/x86_64-efi/core.efi", "netascii", []),
        new TftpReadRequest("bootx64.efi", "octet", [new("tsize", "0"), new("blksize", "1468"), new("windowsize", "4")]),
        new TftpReadRequest("é/ünïcode", "OCTET", [new("BlkSize", "1432")]),
        new TftpWriteRequest("upload.bin", "octet", [new("tsize", "100000")]),
        new TftpDataPacket(1, new byte[512]),
        new TftpDataPacket(65535, Bytes("last")),
        new TftpDataPacket(0, Array.Empty<byte>()),
        new TftpAckPacket(0),
        new TftpAckPacket(65535),
        new TftpErrorPacket(TftpErrorCode.FileNotFound, "file x not found"),
        new TftpErrorPacket(TftpErrorCode.OptionNegotiationFailed, ""),
        new TftpOptionAckPacket([new("blksize", "1468"), new("tsize", "65536")]),
        new TftpOptionAckPacket([]),
    };

    [Theory]
    [MemberData(nameof(Packets))]
    public void Every_packet_type_survives_encode_then_decode(TftpPacket packet)
    {
        var bytes = TftpPacketEncoder.Encode(packet);
        Assert.Equal(packet, Decode(bytes));
        Assert.Equal(bytes, TftpPacketEncoder.Encode(Decode(bytes)));
    }

    [Fact]
    public void Read_request_keeps_filename_mode_and_options_in_wire_order()
    {
        var packet = Decode(Bytes("\0\u0001ipxe.pxe\0octet\0blksize\01432\0tsize\00\0"));
        var request = Assert.IsType<TftpReadRequest>(packet);
        Assert.Equal("ipxe.pxe", request.Filename);
        Assert.Equal(TftpTransferMode.Octet, request.TransferMode);
        Assert.Equal([new TftpOption("blksize", "1432"), new TftpOption("tsize", "0")], request.Options.ToArray());
    }

    [Fact]
    public void Option_names_are_looked_up_case_insensitively()
    {
        var request = new TftpReadRequest("f", "octet", [new("BLKSIZE", "1024"), new("blksize", "512")]);
        Assert.Equal("1024", request.GetOption(TftpOptionNames.BlockSize));
        Assert.Null(request.GetOption(TftpOptionNames.WindowSize));
    }

    [Theory]
    [InlineData("octet", TftpTransferMode.Octet)]
    [InlineData("OcTeT", TftpTransferMode.Octet)]
    [InlineData("NETASCII", TftpTransferMode.Netascii)]
    [InlineData("mail", TftpTransferMode.Mail)]
    [InlineData("binary", TftpTransferMode.Unknown)]
    public void Mode_is_case_insensitive(string mode, TftpTransferMode expected) =>
        Assert.Equal(expected, TftpModes.Parse(mode));

    [Theory]
    [InlineData("", TftpDecodeError.TooShort)]
    [InlineData("\0", TftpDecodeError.TooShort)]
    [InlineData("\0\0", TftpDecodeError.UnknownOpcode)]
    [InlineData("\0\u0007abc", TftpDecodeError.UnknownOpcode)]
    [InlineData("\u0001\u0001abc\0octet\0", TftpDecodeError.UnknownOpcode)]
    [InlineData("\0\u0001", TftpDecodeError.MissingFilenameTerminator)]
    [InlineData("\0\u0001file", TftpDecodeError.MissingFilenameTerminator)]
    [InlineData("\0\u0001\0octet\0", TftpDecodeError.EmptyFilename)]
    [InlineData("\0\u0002\0octet\0", TftpDecodeError.EmptyFilename)]
    [InlineData("\0\u0001file\0", TftpDecodeError.MissingModeTerminator)]
    [InlineData("\0\u0001file\0octet", TftpDecodeError.MissingModeTerminator)]
    [InlineData("\0\u0001file\0\0", TftpDecodeError.EmptyMode)]
    [InlineData("\0\u0001file\0oct\u0001et\0", TftpDecodeError.InvalidOptionText)]
    [InlineData("\0\u0001file\0octet\0blksize", TftpDecodeError.MissingOptionTerminator)]
    [InlineData("\0\u0001file\0octet\0blksize\0", TftpDecodeError.OddOptionList)]
    [InlineData("\0\u0001file\0octet\0blksize\01432", TftpDecodeError.MissingOptionTerminator)]
    [InlineData("\0\u0001file\0octet\0\0value\0", TftpDecodeError.EmptyOptionName)]
    [InlineData("\0\u0001file\0octet\0tsize\00\0blksize\0", TftpDecodeError.OddOptionList)]
    [InlineData("\0\u0001file\0octet\0bl\u00ffksize\0512\0", TftpDecodeError.InvalidOptionText)]
    [InlineData("\0\u0003\0", TftpDecodeError.TooShort)]
    [InlineData("\0\u0004\0", TftpDecodeError.TooShort)]
    [InlineData("\0\u0005\0", TftpDecodeError.TooShort)]
    [InlineData("\0\u0006blksize\0", TftpDecodeError.OddOptionList)]
    public void Malformed_packets_are_rejected_with_a_reason(string latin1, TftpDecodeError expected)
    {
        Assert.False(TftpPacketDecoder.TryDecode(Bytes(latin1), out var packet, out var error));
        Assert.Null(packet);
        Assert.Equal(expected, error);
    }

    [Fact]
    public void Filename_that_is_not_utf8_is_rejected()
    {
        byte[] datagram = [0, 1, 0xC0, 0xAF, (byte)'x', 0, .. Bytes("octet\0")];
        Assert.False(TftpPacketDecoder.TryDecode(datagram, out _, out var error));
        Assert.Equal(TftpDecodeError.InvalidFilenameEncoding, error);
    }

    [Fact]
    public void Nul_padding_after_the_last_option_is_tolerated()
    {
        var request = Assert.IsType<TftpReadRequest>(Decode(Bytes("\0\u0001f\0octet\0tsize\00\0\0\0\0")));
        Assert.Single(request.Options);
    }

    [Fact]
    public void Error_without_terminating_nul_still_decodes_so_an_abort_is_recognised()
    {
        var error = Assert.IsType<TftpErrorPacket>(Decode(Bytes("\0\u0005\0\0TFTP Aborted")));
        Assert.Equal(TftpErrorCode.NotDefined, error.Code);
        Assert.Equal("TFTP Aborted", error.Message);
    }

    [Fact]
    public void Ack_padded_by_ethernet_minimum_frame_is_accepted()
    {
        Assert.True(TftpPacketDecoder.TryReadAck([0, 4, 0x12, 0x34, 0, 0, 0, 0], out var block));
        Assert.Equal(0x1234, block);
        Assert.False(TftpPacketDecoder.TryReadAck([0, 3, 0, 1], out _));
        Assert.False(TftpPacketDecoder.TryReadAck([0, 4, 0], out _));
    }

    [Fact]
    public void Every_truncation_of_a_valid_request_is_decoded_or_rejected_without_throwing()
    {
        var valid = TftpPacketEncoder.Encode(new TftpReadRequest("bootx64.efi", "octet",
            [new("tsize", "0"), new("blksize", "1468"), new("windowsize", "4")]));
        var accepted = 0;
        for (var length = 0; length < valid.Length; length++)
        {
            if (TftpPacketDecoder.TryDecode(valid.AsSpan(0, length), out var packet, out _))
            {
                // Only cuts that end exactly after a complete option pair may decode, with fewer options.
                var request = Assert.IsType<TftpReadRequest>(packet);
                Assert.True(request.Options.Length < 3);
                accepted++;
            }
        }
        Assert.Equal(3, accepted);
    }

    [Fact]
    public void Random_bytes_never_throw()
    {
        var random = new Random(1350);
        var buffer = new byte[64];
        for (var i = 0; i < 20_000; i++)
        {
            var length = random.Next(buffer.Length);
            random.NextBytes(buffer);
            buffer[0] = 0;
            buffer[1] = (byte)random.Next(8);
            _ = TftpPacketDecoder.TryDecode(buffer.AsSpan(0, length), out _, out _);
        }
    }

    [Fact]
    public void Data_header_and_ack_are_written_in_network_byte_order()
    {
        Span<byte> buffer = stackalloc byte[8];
        Assert.Equal(4, TftpPacketEncoder.WriteDataHeader(buffer, 0x0102));
        Assert.Equal(new byte[] { 0, 3, 1, 2 }, buffer[..4].ToArray());
        Assert.Equal(4, TftpPacketEncoder.WriteAck(buffer, 65535));
        Assert.Equal(new byte[] { 0, 4, 0xFF, 0xFF }, buffer[..4].ToArray());
    }

    [Fact]
    public void Error_and_oack_are_written_into_the_callers_buffer()
    {
        var buffer = new byte[64];
        var length = TftpPacketEncoder.WriteError(buffer, TftpErrorCode.AccessViolation, "denied");
        Assert.Equal(Bytes("\0\u0005\0\u0002denied\0"), buffer[..length]);
        length = TftpPacketEncoder.WriteOack(buffer, [new("blksize", "1468"), new("tsize", "72")]);
        Assert.Equal(Bytes("\0\u0006blksize\u00001468\0tsize\u000072\0"), buffer[..length]);
    }

    [Fact]
    public void Writing_into_a_buffer_too_small_is_a_caller_bug()
    {
        Assert.Throws<ArgumentException>(() => TftpPacketEncoder.WriteAck(new byte[3], 1));
        Assert.Throws<ArgumentException>(() => TftpPacketEncoder.WriteError(new byte[8], TftpErrorCode.NotDefined, "too long"));
        Assert.Throws<ArgumentException>(() => TftpPacketEncoder.WriteOack(new byte[4], [new("blksize", "512")]));
    }

    [Fact]
    public void Option_list_equality_is_by_content()
    {
        ImmutableArray<TftpOption> a = [new("tsize", "0")];
        ImmutableArray<TftpOption> b = [new("tsize", "0")];
        Assert.Equal(new TftpReadRequest("x", "octet", a), new TftpReadRequest("x", "octet", b));
        Assert.NotEqual<TftpPacket>(new TftpReadRequest("x", "octet", a), new TftpWriteRequest("x", "octet", b));
    }
}

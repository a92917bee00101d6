using NetBoot.Testing;
using NetBoot.Wire.Tftp;

namespace NetBoot.Wire.Tests.Tftp;

public class TftpCaptureTests
{
    private static string Capture(params string[] parts) => Path.Combine([TestPaths.TestData, .. parts]);

    public static TheoryData<string> WellFormedCaptures() => new()
    {
        "pcap/tftp/arkime-tftp_rrq.pcap",
        "pcap/tftp/suricata-tftp-tx-handling-wrq.pcap",
        "pcap/tftp/tcpdump-tftp.pcap",
        "lab/bios-ipxe-full/capture.pcap",
        "lab/bios-ipxe-proxy/capture.pcap",
        "lab/uefi-edk2-full/capture.pcap",
        "lab/uefi-aarch64-full/capture.pcap",
    };

    [Theory]
    [MemberData(nameof(WellFormedCaptures))]
    public void Every_tftp_packet_in_the_captures_decodes_and_survives_encode_then_decode(string relativePath)
    {
        var datagrams = TftpCaptureReader.ReadTftp(Capture(relativePath.Split('/')));
        Assert.NotEmpty(datagrams);
        foreach (var datagram in datagrams)
        {
            Assert.True(TftpPacketDecoder.TryDecode(datagram.Payload, out var packet, out var error), $"frame {datagram.Frame}: {error}");
            var encoded = TftpPacketEncoder.Encode(packet);
            Assert.True(TftpPacketDecoder.TryDecode(encoded, out var again, out _));
            Assert.Equal(packet, again);
            // Our encoding is canonical: byte-identical to what real stacks sent.
            Assert.Equal(datagram.Payload, encoded);
        }
    }

    [Fact]
    public void Plain_rfc1350_capture_is_a_lock_step_octet_transfer_without_options()
    {
        var packets = Decode("pcap/tftp/arkime-tftp_rrq.pcap");
        var request = Assert.IsType<TftpReadRequest>(packets[0]);
        Assert.Equal("rfc1350.txt", request.Filename);
        Assert.Equal(TftpTransferMode.Octet, request.TransferMode);
        Assert.Empty(request.Options);
        var data = packets.OfType<TftpDataPacket>().ToList();
        Assert.Equal(Enumerable.Range(1, data.Count).Select(i => (ushort)i), data.Select(d => d.Block));
        Assert.All(data[..^1], d => Assert.Equal(512, d.Payload.Length));
        Assert.True(data[^1].Payload.Length < 512);
    }

    [Fact]
    public void Write_request_capture_decodes_as_a_write_request()
    {
        var request = Assert.IsType<TftpWriteRequest>(Decode("pcap/tftp/suricata-tftp-tx-handling-wrq.pcap")[0]);
        Assert.Equal("rfc1350.txt", request.Filename);
    }

    [Fact]
    public void Edk2_asks_tsize_blksize_and_windowsize_then_aborts_the_size_probe_with_error_8()
    {
        var packets = Decode("lab/uefi-edk2-full/capture.pcap");
        var probe = Assert.IsType<TftpReadRequest>(packets[0]);
        Assert.Equal(["tsize", "blksize", "windowsize"], probe.Options.Select(o => o.Name));
        Assert.Equal("4", probe.GetOption(TftpOptionNames.WindowSize));
        Assert.IsType<TftpOptionAckPacket>(packets[1]);
        var abort = Assert.IsType<TftpErrorPacket>(packets[2]);
        Assert.Equal(TftpErrorCode.OptionNegotiationFailed, abort.Code);
    }

    [Fact]
    public void Truncated_fuzzer_request_is_rejected_without_throwing()
    {
        var datagrams = TftpCaptureReader.ReadUdp(Capture("pcap", "tftp", "tcpdump-tftp-heapoverflow.pcap"));
        var datagram = Assert.Single(datagrams);
        Assert.False(TftpPacketDecoder.TryDecode(datagram.Payload, out _, out var error));
        Assert.NotEqual(TftpDecodeError.None, error);
    }

    private static List<TftpPacket> Decode(string relativePath) =>
        TftpCaptureReader.ReadTftp(Capture(relativePath.Split('/')))
            .Select(d => TftpPacketDecoder.TryDecode(d.Payload, out var p, out _) ? p : throw new InvalidDataException($"frame {d.Frame}"))
            .ToList();
}

using System.Text;
using NetBoot.Wire.Capture;
using NetBoot.Wire.Net;
using NetBoot.Wire.Rendering;
using NetBoot.Wire.Tftp;

namespace NetBoot.Wire.Tests.Rendering;

public class TftpPacketRendererTests
{
    private static readonly IPv4Address Client = new(0xC0000232);
    private static readonly IPv4Address Server = new(0xC0000201);
    private static readonly DateTimeOffset Start = new(2026, 11, 25, 12, 0, 0, TimeSpan.Zero);

    private static byte[] Packet(ushort opcode, params string[] strings)
    {
        var bytes = new List<byte> { (byte)(opcode >> 8), (byte)opcode };
        foreach (var s in strings)
        {
            bytes.AddRange(Encoding.ASCII.GetBytes(s));
            bytes.Add(0);
        }
        return [.. bytes];
    }

    private static byte[] Data(ushort block, int length) => [0, 3, (byte)(block >> 8), (byte)block, .. new byte[length]];

    [Fact]
    public void Read_request_shows_file_mode_and_options()
    {
        var ok = TftpPacketRenderer.TryRender(Packet(1, "boot.ipxe", "octet", "blksize", "1432", "tsize", "0"), 512, out var text, out _);

        Assert.True(ok);
        Assert.Equal("TFTP RRQ \"boot.ipxe\" mode octet  options blksize=1432 tsize=0", text);
    }

    [Theory]
    [InlineData(new byte[] { 0, 4, 0, 7 }, "TFTP ACK block 7")]
    [InlineData(new byte[] { 0, 5, 0, 8, (byte)'T', (byte)'F', 0 }, "TFTP ERROR 8 (option negotiation refused): \"TF\"")]
    [InlineData(new byte[] { 0, 6, (byte)'t', (byte)'s', (byte)'i', (byte)'z', (byte)'e', 0, (byte)'9', 0 }, "TFTP OACK tsize=9")]
    public void Packet_is_rendered_on_one_line(byte[] packet, string expected)
    {
        Assert.True(TftpPacketRenderer.TryRender(packet, 512, out var text, out _));
        Assert.Equal(expected, text);
    }

    [Fact]
    public void Data_shows_block_and_length_and_marks_the_final_block()
    {
        TftpPacketRenderer.TryRender(Data(3, 512), 512, out var full, out _);
        TftpPacketRenderer.TryRender(Data(4, 100), 512, out var last, out _);

        Assert.Equal("TFTP DATA block 3, 512 bytes", full);
        Assert.Equal("TFTP DATA block 4, 100 bytes (final)", last);
    }

    [Theory]
    [InlineData(new byte[] { 0 }, TftpDecodeError.TooShort)]
    [InlineData(new byte[] { 0, 9, 1 }, TftpDecodeError.UnknownOpcode)]
    [InlineData(new byte[] { 0, 1, (byte)'f', 0, (byte)'o', (byte)'c' }, TftpDecodeError.MissingModeTerminator)]
    [InlineData(new byte[] { 0, 1, (byte)'f', 0, (byte)'o', 0, (byte)'x', 0 }, TftpDecodeError.OddOptionList)]
    [InlineData(new byte[] { 0, 3, 1 }, TftpDecodeError.TooShort)]
    public void Malformed_packet_is_rejected_with_its_reason(byte[] packet, TftpDecodeError expected)
    {
        Assert.False(TftpPacketRenderer.TryRender(packet, 512, out _, out var error));
        Assert.Equal(expected, error);
    }

    [Fact]
    public void Transfer_on_new_ports_follows_the_request_and_uses_the_negotiated_block_size()
    {
        var writer = new RenderWriter();
        var flow = new PacketFlowRenderer(writer);

        flow.Render(new UdpDatagram(1, Start, Client, 2000, Server, 69, Packet(1, "f", "octet", "blksize", "1432")));
        flow.Render(new UdpDatagram(2, Start.AddMilliseconds(1), Server, 40000, Client, 2000, Packet(6, "blksize", "1432")));
        flow.Render(new UdpDatagram(3, Start.AddMilliseconds(2), Client, 2000, Server, 40000, new byte[] { 0, 4, 0, 0 }));
        flow.Render(new UdpDatagram(4, Start.AddMilliseconds(3), Server, 40000, Client, 2000, Data(1, 1432)));
        flow.Render(new UdpDatagram(5, Start.AddMilliseconds(4), Server, 40000, Client, 2000, Data(2, 600)));
        flow.Render(new UdpDatagram(6, Start.AddMilliseconds(5), Server, 9, Client, 9, new byte[] { 1 }));

        var lines = writer.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(
        [
            "#1  +0.000000  192.0.2.50:2000 -> 192.0.2.1:69  TFTP RRQ \"f\" mode octet  options blksize=1432",
            "#2  +0.001000  192.0.2.1:40000 -> 192.0.2.50:2000  TFTP OACK blksize=1432",
            "#3  +0.002000  192.0.2.50:2000 -> 192.0.2.1:40000  TFTP ACK block 0",
            "#4  +0.003000  192.0.2.1:40000 -> 192.0.2.50:2000  TFTP DATA block 1, 1432 bytes",
            "#5  +0.004000  192.0.2.1:40000 -> 192.0.2.50:2000  TFTP DATA block 2, 600 bytes (final)",
        ], lines);
        Assert.Equal(5, flow.TftpCount);
        Assert.Equal(1, flow.Others["UDP port 9"]);
    }

    [Fact]
    public void Damaged_tftp_packet_is_shown_with_its_reason_and_the_next_one_still_rendered()
    {
        var writer = new RenderWriter();
        var flow = new PacketFlowRenderer(writer);

        flow.Render(new UdpDatagram(1, Start, Client, 2000, Server, 69, new byte[] { 0, 1, (byte)'x' }));
        flow.Render(new UdpDatagram(2, Start, Client, 2001, Server, 69, Packet(1, "ok", "octet")));

        var text = writer.ToString();
        Assert.Contains("#1  +0.000000  192.0.2.50:2000 -> 192.0.2.1:69  TFTP RRQ damaged: MissingFilenameTerminator", text);
        Assert.Contains("#2  +0.000000  192.0.2.50:2001 -> 192.0.2.1:69  TFTP RRQ \"ok\" mode octet", text);
        Assert.Equal(1, flow.DamagedCount);
    }
}

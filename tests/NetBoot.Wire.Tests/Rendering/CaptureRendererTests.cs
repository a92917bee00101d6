using NetBoot.Testing;
using NetBoot.Wire.Capture;
using NetBoot.Wire.Rendering;

namespace NetBoot.Wire.Tests.Rendering;

public class CaptureRendererTests
{
    /// <summary>The captures PROVENANCE.md marks malformed, with a line each rendering must contain.</summary>
    public static TheoryData<string, string> MalformedCaptures => new()
    {
        { "testdata/pcap/dhcp/tcpdump-bootp_asan.pcap", "DHCP damaged: TooShort" },
        { "testdata/pcap/dhcp/tcpdump-bootp_asan-2.pcap", "DHCP damaged: TooShort" },
        { "testdata/pcap/dhcp/zeek-dhcp_bad_cookie_option_retention.pcap", "DHCP damaged: BadMagicCookie" },
        { "testdata/pcap/dhcp/tcpdump-dhcp-rfc4388.pcap", "#44  +1702.806369  10.30.1.1:67 -> 10.40.2.3:67  DHCP damaged: BadMagicCookie" },
        { "testdata/pcap/dhcp/tcpdump-dhcp-option-33.pcap", "33 static-route           malformed: 3 bytes, expected a multiple of 8" },
        { "testdata/pcap/tftp/tcpdump-tftp-heapoverflow.pcap", "TFTP RRQ damaged: MissingFilenameTerminator" },
    };

    [Theory]
    [MemberData(nameof(MalformedCaptures))]
    public void Malformed_capture_shows_the_damage_with_its_reason_and_renders_every_frame(string key, string expected)
    {
        var bytes = File.ReadAllBytes(CaptureCorpus.PathOf(key));
        var frames = CaptureCorpus.Open(key).Frames.Count();

        var rendering = CaptureRenderer.Render(bytes, key);

        Assert.True(rendering.IsReadable);
        Assert.Contains(expected, rendering.Text);
        Assert.Equal(frames, rendering.FrameCount);
        Assert.Contains($"summary {frames} frame", rendering.Text);
    }

    [Fact]
    public void Packets_after_a_damaged_one_are_still_decoded()
    {
        var rendering = CaptureRenderer.Render(File.ReadAllBytes(CaptureCorpus.PathOf("testdata/pcap/dhcp/zeek-dhcp_bad_cookie_option_retention.pcap")), "x");

        Assert.Equal(3, rendering.DamagedCount);
        Assert.Contains("#5  +0.004000  0.0.0.0:68 -> 255.255.255.255:67  DHCPDISCOVER  xid 0x00003000", rendering.Text);
        Assert.Contains("header as sent: BOOTREQUEST  xid 0x00002000  chaddr 00:11:22:33:44:55", rendering.Text);
    }

    [Fact]
    public void Capture_cut_inside_a_record_renders_what_is_there_and_marks_it_partial()
    {
        var bytes = File.ReadAllBytes(CaptureCorpus.PathOf("testdata/pcap/pxe/netboot-pcap-testdata-usec.pcap"));

        var rendering = CaptureRenderer.Render(bytes.AsMemory(0, bytes.Length - 700), "cut.pcap");

        Assert.True(rendering.IsReadable);
        Assert.Contains("DHCPDISCOVER", rendering.Text);
        Assert.Contains("#6  +8.113712  192.168.16.12:4011 -> 192.168.16.10:4011  DHCPREQUEST  xid 0x9b4e0557  client d0:50:99:4e:05:57  [PXE boot server, port 4011] [capture holds only part of the datagram]\n", rendering.Text);
        Assert.Equal(1, rendering.DamagedCount);
    }

    [Theory]
    [InlineData(new byte[0], "the file is empty")]
    [InlineData(new byte[] { 0xd4, 0xc3, 0xb2, 0xa1, 2, 0 }, "the file ends inside its header")]
    public void Empty_or_headless_file_is_unreadable(byte[] bytes, string reason)
    {
        var rendering = CaptureRenderer.Render(bytes, "f");

        Assert.False(rendering.IsReadable);
        Assert.EndsWith(reason + "\n", rendering.Text);
    }

    [Fact]
    public void Capture_without_frames_renders_an_empty_summary()
    {
        byte[] header = [0xd4, 0xc3, 0xb2, 0xa1, 2, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0, 0, 1, 0, 0, 0];

        var rendering = CaptureRenderer.Render(header, "empty.pcap");

        Assert.True(rendering.IsReadable);
        Assert.Contains("summary 0 frames: 0 DHCP, 0 TFTP, 0 not shown; 0 damaged", rendering.Text);
    }

    [Fact]
    public void Proxy_offer_reply_to_a_pxe_client_decodes_option_43_as_a_menu()
    {
        var rendering = CaptureRenderer.Render(File.ReadAllBytes(CaptureCorpus.PathOf("testdata/lab/bios-ipxe-proxy/capture.pcap")), "lab");

        Assert.Contains("#2   +0.006457  192.0.2.1:67 -> 255.255.255.255:68  DHCPOFFER  xid 0x491fb553  client 52:54:00:c0:ff:01  [proxyDHCP: PXE options, no address]\n", rendering.Text);
        Assert.Contains("1. type 0x8002  \"iPXE script\"", rendering.Text);
        Assert.Contains("71 boot-item            type 0x8002, layer 0", rendering.Text);
        Assert.Contains("TFTP DATA block 1, 72 bytes (final)", rendering.Text);
    }

    [Fact]
    public void Overloaded_message_says_so_although_the_decoder_merged_option_52()
    {
        var rendering = CaptureRenderer.Render(File.ReadAllBytes(CaptureCorpus.PathOf("testdata/pcap/dhcp/suricata-dhcp-option-52-overload-both.pcap")), "x");

        Assert.Contains("overload 3 (options continue in the file and sname fields): merged into the options below", rendering.Text);
        Assert.Contains("56 message                \"Paddingfile name field overloadsname field overload\"", rendering.Text);
    }

    [Theory]
    [MemberData(nameof(CaptureCorpus.AllKeysData), MemberType = typeof(CaptureCorpus))]
    public void Every_corpus_capture_renders_without_throwing(string key)
    {
        var rendering = CaptureRenderer.Render(File.ReadAllBytes(CaptureCorpus.PathOf(key)), key);

        Assert.True(rendering.IsReadable, rendering.Text);
        Assert.Equal(CaptureCorpus.Open(key).Frames.Count(), rendering.FrameCount);
    }

    [Fact]
    public void Every_cut_of_a_capture_renders_or_is_reported_unreadable_without_throwing()
    {
        var bytes = File.ReadAllBytes(CaptureCorpus.PathOf("testdata/lab/bios-ipxe-proxy/capture.pcap"));
        for (var length = 0; length <= bytes.Length; length += 13)
        {
            var rendering = CaptureRenderer.Render(bytes.AsMemory(0, length), "cut");

            Assert.Equal(length >= 24, rendering.IsReadable);
        }
    }
}

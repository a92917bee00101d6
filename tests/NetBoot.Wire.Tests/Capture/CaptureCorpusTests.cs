using NetBoot.Testing;
using NetBoot.Wire.Capture;

namespace NetBoot.Wire.Tests.Capture;

/// <summary>The reader over every capture of testdata/ and the shared corpus. Frame and UDP counts are tshark's
/// (TShark 4.0: <c>tshark -r F | wc -l</c>; IPv4 UDP that is not a fragment), except where noted.</summary>
public sealed class CaptureCorpusTests
{
    public static IEnumerable<object[]> Files => CaptureCorpus.AllKeysData();

    /// <summary>corpus name → (format, frames, complete IPv4/UDP datagrams).</summary>
    private static readonly Dictionary<string, (CaptureFormat Format, int Frames, int Udp)> Expected = new()
    {
        ["dhcp/arkime-wireshark-dhcp.pcap"] = (CaptureFormat.Pcap, 4, 4),
        ["dhcp/pcapplusplus-Dhcp1.pcap"] = (CaptureFormat.Pcap, 1, 1),
        ["dhcp/pcapplusplus-Dhcp3.pcap"] = (CaptureFormat.Pcap, 1, 1),
        ["dhcp/pcapplusplus-Dhcp4.pcap"] = (CaptureFormat.Pcap, 1, 1),
        ["dhcp/suricata-dhcp-eve-extended-option-60.pcap"] = (CaptureFormat.Pcap, 1, 1),
        ["dhcp/suricata-dhcp-eve-extended.pcap"] = (CaptureFormat.Pcap, 2, 2),
        ["dhcp/suricata-dhcp-option-52-overload-both.pcap"] = (CaptureFormat.Pcap, 1, 1),
        ["dhcp/suricata-dhcp-option-52-overload.pcap"] = (CaptureFormat.Pcap, 8, 8),
        // Fuzzer-made: IPv4 total length 60951 in a 53-byte snap; tshark shows it as a cut-short fragment.
        ["dhcp/tcpdump-bootp_asan-2.pcap"] = (CaptureFormat.Pcap, 1, 0),
        ["dhcp/tcpdump-bootp_asan.pcap"] = (CaptureFormat.Pcap, 1, 0),
        ["dhcp/tcpdump-dhcp-mud.pcap"] = (CaptureFormat.Pcap, 2, 2),
        ["dhcp/tcpdump-dhcp-option-108.pcapng"] = (CaptureFormat.PcapNg, 2, 2),
        ["dhcp/tcpdump-dhcp-option-33.pcap"] = (CaptureFormat.Pcap, 5, 5),
        ["dhcp/tcpdump-dhcp-rfc3004.pcap"] = (CaptureFormat.Pcap, 4, 4),
        ["dhcp/tcpdump-dhcp-rfc4388.pcap"] = (CaptureFormat.Pcap, 54, 36),
        ["dhcp/tcpdump-dhcp-rfc5859.pcap"] = (CaptureFormat.Pcap, 4, 4),
        ["dhcp/tcpdump-dhcpv4v6-rfc5970-rfc8572.pcap"] = (CaptureFormat.Pcap, 14, 4),
        ["dhcp/zeek-dhcp.pcap"] = (CaptureFormat.Pcap, 9, 9),
        ["dhcp/zeek-dhcp_ack_subscriber_id_and_agent_remote_id.pcap"] = (CaptureFormat.Pcap, 1, 1),
        ["dhcp/zeek-dhcp_bad_cookie_option_retention.pcap"] = (CaptureFormat.Pcap, 5, 5),
        ["dhcp/zeek-dhcp_discover_param_req_and_client_id.pcap"] = (CaptureFormat.Pcap, 1, 1),
        ["dhcp/zeek-dhcp_inform.pcap"] = (CaptureFormat.Pcap, 2, 2),
        ["dhcp/zeek-dhcp_time_and_nameserver.pcap"] = (CaptureFormat.Pcap, 2, 2),
        ["dhcp/zeek-hw-type0.pcap"] = (CaptureFormat.Pcap, 1, 1),
        ["lab/bios-ipxe-full/capture.pcap"] = (CaptureFormat.Pcap, 19, 11),
        ["lab/bios-ipxe-proxy/capture.pcap"] = (CaptureFormat.Pcap, 23, 15),
        ["lab/uefi-aarch64-full/capture.pcap"] = (CaptureFormat.Pcap, 123, 104),
        ["lab/uefi-edk2-full/capture.pcap"] = (CaptureFormat.Pcap, 173, 104),
        ["pxe/netboot-dhcp4-testdata-dhcp.pcap"] = (CaptureFormat.PcapNanosecond, 4, 4),
        ["pxe/netboot-pcap-testdata-nsec.pcap"] = (CaptureFormat.PcapNanosecond, 9, 9),
        ["pxe/netboot-pcap-testdata-usec.pcap"] = (CaptureFormat.Pcap, 9, 9),
        ["tftp/arkime-tftp_rrq.pcap"] = (CaptureFormat.Pcap, 99, 99),
        ["tftp/suricata-tftp-tx-handling-wrq.pcap"] = (CaptureFormat.Pcap, 100, 100),
        // Linux cooked; IPv4 total length 12336 but 28 bytes captured: tshark decodes it cut short, we report it.
        ["tftp/tcpdump-tftp-heapoverflow.pcap"] = (CaptureFormat.Pcap, 1, 0),
        ["tftp/tcpdump-tftp.pcap"] = (CaptureFormat.Pcap, 7, 7),
    };

    [Fact]
    public void Corpus_holds_every_expected_capture_and_no_unlisted_one()
    {
        var names = CaptureCorpus.AllKeys().Select(CaptureCorpus.CorpusName).ToHashSet();
        Assert.Equal(Expected.Keys.Order(StringComparer.Ordinal), names.Order(StringComparer.Ordinal));
    }

    [Theory]
    [MemberData(nameof(Files))]
    public void Every_capture_opens_with_its_format_and_tsharks_frame_and_udp_counts(string key)
    {
        var expected = Expected[CaptureCorpus.CorpusName(key)];

        var file = CaptureCorpus.Open(key);
        var frames = file.Frames.ToList();

        Assert.Equal(expected.Format, file.Format);
        Assert.Equal(expected.Frames, frames.Count);
        Assert.All(frames, f => Assert.False(f.IsDamaged, $"frame {f.Number}: {f.Error}"));
        Assert.Equal(Enumerable.Range(1, frames.Count), frames.Select(f => f.Number));
        Assert.Equal(expected.Udp, CaptureCorpus.UdpDatagrams(key).Count);
    }

    [Theory]
    [MemberData(nameof(Files))]
    public void Every_frame_either_yields_a_datagram_or_a_reason(string key)
    {
        foreach (var frame in CaptureCorpus.Open(key).Frames)
        {
            var ok = UdpDatagramExtractor.TryExtract(frame, out var datagram, out var error);

            Assert.Equal(ok, error == FrameError.None);
            if (ok)
            {
                Assert.Equal(frame.Number, datagram.FrameNumber);
                Assert.False(datagram.IsPartial);
                Assert.True(datagram.Payload.Length <= frame.Data.Length - 28);
            }
        }
    }

    [Theory]
    [MemberData(nameof(Files))]
    public void Every_prefix_of_a_capture_is_refused_or_read_without_throwing(string key)
    {
        var bytes = File.ReadAllBytes(CaptureCorpus.PathOf(key));
        var cuts = Enumerable.Range(0, Math.Min(bytes.Length, 600)).Concat(Enumerable.Range(0, 40).Select(i => bytes.Length * i / 40));
        foreach (var cut in cuts)
        {
            if (!CaptureFile.TryOpen(bytes.AsMemory(0, cut), out var file, out var error))
            {
                Assert.NotEqual(CaptureError.None, error);
                continue;
            }
            var frames = file.Frames.ToList();
            Assert.All(frames.SkipLast(1), f => Assert.False(f.IsDamaged));
            foreach (var frame in frames)
            {
                UdpDatagramExtractor.TryExtract(frame, out _, out _);
                UdpDatagramExtractor.TryExtractPartial(frame, out _, out _);
            }
        }
    }

    [Fact]
    public void Nanosecond_capture_holds_the_same_frames_as_the_microsecond_one_with_finer_timestamps()
    {
        var micro = CaptureCorpus.Open("testdata/pcap/pxe/netboot-pcap-testdata-usec.pcap").Frames.ToList();
        var nano = CaptureCorpus.Open("testdata/pcap/pxe/netboot-pcap-testdata-nsec.pcap").Frames.ToList();

        Assert.Equal(micro.Count, nano.Count);
        for (var i = 0; i < micro.Count; i++)
        {
            Assert.True(micro[i].Data.Span.SequenceEqual(nano[i].Data.Span));
            Assert.InRange((nano[i].Timestamp - micro[i].Timestamp).Ticks, 0, 9);
        }
        // tshark: frame.time_epoch 1456626113.232810547
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1456626113).AddTicks(2_328_105), nano[0].Timestamp);
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1456626113).AddTicks(2_328_100), micro[0].Timestamp);
    }

    [Fact]
    public void Pcapng_timestamps_follow_the_interface_resolution()
    {
        var frame = CaptureCorpus.Open("testdata/pcap/dhcp/tcpdump-dhcp-option-108.pcapng").Frames.First();

        // tcpdump -tt --time-stamp-precision=nano: 1742291025.393317000, 342 bytes captured and on the wire.
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1742291025).AddTicks(3_933_170), frame.Timestamp);
        Assert.Equal(342, frame.Data.Length);
        Assert.Equal(342, frame.OriginalLength);
        Assert.Equal(CaptureLinkType.Ethernet, frame.LinkType);
    }

    [Fact]
    public void Multi_section_pcapng_reads_every_section()
    {
        // Two sections: the same pcapng file twice (a pcapng file may hold several sections, each with its own header
        // block and interfaces, as `cat a.pcapng b.pcapng` makes).
        var one = File.ReadAllBytes(CaptureCorpus.PathOf("testdata/pcap/dhcp/tcpdump-dhcp-option-108.pcapng"));
        Assert.True(CaptureFile.TryOpen((byte[])[.. one, .. one], out var file, out var error), error.ToString());
        var frames = file.Frames.ToList();

        // tcpdump: 2 frames per section, first 1742291025.393317, last 1742291025.399056.
        Assert.Equal(4, frames.Count);
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1742291025).AddTicks(3_933_170), frames[2].Timestamp);
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1742291025).AddTicks(3_990_560), frames[^1].Timestamp);
    }

    [Fact]
    public void Lab_capture_yields_dhcp_datagrams_with_addresses_and_ports()
    {
        var dhcp = CaptureCorpus.DhcpDatagrams("testdata/lab/bios-ipxe-proxy/capture.pcap");

        var toBootServer = Assert.Single(dhcp, d => d.DestinationPort == 4011);
        Assert.Equal(68, toBootServer.SourcePort);
        Assert.Equal("192.0.2.1", toBootServer.Destination.ToString());
        Assert.Contains(dhcp, d => d.SourcePort == 4011 && d.DestinationPort == 68);
    }

    [Fact]
    public void Fuzzer_truncated_bootp_is_reported_as_cut_short_and_available_partially()
    {
        var frame = Assert.Single(CaptureCorpus.Open("testdata/pcap/dhcp/tcpdump-bootp_asan.pcap").Frames);

        Assert.False(UdpDatagramExtractor.TryExtract(frame, out _, out var error));
        Assert.Equal(FrameError.TruncatedIPv4Packet, error);
        Assert.True(UdpDatagramExtractor.TryExtractPartial(frame, out var partial, out _));
        Assert.True(partial.IsPartial);
        Assert.Equal(68, partial.DestinationPort);
    }
}

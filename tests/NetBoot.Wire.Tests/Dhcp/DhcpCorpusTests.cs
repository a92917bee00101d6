using NetBoot.Testing;
using NetBoot.Wire.Dhcp;

namespace NetBoot.Wire.Tests.Dhcp;

/// <summary>Every DHCP datagram (UDP 67/68/4011) of every capture in testdata/.</summary>
public sealed class DhcpCorpusTests
{
    public static IEnumerable<object[]> Datagrams => CaptureCorpus.AllDhcpDatagramsData();

    /// <summary>(corpus name, frame) → reason, for the datagrams PROVENANCE.md marks malformed or fuzzer-made.
    /// Every other DHCP datagram of the corpus must decode.</summary>
    private static readonly Dictionary<(string File, int Frame), DhcpDecodeError> Malformed = new()
    {
        // tcpdump sanitizer regressions: 11 and 48 bytes of BOOTP in a cut-short IP packet.
        [("dhcp/tcpdump-bootp_asan-2.pcap", 1)] = DhcpDecodeError.TooShort,
        [("dhcp/tcpdump-bootp_asan.pcap", 1)] = DhcpDecodeError.TooShort,
        // The two frames tshark flags malformed in the leasequery trace.
        [("dhcp/tcpdump-dhcp-rfc4388.pcap", 43)] = DhcpDecodeError.BadMagicCookie,
        [("dhcp/tcpdump-dhcp-rfc4388.pcap", 44)] = DhcpDecodeError.BadMagicCookie,
        // Zeek: three DISCOVERs with a wrong cookie between two good ones.
        [("dhcp/zeek-dhcp_bad_cookie_option_retention.pcap", 2)] = DhcpDecodeError.BadMagicCookie,
        [("dhcp/zeek-dhcp_bad_cookie_option_retention.pcap", 3)] = DhcpDecodeError.BadMagicCookie,
        [("dhcp/zeek-dhcp_bad_cookie_option_retention.pcap", 4)] = DhcpDecodeError.BadMagicCookie,
    };

    /// <summary>The datagrams that use option 52; the encoder only overloads when the options do not fit.</summary>
    private static readonly HashSet<(string File, int Frame)> Overloaded =
    [
        ("dhcp/suricata-dhcp-option-52-overload-both.pcap", 1),
        ("dhcp/suricata-dhcp-option-52-overload.pcap", 4),
        ("dhcp/suricata-dhcp-option-52-overload.pcap", 7),
    ];

    [Fact]
    public void Every_malformed_entry_names_a_datagram_of_the_corpus()
    {
        var present = CaptureCorpus.AllKeys()
            .SelectMany(k => CaptureCorpus.DhcpDatagramsIncludingPartial(k).Select(d => (CaptureCorpus.CorpusName(k), d.FrameNumber)))
            .ToHashSet();

        Assert.All(Malformed.Keys, entry => Assert.Contains(entry, present));
    }

    [Fact]
    public void Corpus_has_dhcp_datagrams_in_every_dhcp_and_pxe_capture()
    {
        var withDhcp = CaptureCorpus.AllKeys().Where(k => CaptureCorpus.DhcpDatagramsIncludingPartial(k).Count > 0).Select(CaptureCorpus.CorpusName).ToHashSet();

        Assert.Contains("pxe/netboot-dhcp4-testdata-dhcp.pcap", withDhcp);
        Assert.Contains("lab/uefi-edk2-full/capture.pcap", withDhcp);
        Assert.True(withDhcp.Count(n => n.StartsWith("dhcp/", StringComparison.Ordinal)) >= 24);
    }

    [Theory]
    [MemberData(nameof(Datagrams))]
    public void Corpus_datagram_decodes_or_fails_with_its_expected_reason(string key, int frame)
    {
        var datagram = CaptureCorpus.DhcpDatagram(key, frame);

        var ok = DhcpMessageDecoder.TryDecode(datagram.Payload.Span, out var message, out var error);

        if (Malformed.TryGetValue((CaptureCorpus.CorpusName(key), frame), out var expected))
        {
            Assert.False(ok);
            Assert.Null(message);
            Assert.Equal(expected, error);
            return;
        }
        Assert.False(datagram.IsPartial, "a cut-short datagram must be listed as malformed");
        Assert.True(ok, $"{key} #{frame}: {error}");
        Assert.Equal(DhcpDecodeError.None, error);
    }

    [Theory]
    [MemberData(nameof(Datagrams))]
    public void Corpus_datagram_survives_decode_encode_decode_unchanged(string key, int frame)
    {
        var payload = CaptureCorpus.DhcpDatagram(key, frame).Payload.Span;
        if (!DhcpMessageDecoder.TryDecode(payload, out var message, out _))
        {
            return;
        }
        var options = new DhcpEncodeOptions(Math.Max(576, payload.Length), AllowOverload: true, MinimumLength: 300);

        var bytes = DhcpMessageEncoder.Encode(message, options, out var dropped);

        Assert.Empty(dropped);
        Assert.True(DhcpMessageDecoder.TryDecode(bytes, out var again, out var error), error.ToString());
        Assert.Equal(message, again);
        Assert.True(bytes.Length >= 300);
    }

    [Theory]
    [MemberData(nameof(Datagrams))]
    public void Corpus_datagram_without_overload_re_encodes_to_the_bytes_on_the_wire(string key, int frame)
    {
        var payload = CaptureCorpus.DhcpDatagram(key, frame).Payload.Span;
        if (!DhcpMessageDecoder.TryDecode(payload, out var message, out _) || Overloaded.Contains((CaptureCorpus.CorpusName(key), frame)))
        {
            return;
        }

        // Same layout as every client and server in the corpus (dnsmasq, pixiecore, ISC, firmware): header, cookie,
        // options in order, END, zeros up to the length they chose.
        var bytes = DhcpMessageEncoder.Encode(message, new DhcpEncodeOptions(Math.Max(576, payload.Length), false, payload.Length));

        Assert.Equal(payload.ToArray(), bytes);
    }

    [Theory]
    [MemberData(nameof(Datagrams))]
    public void Random_byte_changes_to_a_corpus_datagram_are_rejected_cleanly_or_decode_consistently(string key, int frame)
    {
        var payload = CaptureCorpus.DhcpDatagram(key, frame).Payload.ToArray();
        var random = new Random(frame * 7919 + payload.Length);
        for (var round = 0; round < 200; round++)
        {
            var mutated = payload.ToArray();
            for (var changes = random.Next(1, 4); changes > 0 && mutated.Length > 0; changes--)
            {
                // Mostly the options (where the structure is), sometimes the header (op, hlen).
                var start = mutated.Length > 240 && random.Next(4) > 0 ? 240 : 0;
                mutated[random.Next(start, mutated.Length)] = (byte)random.Next(256);
            }

            if (!DhcpMessageDecoder.TryDecode(mutated, out var message, out var error))
            {
                Assert.NotEqual(DhcpDecodeError.None, error);
                continue;
            }
            Assert.True(DhcpMessageDecoder.TryDecode(DhcpMessageEncoder.Encode(message, new DhcpEncodeOptions(1500, true, 300)), out var again, out _));
            Assert.Equal(message, again);
        }
    }

    [Theory]
    [MemberData(nameof(Datagrams))]
    public void Every_truncation_of_a_corpus_datagram_is_rejected_cleanly_or_decodes_consistently(string key, int frame)
    {
        var payload = CaptureCorpus.DhcpDatagram(key, frame).Payload.ToArray();
        for (var length = 0; length < payload.Length; length++)
        {
            // A fresh array of exactly that length: reading past it would throw.
            var cut = payload[..length];

            var ok = DhcpMessageDecoder.TryDecode(cut, out var message, out var error);

            if (!ok)
            {
                Assert.Null(message);
                Assert.NotEqual(DhcpDecodeError.None, error);
                continue;
            }
            Assert.NotNull(message);
            var again = DhcpMessageEncoder.Encode(message, new DhcpEncodeOptions(1500, true, 300));
            Assert.True(DhcpMessageDecoder.TryDecode(again, out var redecoded, out _));
            Assert.Equal(message, redecoded);
        }
    }
}

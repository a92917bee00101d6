using NetBoot.Testing;
using NetBoot.Wire.Dhcp6;

namespace NetBoot.Wire.Tests.Dhcp6;

/// <summary>The DHCPv6 packets of the test captures: the Arista zero-touch exchange (tcpdump, RFC 5970 option 59) and
/// the OVMF/AAVMF PXEv6 and HTTPv6 SOLICITs of the lab runs.</summary>
public sealed class Dhcp6CorpusTests
{
    public static TheoryData<string> Keys => new(CaptureCorpus.AllKeys().Where(k => CaptureCorpus.Dhcp6Datagrams(k).Count > 0));

    [Theory]
    [MemberData(nameof(Keys))]
    public void Every_corpus_dhcpv6_packet_decodes_and_encodes_to_the_same_bytes(string key)
    {
        foreach (var datagram in CaptureCorpus.Dhcp6Datagrams(key))
        {
            Assert.True(Dhcp6MessageDecoder.TryDecode(datagram.Payload.Span, out var packet, out var error), $"frame {datagram.FrameNumber}: {error}");
            Assert.Equal(datagram.Payload.ToArray(), Dhcp6MessageEncoder.Encode(packet));
        }
    }

    [Fact]
    public void Arista_advertise_carries_a_bootfile_url_and_an_address()
    {
        var advertise = CaptureCorpus.Dhcp6Datagrams("testdata/pcap/dhcp/tcpdump-dhcpv4v6-rfc5970-rfc8572.pcap")
            .Select(d => Dhcp6MessageDecoder.TryDecode(d.Payload.Span, out var p, out _) ? p : null)
            .OfType<Dhcp6Message>()
            .First(m => m.Type == Dhcp6MessageType.Advertise && m.Options.Contains(Dhcp6OptionCode.BootfileUrl));

        Assert.Equal("my-startup-config", advertise.Options.BootfileUrl);
        Assert.Equal("1234:5678::4", Assert.Single(Assert.Single(advertise.Options.IdentityAssociations).Addresses).Address.ToString());
    }

    [Fact]
    public void Lab_captures_hold_uefi_pxe_and_http_solicits_with_their_architectures()
    {
        var architectures = CaptureCorpus.Dhcp6Datagrams("testdata/lab/uefi-edk2-full/capture.pcap")
            .Select(d => Dhcp6MessageDecoder.TryDecode(d.Payload.Span, out var p, out _) ? p : null)
            .OfType<Dhcp6Message>()
            .Select(m => Assert.Single(m.Options.ClientArchitectures))
            .Distinct();
        Assert.Equal([(ushort)7, (ushort)16], architectures);
    }
}

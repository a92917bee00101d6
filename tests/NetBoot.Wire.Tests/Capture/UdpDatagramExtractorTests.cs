using NetBoot.Testing;
using NetBoot.Wire.Capture;
using NetBoot.Wire.Net;

namespace NetBoot.Wire.Tests.Capture;

public sealed class UdpDatagramExtractorTests
{
    private static readonly IPv4Address Client = IPv4Address.Parse("192.0.2.77");
    private static readonly IPv4Address Server = IPv4Address.Parse("192.0.2.1");
    private static readonly byte[] Payload = [1, 2, 3, 4, 5, 6, 7, 8, 9];

    private static byte[] Packet(ushort flags = 0) => FrameBuilder.IPv4Udp(Client, 68, Server, 4011, Payload, flags);

    private static CaptureFrame Frame(CaptureLinkType linkType, byte[] data) => new(1, DateTimeOffset.UnixEpoch, linkType, data, data.Length);

    public static TheoryData<string, CaptureLinkType, byte[]> EveryLinkType => new()
    {
        { "ethernet", CaptureLinkType.Ethernet, FrameBuilder.Ethernet(Packet()) },
        { "ethernet + 802.1Q", CaptureLinkType.Ethernet, FrameBuilder.Ethernet(Packet(), 0x0800, 42) },
        { "ethernet + QinQ", CaptureLinkType.Ethernet, FrameBuilder.Ethernet(Packet(), 0x0800, 7, 42) },
        { "ethernet + padding", CaptureLinkType.Ethernet, [.. FrameBuilder.Ethernet(Packet()), 0, 0, 0, 0, 0, 0] },
        { "sll", CaptureLinkType.LinuxCooked, FrameBuilder.LinuxCooked(Packet()) },
        { "sll2", CaptureLinkType.LinuxCooked2, FrameBuilder.LinuxCooked2(Packet()) },
        { "raw", CaptureLinkType.Raw, Packet() },
        { "ipv4", CaptureLinkType.IPv4, Packet() },
        { "bsd loopback", CaptureLinkType.Null, [2, 0, 0, 0, .. Packet()] },
    };

    [Theory]
    [MemberData(nameof(EveryLinkType))]
    public void Udp_over_ipv4_is_extracted_from_every_supported_link_type(string name, CaptureLinkType linkType, byte[] data)
    {
        Assert.True(UdpDatagramExtractor.TryExtract(Frame(linkType, data), out var datagram, out var error), name);

        Assert.Equal(FrameError.None, error);
        Assert.Equal((Client, (ushort)68, Server, (ushort)4011), (datagram.Source, datagram.SourcePort, datagram.Destination, datagram.DestinationPort));
        Assert.Equal(Payload, datagram.Payload.ToArray());
        Assert.True(datagram.HasPort(4011));
    }

    [Theory]
    [InlineData(0x2000)]
    [InlineData(0x0010)]
    [InlineData(0x2010)]
    public void Ip_fragments_are_reported_not_reassembled(int flags)
    {
        Assert.False(UdpDatagramExtractor.TryExtract(Frame(CaptureLinkType.Raw, Packet((ushort)flags)), out _, out var error));
        Assert.Equal(FrameError.Fragment, error);
    }

    [Fact]
    public void Non_ipv4_and_non_udp_frames_say_what_they_are()
    {
        var tcp = Packet();
        tcp[9] = 6;

        Assert.False(UdpDatagramExtractor.TryExtract(Frame(CaptureLinkType.Ethernet, FrameBuilder.Ethernet(new byte[28], 0x0806)), out _, out var arp));
        Assert.False(UdpDatagramExtractor.TryExtract(Frame(CaptureLinkType.Raw, [0x60, .. new byte[39]]), out _, out var ipv6));
        Assert.False(UdpDatagramExtractor.TryExtract(Frame(CaptureLinkType.Raw, tcp), out _, out var notUdp));
        Assert.False(UdpDatagramExtractor.TryExtract(Frame((CaptureLinkType)105, Packet()), out _, out var wifi));

        Assert.Equal((FrameError.NotIPv4, FrameError.NotIPv4, FrameError.NotUdp, FrameError.UnsupportedLinkType), (arp, ipv6, notUdp, wifi));
    }

    [Fact]
    public void Bad_header_fields_are_reported()
    {
        var badVersion = Packet();
        badVersion[0] = 0x65;
        var shortIhl = Packet();
        shortIhl[0] = 0x44;
        var badUdpLength = Packet();
        badUdpLength[25] = 4;
        var longUdpLength = Packet();
        longUdpLength[25] = 200;

        Assert.Equal(FrameError.BadIPv4Header, Extract(CaptureLinkType.Ethernet, FrameBuilder.Ethernet(badVersion)));
        Assert.Equal(FrameError.BadIPv4Header, Extract(CaptureLinkType.IPv4, shortIhl));
        Assert.Equal(FrameError.BadUdpLength, Extract(CaptureLinkType.IPv4, badUdpLength));
        Assert.Equal(FrameError.BadUdpLength, Extract(CaptureLinkType.IPv4, longUdpLength));
    }

    [Theory]
    [MemberData(nameof(EveryLinkType))]
    public void Every_truncation_of_a_frame_is_rejected_with_a_truncation_reason(string name, CaptureLinkType linkType, byte[] data)
    {
        var full = Frame(linkType, data);
        Assert.True(UdpDatagramExtractor.TryExtract(full, out var complete, out _), name);
        var packetEnd = data.Length - (name.EndsWith("padding", StringComparison.Ordinal) ? 6 : 0);
        for (var length = 0; length < packetEnd; length++)
        {
            var cut = Frame(linkType, data[..length]) with { OriginalLength = data.Length };

            Assert.False(UdpDatagramExtractor.TryExtract(cut, out _, out var error));
            Assert.Contains(error, new[] { FrameError.TruncatedLinkHeader, FrameError.TruncatedIPv4Header, FrameError.TruncatedIPv4Packet, FrameError.NotIPv4 });
            if (UdpDatagramExtractor.TryExtractPartial(cut, out var partial, out _))
            {
                Assert.True(partial.IsPartial);
                Assert.True(complete.Payload.Span.StartsWith(partial.Payload.Span));
            }
        }
    }

    private static FrameError Extract(CaptureLinkType linkType, byte[] data)
    {
        UdpDatagramExtractor.TryExtract(Frame(linkType, data), out _, out var error);
        return error;
    }
}

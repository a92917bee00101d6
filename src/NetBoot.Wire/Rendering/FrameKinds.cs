using System.Buffers.Binary;
using System.Globalization;
using NetBoot.Wire.Capture;

namespace NetBoot.Wire.Rendering;

/// <summary>Names for frames the renderer does not show (for the summary) and reasons for damaged ones.</summary>
public static class FrameKinds
{
    private const int EthernetHeaderLength = 14;

    /// <summary>True when the frame's bytes are damaged or cut, as opposed to simply not UDP over IPv4.</summary>
    public static bool IsDamage(FrameError error) => error is not (FrameError.None or FrameError.UnsupportedLinkType
        or FrameError.NotIPv4 or FrameError.NotUdp or FrameError.Fragment);

    public static string Describe(CaptureFrame frame, FrameError error)
    {
        ArgumentNullException.ThrowIfNull(frame);
        var reason = error switch
        {
            FrameError.DamagedRecord => RecordReason(frame.Error),
            FrameError.TruncatedLinkHeader => "the frame ends inside the link-layer header",
            FrameError.TruncatedIPv4Header => "the frame ends inside the IPv4 header",
            FrameError.BadIPv4Header => "the IPv4 header is invalid (version, header length or total length)",
            FrameError.TruncatedIPv4Packet => "the IPv4 total length runs past the captured bytes",
            FrameError.TruncatedUdpHeader => "the IPv4 payload is shorter than the UDP header",
            FrameError.BadUdpLength => "the UDP length is under 8 or runs past the IPv4 payload",
            _ => "unknown reason",
        };
        var name = error == FrameError.DamagedRecord ? frame.Error.ToString() : error.ToString();
        return string.Create(CultureInfo.InvariantCulture,
            $"{name} ({reason}), {ValueText.Plural(frame.Data.Length, "byte")} captured of {frame.OriginalLength}");
    }

    private static string RecordReason(CaptureRecordError error) => error switch
    {
        CaptureRecordError.TruncatedRecordHeader => "the file ends inside a record header; nothing after it can be read",
        CaptureRecordError.TruncatedRecordData => "the record claims more bytes than the file holds",
        CaptureRecordError.BadBlockLength => "a pcapng block length is invalid; nothing after it can be read",
        CaptureRecordError.UnknownInterface => "a pcapng packet names an undeclared interface",
        _ => "damaged record",
    };

    /// <summary>A short kind for a frame that carries no UDP datagram: "ARP", "IPv6", "TCP", "ICMP", ….</summary>
    public static string Name(CaptureFrame frame, FrameError error)
    {
        ArgumentNullException.ThrowIfNull(frame);
        var data = frame.Data.Span;
        var isPlainEthernet = frame.LinkType == CaptureLinkType.Ethernet && data.Length >= EthernetHeaderLength;
        return error switch
        {
            FrameError.NotIPv4 when isPlainEthernet => EtherTypeName(BinaryPrimitives.ReadUInt16BigEndian(data[12..])),
            FrameError.NotUdp when isPlainEthernet && data.Length > EthernetHeaderLength + 9 => IpProtocolName(data[EthernetHeaderLength + 9]),
            FrameError.NotIPv4 => "not IPv4",
            FrameError.NotUdp => "IPv4 not UDP",
            FrameError.Fragment => "IPv4 fragment",
            FrameError.UnsupportedLinkType => string.Create(CultureInfo.InvariantCulture, $"link type {(ushort)frame.LinkType}"),
            _ => error.ToString(),
        };
    }

    public static string UdpName(UdpDatagram datagram)
    {
        var port = Math.Min(datagram.SourcePort, datagram.DestinationPort);
        return port switch
        {
            53 => "DNS",
            546 or 547 => "DHCPv6",
            _ => string.Create(CultureInfo.InvariantCulture, $"UDP port {port}"),
        };
    }

    private static string EtherTypeName(ushort type) => type switch
    {
        0x0806 => "ARP",
        0x86DD => "IPv6",
        0x8100 or 0x88A8 => "VLAN-tagged not IPv4",
        0x88CC => "LLDP",
        < 0x0600 => "802.3/LLC",
        _ => string.Create(CultureInfo.InvariantCulture, $"EtherType 0x{type:x4}"),
    };

    private static string IpProtocolName(byte protocol) => protocol switch
    {
        1 => "ICMP",
        2 => "IGMP",
        6 => "TCP",
        _ => string.Create(CultureInfo.InvariantCulture, $"IP protocol {protocol}"),
    };
}

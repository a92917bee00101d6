using System.Buffers.Binary;
using NetBoot.Wire.Net;

namespace NetBoot.Wire.Capture;

/// <summary>An IPv6 packet's upper-layer payload taken from a captured frame: UDP (ports set, payload after the UDP
/// header) or ICMPv6 (ports 0, payload is the ICMPv6 message). A view of the capture's bytes.</summary>
public readonly record struct Ip6Datagram(
    int FrameNumber,
    DateTimeOffset Timestamp,
    IPv6Address Source,
    IPv6Address Destination,
    byte NextHeader,
    byte HopLimit,
    ushort SourcePort,
    ushort DestinationPort,
    ReadOnlyMemory<byte> Payload)
{
    public const byte ProtocolUdp = 17;
    public const byte ProtocolIcmp6 = 58;

    public bool IsUdp => NextHeader == ProtocolUdp;

    public bool IsIcmp6 => NextHeader == ProtocolIcmp6;

    public bool HasPort(ushort port) => IsUdp && (SourcePort == port || DestinationPort == port);
}

/// <summary>Finds complete, unfragmented IPv6 UDP and ICMPv6 packets in captured frames (Ethernet with 802.1Q/802.1ad
/// tags, Linux cooked v1/v2, BSD loopback, raw IP), skipping hop-by-hop, routing and destination-options headers
/// (RFC 8200 §4). Anything else, cut or fragmented, is skipped: this feeds the decode command and tests, not a server.</summary>
public static class Ip6PacketExtractor
{
    private const ushort EtherTypeIPv6 = 0x86DD;
    private const int HeaderLength = 40;
    private const int MaximumExtensionHeaders = 8;

    public static bool TryExtract(CaptureFrame frame, out Ip6Datagram datagram)
    {
        ArgumentNullException.ThrowIfNull(frame);
        datagram = default;
        if (frame.IsDamaged || !TryFindIPv6(frame.LinkType, frame.Data.Span, out var offset))
        {
            return false;
        }
        var packet = frame.Data[offset..];
        var ip = packet.Span;
        if (ip.Length < HeaderLength || ip[0] >> 4 != 6)
        {
            return false;
        }
        var payloadLength = BinaryPrimitives.ReadUInt16BigEndian(ip[4..]);
        if (ip.Length < HeaderLength + payloadLength)
        {
            return false;
        }
        var nextHeader = ip[6];
        var start = HeaderLength;
        var end = HeaderLength + payloadLength;
        for (var i = 0; i < MaximumExtensionHeaders && nextHeader is 0 or 43 or 60; i++)
        {
            // RFC 8200 §4.3-4.6: next header (1), length in 8-octet units not counting the first 8 (1), data.
            if (end - start < 8)
            {
                return false;
            }
            nextHeader = ip[start];
            start += (ip[start + 1] + 1) * 8;
        }
        if (start > end || nextHeader is not (Ip6Datagram.ProtocolUdp or Ip6Datagram.ProtocolIcmp6))
        {
            return false;
        }
        ushort sourcePort = 0;
        ushort destinationPort = 0;
        if (nextHeader == Ip6Datagram.ProtocolUdp)
        {
            var udpLength = end - start >= 8 ? BinaryPrimitives.ReadUInt16BigEndian(ip[(start + 4)..]) : 0;
            if (udpLength < 8 || udpLength > end - start)
            {
                return false;
            }
            sourcePort = BinaryPrimitives.ReadUInt16BigEndian(ip[start..]);
            destinationPort = BinaryPrimitives.ReadUInt16BigEndian(ip[(start + 2)..]);
            end = start + udpLength;
            start += 8;
        }
        datagram = new Ip6Datagram(frame.Number, frame.Timestamp, IPv6Address.FromBytes(ip[8..]), IPv6Address.FromBytes(ip[24..]),
            nextHeader, ip[7], sourcePort, destinationPort, packet[start..end]);
        return true;
    }

    public static IEnumerable<Ip6Datagram> ExtractAll(IEnumerable<CaptureFrame> frames)
    {
        ArgumentNullException.ThrowIfNull(frames);
        foreach (var frame in frames)
        {
            if (TryExtract(frame, out var datagram))
            {
                yield return datagram;
            }
        }
    }

    private static bool TryFindIPv6(CaptureLinkType linkType, ReadOnlySpan<byte> frame, out int offset)
    {
        offset = 0;
        switch ((ushort)linkType)
        {
            case (ushort)CaptureLinkType.Ethernet:
                offset = 14;
                if (frame.Length < offset)
                {
                    return false;
                }
                var etherType = BinaryPrimitives.ReadUInt16BigEndian(frame[12..]);
                while (etherType is 0x8100 or 0x88A8 && frame.Length >= offset + 4)
                {
                    etherType = BinaryPrimitives.ReadUInt16BigEndian(frame[(offset + 2)..]);
                    offset += 4;
                }
                return etherType == EtherTypeIPv6;
            case (ushort)CaptureLinkType.LinuxCooked:
                offset = 16;
                return frame.Length >= offset && BinaryPrimitives.ReadUInt16BigEndian(frame[14..]) == EtherTypeIPv6;
            case (ushort)CaptureLinkType.LinuxCooked2:
                offset = 20;
                return frame.Length >= offset && BinaryPrimitives.ReadUInt16BigEndian(frame) == EtherTypeIPv6;
            case (ushort)CaptureLinkType.Null:
                // BSD loopback: AF_INET6 is 10 (Linux), 24 (NetBSD/OpenBSD), 28 (FreeBSD), 30 (macOS), in the writer's order.
                offset = 4;
                return frame.Length >= offset && (BinaryPrimitives.ReadUInt32LittleEndian(frame) is 10 or 24 or 28 or 30
                    || BinaryPrimitives.ReadUInt32BigEndian(frame) is 10 or 24 or 28 or 30);
            case (ushort)CaptureLinkType.Raw or 12 or 14:
                return !frame.IsEmpty && frame[0] >> 4 == 6;
            default:
                return false;
        }
    }
}

using System.Buffers.Binary;
using NetBoot.Wire.Net;

namespace NetBoot.Wire.Capture;

/// <summary>Takes the IPv4/UDP datagram out of a captured frame: Ethernet (with 802.1Q/802.1ad tags),
/// Linux cooked v1/v2, BSD loopback and raw IP link types. IP fragments are reported, not reassembled.</summary>
public static class UdpDatagramExtractor
{
    private const ushort EtherTypeIPv4 = 0x0800;
    private const ushort EtherTypeVlan = 0x8100;
    private const ushort EtherTypeQinQ = 0x88A8;
    private const int EthernetHeaderLength = 14;
    private const int VlanTagLength = 4;
    private const int LinuxCookedHeaderLength = 16;
    private const int LinuxCooked2HeaderLength = 20;
    private const int NullHeaderLength = 4;
    private const int IPv4MinimumHeaderLength = 20;
    private const int UdpHeaderLength = 8;
    private const byte ProtocolUdp = 17;

    /// <summary>The complete, unfragmented UDP datagram of the frame, or why there is none.</summary>
    public static bool TryExtract(CaptureFrame frame, out UdpDatagram datagram, out FrameError error) =>
        TryExtract(frame, partial: false, out datagram, out error);

    /// <summary>Like <see cref="TryExtract(CaptureFrame, out UdpDatagram, out FrameError)"/>, but also accepts a datagram whose
    /// bytes are cut short (snap length, a damaged record, a length field larger than the packet, or the first fragment
    /// of a fragmented datagram): the payload is then what was captured and <see cref="UdpDatagram.IsPartial"/> is set.
    /// This feeds fuzzer-made and truncated captures to decoders, which must reject them cleanly.</summary>
    public static bool TryExtractPartial(CaptureFrame frame, out UdpDatagram datagram, out FrameError error) =>
        TryExtract(frame, partial: true, out datagram, out error);

    private static bool TryExtract(CaptureFrame frame, bool partial, out UdpDatagram datagram, out FrameError error)
    {
        ArgumentNullException.ThrowIfNull(frame);
        datagram = default;
        if (frame.IsDamaged && !(partial && frame.Error == CaptureRecordError.TruncatedRecordData))
        {
            error = FrameError.DamagedRecord;
            return false;
        }
        error = TryFindIPv4(frame.LinkType, frame.Data.Span, out var ipOffset);
        if (error != FrameError.None)
        {
            return false;
        }
        error = TryReadUdp(frame.Data[ipOffset..], partial, out var header, out var payload, out var isCut);
        if (error != FrameError.None)
        {
            return false;
        }
        datagram = new UdpDatagram(frame.Number, frame.Timestamp, header.Source, header.SourcePort, header.Destination, header.DestinationPort, payload)
        {
            IsPartial = isCut || frame.IsDamaged,
        };
        return true;
    }

    /// <summary>Every UDP datagram of the frames, skipping frames that carry none.</summary>
    public static IEnumerable<UdpDatagram> ExtractAll(IEnumerable<CaptureFrame> frames)
    {
        ArgumentNullException.ThrowIfNull(frames);
        foreach (var frame in frames)
        {
            if (TryExtract(frame, out var datagram, out _))
            {
                yield return datagram;
            }
        }
    }

    private readonly record struct UdpHeader(IPv4Address Source, ushort SourcePort, IPv4Address Destination, ushort DestinationPort);

    /// <summary>Finds where the IPv4 header starts, after the link-layer header.</summary>
    private static FrameError TryFindIPv4(CaptureLinkType linkType, ReadOnlySpan<byte> frame, out int offset)
    {
        offset = 0;
        switch ((ushort)linkType)
        {
            case (ushort)CaptureLinkType.Ethernet:
                return TryEthernet(frame, out offset);
            case (ushort)CaptureLinkType.LinuxCooked:
                // SLL: packet type(2) | ARPHRD(2) | address length(2) | address(8) | protocol(2)
                offset = LinuxCookedHeaderLength;
                return frame.Length < LinuxCookedHeaderLength ? FrameError.TruncatedLinkHeader
                    : IsIPv4EtherType(BinaryPrimitives.ReadUInt16BigEndian(frame[14..]));
            case (ushort)CaptureLinkType.LinuxCooked2:
                // SLL2: protocol(2) | reserved(2) | ifindex(4) | ARPHRD(2) | packet type(1) | address length(1) | address(8)
                offset = LinuxCooked2HeaderLength;
                return frame.Length < LinuxCooked2HeaderLength ? FrameError.TruncatedLinkHeader
                    : IsIPv4EtherType(BinaryPrimitives.ReadUInt16BigEndian(frame));
            case (ushort)CaptureLinkType.Null:
                // BSD loopback: the address family in the writer's byte order; AF_INET is 2 everywhere.
                offset = NullHeaderLength;
                return frame.Length < NullHeaderLength ? FrameError.TruncatedLinkHeader
                    : BinaryPrimitives.ReadUInt32LittleEndian(frame) == 2 || BinaryPrimitives.ReadUInt32BigEndian(frame) == 2
                        ? FrameError.None : FrameError.NotIPv4;
            case (ushort)CaptureLinkType.Raw or (ushort)CaptureLinkType.IPv4 or 12 or 14:
                // Raw IP: the version nibble tells IPv4 from IPv6.
                return frame.IsEmpty ? FrameError.TruncatedIPv4Header : frame[0] >> 4 == 4 ? FrameError.None : FrameError.NotIPv4;
            default:
                return FrameError.UnsupportedLinkType;
        }
    }

    private static FrameError TryEthernet(ReadOnlySpan<byte> frame, out int offset)
    {
        offset = EthernetHeaderLength;
        if (frame.Length < EthernetHeaderLength)
        {
            return FrameError.TruncatedLinkHeader;
        }
        var etherType = BinaryPrimitives.ReadUInt16BigEndian(frame[12..]);
        // IEEE 802.1Q / 802.1ad: each tag inserts TPID(2) | TCI(2) before the real EtherType.
        while (etherType is EtherTypeVlan or EtherTypeQinQ)
        {
            if (frame.Length < offset + VlanTagLength)
            {
                return FrameError.TruncatedLinkHeader;
            }
            etherType = BinaryPrimitives.ReadUInt16BigEndian(frame[(offset + 2)..]);
            offset += VlanTagLength;
        }
        return IsIPv4EtherType(etherType);
    }

    private static FrameError IsIPv4EtherType(ushort etherType) => etherType == EtherTypeIPv4 ? FrameError.None : FrameError.NotIPv4;

    private static FrameError TryReadUdp(ReadOnlyMemory<byte> packet, bool partial, out UdpHeader header, out ReadOnlyMemory<byte> payload, out bool isCut)
    {
        header = default;
        payload = default;
        isCut = false;
        var ip = packet.Span;
        if (ip.Length < IPv4MinimumHeaderLength)
        {
            return FrameError.TruncatedIPv4Header;
        }
        // RFC 791 §3.1: version(4 bits) | IHL(4 bits, in 32-bit words) … total length at 2, flags/offset at 6, protocol at 9.
        var headerLength = (ip[0] & 0x0F) * 4;
        var totalLength = BinaryPrimitives.ReadUInt16BigEndian(ip[2..]);
        if (ip[0] >> 4 != 4 || headerLength < IPv4MinimumHeaderLength || totalLength < headerLength)
        {
            return FrameError.BadIPv4Header;
        }
        if (ip.Length < headerLength)
        {
            return FrameError.TruncatedIPv4Header;
        }
        if (ip.Length < totalLength)
        {
            if (!partial)
            {
                return FrameError.TruncatedIPv4Packet;
            }
            isCut = true;
        }
        if (ip[9] != ProtocolUdp)
        {
            return FrameError.NotUdp;
        }
        var flagsAndOffset = BinaryPrimitives.ReadUInt16BigEndian(ip[6..]);
        var isLaterFragment = (flagsAndOffset & 0x1FFF) != 0;
        var hasMoreFragments = (flagsAndOffset & 0x2000) != 0;
        if (isLaterFragment || (hasMoreFragments && !partial))
        {
            return FrameError.Fragment;
        }
        isCut |= hasMoreFragments;
        var udp = ip[headerLength..Math.Min(ip.Length, totalLength)];
        if (udp.Length < UdpHeaderLength)
        {
            return FrameError.TruncatedUdpHeader;
        }
        // RFC 768: length covers header and data.
        var udpLength = BinaryPrimitives.ReadUInt16BigEndian(udp[4..]);
        if (udpLength < UdpHeaderLength || (udpLength > udp.Length && !partial))
        {
            return FrameError.BadUdpLength;
        }
        isCut |= udpLength > udp.Length;
        header = new UdpHeader(
            IPv4Address.FromBytes(ip[12..]),
            BinaryPrimitives.ReadUInt16BigEndian(udp),
            IPv4Address.FromBytes(ip[16..]),
            BinaryPrimitives.ReadUInt16BigEndian(udp[2..]));
        payload = packet.Slice(headerLength + UdpHeaderLength, Math.Min(udpLength, udp.Length) - UdpHeaderLength);
        return FrameError.None;
    }
}

using System.Buffers.Binary;

namespace NetBoot.Engine.Tests.Tftp;

/// <summary>One UDP datagram from a capture: endpoints and payload (cut to the UDP length or to what was captured).</summary>
internal sealed record UdpDatagram(int Frame, uint SourceAddress, ushort SourcePort, uint DestinationAddress, ushort DestinationPort, byte[] Payload);

/// <summary>A tiny classic-pcap reader for the TFTP captures (Ethernet, 802.1Q and Linux cooked), IPv4/UDP only.
/// A copy of the one in NetBoot.Wire.Tests/Tftp, kept until NetBoot.Testing has a shared one.</summary>
internal static class TftpCaptureReader
{
    private const int LinkTypeEthernet = 1;
    private const int LinkTypeLinuxCooked = 113;

    public static List<UdpDatagram> ReadUdp(string path)
    {
        var bytes = File.ReadAllBytes(path);
        var result = new List<UdpDatagram>();
        var magic = BinaryPrimitives.ReadUInt32LittleEndian(bytes);
        var littleEndian = magic is 0xA1B2C3D4 or 0xA1B23C4D;
        if (!littleEndian && magic is not (0xD4C3B2A1 or 0x4D3CB2A1))
        {
            throw new InvalidDataException($"{path}: not a classic pcap file");
        }
        var linkType = (int)Read32(bytes.AsSpan(20), littleEndian);
        var offset = 24;
        var frame = 0;
        while (offset + 16 <= bytes.Length)
        {
            frame++;
            var captured = (int)Read32(bytes.AsSpan(offset + 8), littleEndian);
            var start = offset + 16;
            var length = Math.Min(captured, bytes.Length - start);
            var data = bytes.AsSpan(start, length);
            offset = start + captured;
            if (TryGetIpv4(data, linkType, out var ip) && TryParseUdp(frame, ip, out var datagram))
            {
                result.Add(datagram);
            }
        }
        return result;
    }

    /// <summary>The TFTP datagrams: requests to port 69 and everything exchanged with a requesting client's port.</summary>
    public static List<UdpDatagram> ReadTftp(string path)
    {
        var clients = new HashSet<(uint, ushort)>();
        var result = new List<UdpDatagram>();
        foreach (var datagram in ReadUdp(path))
        {
            if (datagram.DestinationPort == 69)
            {
                clients.Add((datagram.SourceAddress, datagram.SourcePort));
                result.Add(datagram);
            }
            else if (clients.Contains((datagram.SourceAddress, datagram.SourcePort))
                     || clients.Contains((datagram.DestinationAddress, datagram.DestinationPort)))
            {
                result.Add(datagram);
            }
        }
        return result;
    }

    private static uint Read32(ReadOnlySpan<byte> span, bool littleEndian) =>
        littleEndian ? BinaryPrimitives.ReadUInt32LittleEndian(span) : BinaryPrimitives.ReadUInt32BigEndian(span);

    private static bool TryGetIpv4(ReadOnlySpan<byte> frame, int linkType, out ReadOnlySpan<byte> ip)
    {
        ip = default;
        int etherTypeOffset;
        switch (linkType)
        {
            case LinkTypeEthernet:
                etherTypeOffset = 12;
                break;
            case LinkTypeLinuxCooked:
                etherTypeOffset = 14;
                break;
            default:
                return false;
        }
        if (frame.Length < etherTypeOffset + 2)
        {
            return false;
        }
        var etherType = BinaryPrimitives.ReadUInt16BigEndian(frame[etherTypeOffset..]);
        while (etherType == 0x8100 && frame.Length >= etherTypeOffset + 6)
        {
            etherTypeOffset += 4;
            etherType = BinaryPrimitives.ReadUInt16BigEndian(frame[etherTypeOffset..]);
        }
        if (etherType != 0x0800)
        {
            return false;
        }
        ip = frame[(etherTypeOffset + 2)..];
        return ip.Length >= 20 && ip[0] >> 4 == 4;
    }

    private static bool TryParseUdp(int frame, ReadOnlySpan<byte> ip, out UdpDatagram datagram)
    {
        datagram = null!;
        var headerLength = (ip[0] & 0x0F) * 4;
        if (ip[9] != 17 || ip.Length < headerLength + 8)
        {
            return false;
        }
        var udp = ip[headerLength..];
        var udpLength = BinaryPrimitives.ReadUInt16BigEndian(udp[4..]);
        var payloadLength = Math.Clamp(udpLength - 8, 0, udp.Length - 8);
        datagram = new UdpDatagram(
            frame,
            BinaryPrimitives.ReadUInt32BigEndian(ip[12..]),
            BinaryPrimitives.ReadUInt16BigEndian(udp),
            BinaryPrimitives.ReadUInt32BigEndian(ip[16..]),
            BinaryPrimitives.ReadUInt16BigEndian(udp[2..]),
            udp.Slice(8, payloadLength).ToArray());
        return true;
    }
}

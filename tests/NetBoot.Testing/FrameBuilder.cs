using System.Buffers.Binary;
using NetBoot.Wire.Net;

namespace NetBoot.Testing;

/// <summary>Builds link-layer frames around a UDP payload (checksums zero: "not computed", RFC 768), for capture and
/// hosting tests that need exact bytes.</summary>
public static class FrameBuilder
{
    public static readonly byte[] ClientMac = [0x52, 0x54, 0x00, 0xc0, 0xff, 0x01];
    public static readonly byte[] BroadcastMac = [0xff, 0xff, 0xff, 0xff, 0xff, 0xff];

    /// <summary>IPv4 header (20 bytes, no options) + UDP header + payload.</summary>
    public static byte[] IPv4Udp(IPv4Address source, ushort sourcePort, IPv4Address destination, ushort destinationPort,
        ReadOnlySpan<byte> payload, ushort flagsAndFragmentOffset = 0)
    {
        var packet = new byte[20 + 8 + payload.Length];
        packet[0] = 0x45;
        BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(2), (ushort)packet.Length);
        BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(6), flagsAndFragmentOffset);
        packet[8] = 64;
        packet[9] = 17;
        source.WriteTo(packet.AsSpan(12));
        destination.WriteTo(packet.AsSpan(16));
        BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(20), sourcePort);
        BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(22), destinationPort);
        BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(24), (ushort)(8 + payload.Length));
        payload.CopyTo(packet.AsSpan(28));
        return packet;
    }

    /// <summary>IPv6 header (RFC 8200 §3, no extension headers) + <paramref name="payload"/> of protocol
    /// <paramref name="nextHeader"/> (17 UDP, 58 ICMPv6).</summary>
    public static byte[] IPv6(IPv6Address source, IPv6Address destination, byte nextHeader, ReadOnlySpan<byte> payload, byte hopLimit = 255)
    {
        var packet = new byte[40 + payload.Length];
        packet[0] = 0x60;
        BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(4), (ushort)payload.Length);
        packet[6] = nextHeader;
        packet[7] = hopLimit;
        source.WriteTo(packet.AsSpan(8));
        destination.WriteTo(packet.AsSpan(24));
        payload.CopyTo(packet.AsSpan(40));
        return packet;
    }

    /// <summary>A UDP datagram (checksum zero) inside <see cref="IPv6"/>.</summary>
    public static byte[] IPv6Udp(IPv6Address source, ushort sourcePort, IPv6Address destination, ushort destinationPort, ReadOnlySpan<byte> payload)
    {
        var udp = new byte[8 + payload.Length];
        BinaryPrimitives.WriteUInt16BigEndian(udp, sourcePort);
        BinaryPrimitives.WriteUInt16BigEndian(udp.AsSpan(2), destinationPort);
        BinaryPrimitives.WriteUInt16BigEndian(udp.AsSpan(4), (ushort)udp.Length);
        payload.CopyTo(udp.AsSpan(8));
        return IPv6(source, destination, 17, udp, hopLimit: 1);
    }

    /// <summary>Ethernet II (optionally with 802.1Q tags) carrying <paramref name="payload"/> of the given EtherType.</summary>
    public static byte[] Ethernet(ReadOnlySpan<byte> payload, ushort etherType = 0x0800, params ushort[] vlanIds)
    {
        var frame = new byte[14 + (4 * vlanIds.Length) + payload.Length];
        BroadcastMac.CopyTo(frame, 0);
        ClientMac.CopyTo(frame, 6);
        var offset = 12;
        foreach (var vlan in vlanIds)
        {
            BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(offset), 0x8100);
            BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(offset + 2), vlan);
            offset += 4;
        }
        BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(offset), etherType);
        payload.CopyTo(frame.AsSpan(offset + 2));
        return frame;
    }

    /// <summary>Linux cooked capture v1 (SLL) header + payload.</summary>
    public static byte[] LinuxCooked(ReadOnlySpan<byte> payload, ushort protocol = 0x0800)
    {
        var frame = new byte[16 + payload.Length];
        BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(2), 1);
        BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(4), 6);
        ClientMac.CopyTo(frame, 6);
        BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(14), protocol);
        payload.CopyTo(frame.AsSpan(16));
        return frame;
    }

    /// <summary>Linux cooked capture v2 (SLL2) header + payload.</summary>
    public static byte[] LinuxCooked2(ReadOnlySpan<byte> payload, ushort protocol = 0x0800)
    {
        var frame = new byte[20 + payload.Length];
        BinaryPrimitives.WriteUInt16BigEndian(frame, protocol);
        BinaryPrimitives.WriteUInt32BigEndian(frame.AsSpan(4), 2);
        BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(8), 1);
        frame[11] = 6;
        ClientMac.CopyTo(frame, 12);
        payload.CopyTo(frame.AsSpan(20));
        return frame;
    }
}

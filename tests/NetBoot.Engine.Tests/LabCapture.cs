using System.Buffers.Binary;
using System.Collections.Immutable;
using System.Text;
using NetBoot.Wire.Dhcp;
using NetBoot.Wire.Net;

namespace NetBoot.Engine.Tests;

/// <summary>One UDP datagram of a lab capture.</summary>
internal sealed record CapturedDatagram(int Frame, IPv4Address Source, ushort SourcePort, IPv4Address Destination, ushort DestinationPort, byte[] Payload);

/// <summary>Just enough pcap (classic, little-endian, Ethernet) and DHCP reading to check the engine against dnsmasq's
/// real answers without depending on the wire decoder being written in parallel.</summary>
internal static class LabCapture
{
    public static IReadOnlyList<CapturedDatagram> ReadUdp(string path)
    {
        var bytes = File.ReadAllBytes(path);
        Assert.Equal(0xa1b2c3d4u, BinaryPrimitives.ReadUInt32LittleEndian(bytes));
        Assert.Equal(1u, BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(20)));
        var datagrams = new List<CapturedDatagram>();
        var offset = 24;
        for (var frame = 1; offset + 16 <= bytes.Length; frame++)
        {
            var length = (int)BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(offset + 8));
            var packet = bytes.AsSpan(offset + 16, length);
            offset += 16 + length;
            if (packet.Length < 42 || BinaryPrimitives.ReadUInt16BigEndian(packet[12..]) != 0x0800 || packet[23] != 17)
            {
                continue;
            }
            var ip = packet[14..];
            var udp = ip[((ip[0] & 0x0F) * 4)..];
            var udpLength = BinaryPrimitives.ReadUInt16BigEndian(udp[4..]);
            datagrams.Add(new CapturedDatagram(frame,
                IPv4Address.FromBytes(ip[12..]), BinaryPrimitives.ReadUInt16BigEndian(udp),
                IPv4Address.FromBytes(ip[16..]), BinaryPrimitives.ReadUInt16BigEndian(udp[2..]),
                udp[8..udpLength].ToArray()));
        }
        return datagrams;
    }

    /// <summary>RFC 2131 §2 fixed header, magic cookie, then options until END (no overload: dnsmasq's lab replies use none).</summary>
    public static DhcpMessage Decode(byte[] payload)
    {
        var span = payload.AsSpan();
        var options = new List<DhcpOption>();
        var i = DhcpMessage.FixedHeaderLength + 4;
        while (i < span.Length && span[i] != 255)
        {
            if (span[i] == 0)
            {
                i++;
                continue;
            }
            options.Add(DhcpOption.Create((DhcpOptionCode)span[i], span.Slice(i + 2, span[i + 1])));
            i += 2 + span[i + 1];
        }
        return new DhcpMessage
        {
            Operation = (BootOperation)span[0],
            HardwareType = span[1],
            HardwareAddressLength = span[2],
            Hops = span[3],
            TransactionId = BinaryPrimitives.ReadUInt32BigEndian(span[4..]),
            SecondsElapsed = BinaryPrimitives.ReadUInt16BigEndian(span[8..]),
            Flags = BinaryPrimitives.ReadUInt16BigEndian(span[10..]),
            ClientAddress = IPv4Address.FromBytes(span[12..]),
            YourAddress = IPv4Address.FromBytes(span[16..]),
            ServerAddress = IPv4Address.FromBytes(span[20..]),
            RelayAgentAddress = IPv4Address.FromBytes(span[24..]),
            ClientHardwareAddressField = [.. span.Slice(28, 16)],
            ServerName = CString(span.Slice(44, 64)),
            BootFileName = CString(span.Slice(108, 128)),
            Options = new DhcpOptionList(options),
        };
    }

    private static string CString(ReadOnlySpan<byte> field)
    {
        var nul = field.IndexOf((byte)0);
        return Encoding.Latin1.GetString(nul >= 0 ? field[..nul] : field);
    }

    public static ImmutableArray<byte> Option(DhcpMessage message, DhcpOptionCode code) =>
        message.Options.TryGet(code, out var data) ? data : [];
}

using System.Buffers.Binary;
using NetBoot.Wire.Net;

namespace NetBoot.Wire.Icmp6;

/// <summary>The ICMPv6 checksum (RFC 4443 §2.3): the Internet checksum (RFC 1071) over the IPv6 pseudo-header
/// (RFC 8200 §8.1: source, destination, upper-layer length, next header 58) and the ICMPv6 message.</summary>
public static class Icmp6Checksum
{
    public const byte NextHeader = 58;

    private const int ChecksumOffset = 2;

    /// <summary>The checksum for <paramref name="message"/>, reading its checksum field as zero.</summary>
    public static ushort Compute(IPv6Address source, IPv6Address destination, ReadOnlySpan<byte> message)
    {
        ulong sum = 0;
        sum += Sum128(source.Value) + Sum128(destination.Value);
        sum += (uint)message.Length;
        sum += NextHeader;
        for (var i = 0; i + 1 < message.Length; i += 2)
        {
            if (i != ChecksumOffset)
            {
                sum += BinaryPrimitives.ReadUInt16BigEndian(message[i..]);
            }
        }
        if ((message.Length & 1) != 0)
        {
            sum += (uint)message[^1] << 8;
        }
        while (sum >> 16 != 0)
        {
            sum = (sum & 0xFFFF) + (sum >> 16);
        }
        return (ushort)~sum;
    }

    /// <summary>Whether the checksum field of <paramref name="message"/> is right for these addresses.</summary>
    public static bool IsValid(IPv6Address source, IPv6Address destination, ReadOnlySpan<byte> message) =>
        message.Length >= 4 && BinaryPrimitives.ReadUInt16BigEndian(message[ChecksumOffset..]) == Compute(source, destination, message);

    /// <summary>Fills the checksum field. (A raw ICMPv6 socket on Linux does this itself, RFC 3542 §3.1.)</summary>
    public static void Write(IPv6Address source, IPv6Address destination, Span<byte> message) =>
        BinaryPrimitives.WriteUInt16BigEndian(message[ChecksumOffset..], Compute(source, destination, message));

    private static ulong Sum128(UInt128 value)
    {
        ulong sum = 0;
        for (var shift = 0; shift < 128; shift += 16)
        {
            sum += (ulong)(ushort)(value >> shift);
        }
        return sum;
    }
}

using System.Buffers.Binary;

namespace NetBoot.Wire.Dhcp6;

/// <summary>Encodes a DHCPv6 message into the caller's buffer, without allocating (RFC 8415 §8, §9). A relay message
/// is written as its header, its options, then option 9 holding the relayed message, encoded in place.</summary>
public static class Dhcp6MessageEncoder
{
    /// <summary>Bytes <see cref="TryEncode"/> writes for this packet.</summary>
    /// <exception cref="ArgumentException">A relayed message longer than an option can hold (65535 bytes), or relay
    /// nesting deeper than <see cref="Dhcp6MessageDecoder.MaximumRelayDepth"/>: bugs in the caller.</exception>
    public static int GetEncodedLength(Dhcp6Packet packet)
    {
        ArgumentNullException.ThrowIfNull(packet);
        var length = 0;
        var depth = 0;
        for (; packet is Dhcp6RelayMessage relay; packet = relay.Relayed)
        {
            if (++depth > Dhcp6MessageDecoder.MaximumRelayDepth)
            {
                throw new ArgumentException($"Relay nesting deeper than {Dhcp6MessageDecoder.MaximumRelayDepth}", nameof(packet));
            }
            length += Dhcp6RelayMessage.HeaderLength + relay.Options.EncodedLength + Dhcp6Option.HeaderLength;
        }
        length += Dhcp6Message.HeaderLength + packet.Options.EncodedLength;
        return length;
    }

    /// <summary>Writes the packet at the start of <paramref name="destination"/>; false (nothing meaningful written)
    /// when it does not fit.</summary>
    public static bool TryEncode(Dhcp6Packet packet, Span<byte> destination, out int written)
    {
        written = GetEncodedLength(packet);
        if (written > destination.Length)
        {
            written = 0;
            return false;
        }
        Write(packet, destination[..written]);
        return true;
    }

    public static byte[] Encode(Dhcp6Packet packet)
    {
        var bytes = new byte[GetEncodedLength(packet)];
        Write(packet, bytes);
        return bytes;
    }

    /// <summary><paramref name="destination"/> is exactly the packet's encoded length.</summary>
    private static void Write(Dhcp6Packet packet, Span<byte> destination)
    {
        while (packet is Dhcp6RelayMessage relay)
        {
            destination[0] = (byte)relay.Type;
            destination[1] = relay.HopCount;
            relay.LinkAddress.WriteTo(destination[2..]);
            relay.PeerAddress.WriteTo(destination[18..]);
            var offset = Dhcp6RelayMessage.HeaderLength + Dhcp6OptionScanner.Write(relay.Options, destination[Dhcp6RelayMessage.HeaderLength..]);
            var innerLength = destination.Length - offset - Dhcp6Option.HeaderLength;
            if (innerLength > Dhcp6Option.MaximumDataLength)
            {
                throw new ArgumentException($"The relayed message has {innerLength} bytes; option 9 holds at most 65535", nameof(packet));
            }
            BinaryPrimitives.WriteUInt16BigEndian(destination[offset..], (ushort)Dhcp6OptionCode.RelayMessage);
            BinaryPrimitives.WriteUInt16BigEndian(destination[(offset + 2)..], (ushort)innerLength);
            destination = destination[(offset + Dhcp6Option.HeaderLength)..];
            packet = relay.Relayed;
        }
        var message = (Dhcp6Message)packet;
        BinaryPrimitives.WriteUInt32BigEndian(destination, ((uint)message.Type << 24) | message.TransactionId);
        Dhcp6OptionScanner.Write(message.Options, destination[Dhcp6Message.HeaderLength..]);
    }
}

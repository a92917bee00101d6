using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;
using NetBoot.Wire.Net;

namespace NetBoot.Wire.Dhcp6;

/// <summary>Decodes a DHCPv6 datagram (RFC 8415 §8, §9, §21.1).</summary>
/// <remarks>
/// <list type="bullet">
/// <item>Every option of an area must fit exactly: an option header or data running past the area is
/// <see cref="Dhcp6DecodeError.TruncatedOption"/>, nothing is guessed.</item>
/// <item>Only the message's own option areas are checked here; the insides of IA_NA, IAADDR, vendor options and the
/// item lists are read by the typed accessors, which report a malformed value as absent.</item>
/// <item>A relay message's option 9 is decoded recursively, at most <see cref="MaximumRelayDepth"/> layers. RFC 8415
/// §7.6 limits relaying to 8 hops; deciding on that is the server's policy, so the decoder accepts deeper honest
/// nesting up to this bound and refuses beyond it.</item>
/// <item>Message types other than RELAY-FORW/RELAY-REPL decode in client/server format (leasequery and later types use
/// it too); only the reserved type 0 is refused.</item>
/// </list>
/// </remarks>
public static class Dhcp6MessageDecoder
{
    /// <summary>Bound on options per area: far above any real message (a Solicit carries about ten).</summary>
    public const int MaximumOptionCount = 256;

    /// <summary>Bound on relay nesting.</summary>
    public const int MaximumRelayDepth = 32;

    public static bool TryDecode(ReadOnlySpan<byte> datagram, [NotNullWhen(true)] out Dhcp6Packet? packet, out Dhcp6DecodeError error)
    {
        error = Decode(datagram, 0, out packet);
        return error == Dhcp6DecodeError.None;
    }

    private static Dhcp6DecodeError Decode(ReadOnlySpan<byte> datagram, int depth, out Dhcp6Packet? packet)
    {
        packet = null;
        if (datagram.IsEmpty)
        {
            return Dhcp6DecodeError.TooShort;
        }
        var type = (Dhcp6MessageType)datagram[0];
        if (type == 0)
        {
            return Dhcp6DecodeError.UnknownMessageType;
        }
        return Dhcp6Packet.IsRelayType(type)
            ? DecodeRelay(datagram, type, depth, out packet)
            : DecodeClientServer(datagram, type, out packet);
    }

    /// <summary>RFC 8415 §8: msg-type (1), transaction-id (3), options.</summary>
    private static Dhcp6DecodeError DecodeClientServer(ReadOnlySpan<byte> datagram, Dhcp6MessageType type, out Dhcp6Packet? packet)
    {
        packet = null;
        if (datagram.Length < Dhcp6Message.HeaderLength)
        {
            return Dhcp6DecodeError.TooShort;
        }
        var error = Dhcp6OptionScanner.Scan(datagram[Dhcp6Message.HeaderLength..], out var options);
        if (error != Dhcp6DecodeError.None)
        {
            return error;
        }
        packet = new Dhcp6Message
        {
            Type = type,
            TransactionId = BinaryPrimitives.ReadUInt32BigEndian(datagram) & Dhcp6Message.MaximumTransactionId,
            Options = options,
        };
        return Dhcp6DecodeError.None;
    }

    /// <summary>RFC 8415 §9: msg-type (1), hop-count (1), link-address (16), peer-address (16), options with exactly
    /// one Relay Message option.</summary>
    private static Dhcp6DecodeError DecodeRelay(ReadOnlySpan<byte> datagram, Dhcp6MessageType type, int depth, out Dhcp6Packet? packet)
    {
        packet = null;
        if (depth >= MaximumRelayDepth)
        {
            return Dhcp6DecodeError.RelayTooDeep;
        }
        if (datagram.Length < Dhcp6RelayMessage.HeaderLength)
        {
            return Dhcp6DecodeError.TooShort;
        }
        var error = Dhcp6OptionScanner.Scan(datagram[Dhcp6RelayMessage.HeaderLength..], out var options);
        if (error != Dhcp6DecodeError.None)
        {
            return error;
        }
        var relayed = options.GetAll(Dhcp6OptionCode.RelayMessage).Take(2).ToArray();
        if (relayed.Length != 1)
        {
            return relayed.Length == 0 ? Dhcp6DecodeError.MissingRelayMessage : Dhcp6DecodeError.DuplicateRelayMessage;
        }
        error = Decode(relayed[0].Span, depth + 1, out var inner);
        if (error != Dhcp6DecodeError.None)
        {
            return error;
        }
        packet = new Dhcp6RelayMessage
        {
            Type = type,
            HopCount = datagram[1],
            LinkAddress = IPv6Address.FromBytes(datagram[2..]),
            PeerAddress = IPv6Address.FromBytes(datagram[18..]),
            Options = options.Without(Dhcp6OptionCode.RelayMessage),
            Relayed = inner!,
        };
        return Dhcp6DecodeError.None;
    }
}

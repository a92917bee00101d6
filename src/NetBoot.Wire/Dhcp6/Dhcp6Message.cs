using NetBoot.Wire.Net;

namespace NetBoot.Wire.Dhcp6;

/// <summary>A decoded DHCPv6 datagram: a client/server message (RFC 8415 §8) or a relay message (§9) that carries one.</summary>
public abstract record Dhcp6Packet
{
    public abstract Dhcp6MessageType MessageType { get; }

    public Dhcp6OptionList Options { get; init; } = Dhcp6OptionList.Empty;

    public static bool IsRelayType(Dhcp6MessageType type) => type is Dhcp6MessageType.RelayForward or Dhcp6MessageType.RelayReply;

    /// <summary>The client/server message at the bottom of any relay nesting.</summary>
    public Dhcp6Message InnermostMessage
    {
        get
        {
            var packet = this;
            while (packet is Dhcp6RelayMessage relay)
            {
                packet = relay.Relayed;
            }
            return (Dhcp6Message)packet;
        }
    }
}

/// <summary>Client/server message (RFC 8415 §8): <c>msg-type</c>, 24-bit <c>transaction-id</c>, options.</summary>
public sealed record Dhcp6Message : Dhcp6Packet
{
    public const int HeaderLength = 4;

    /// <summary>RFC 8415 §8: the transaction id is 24 bits.</summary>
    public const uint MaximumTransactionId = 0xFF_FFFF;

    private readonly Dhcp6MessageType _type = Dhcp6MessageType.Solicit;
    private readonly uint _transactionId;

    public override Dhcp6MessageType MessageType => _type;

    /// <summary>Any type but RELAY-FORW/RELAY-REPL, which use <see cref="Dhcp6RelayMessage"/>.</summary>
    public Dhcp6MessageType Type
    {
        get => _type;
        init => _type = IsRelayType(value) || value == 0 ? throw new ArgumentOutOfRangeException(nameof(value), value, "Not a client/server message type") : value;
    }

    /// <summary><c>transaction-id</c>: 24 bits.</summary>
    public uint TransactionId
    {
        get => _transactionId;
        init => _transactionId = value > MaximumTransactionId ? throw new ArgumentOutOfRangeException(nameof(value), value, "A DHCPv6 transaction id has 24 bits") : value;
    }
}

/// <summary>Relay-agent/server message (RFC 8415 §9): <c>msg-type</c>, <c>hop-count</c>, <c>link-address</c>,
/// <c>peer-address</c>, options. The Relay Message option (9) is not in <see cref="Dhcp6Packet.Options"/>: it is decoded
/// into <see cref="Relayed"/>, and the encoder writes it after the other options.</summary>
public sealed record Dhcp6RelayMessage : Dhcp6Packet
{
    public const int HeaderLength = 34;

    /// <summary>RFC 8415 §7.6 <c>HOP_COUNT_LIMIT</c>: a relay drops a RELAY-FORW whose hop-count reached this.</summary>
    public const byte HopCountLimit = 8;

    private readonly Dhcp6MessageType _type = Dhcp6MessageType.RelayForward;

    public override Dhcp6MessageType MessageType => _type;

    /// <summary>RELAY-FORW or RELAY-REPL.</summary>
    public Dhcp6MessageType Type
    {
        get => _type;
        init => _type = IsRelayType(value) ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "Not a relay message type");
    }

    /// <summary><c>hop-count</c>: relay agents this message passed through before this one.</summary>
    public byte HopCount { get; init; }

    /// <summary><c>link-address</c>: identifies the client's link (may be unspecified, RFC 8415 §19.1.1).</summary>
    public IPv6Address LinkAddress { get; init; }

    /// <summary><c>peer-address</c>: the client or relay the message came from.</summary>
    public IPv6Address PeerAddress { get; init; }

    /// <summary>The message in option 9.</summary>
    public required Dhcp6Packet Relayed { get; init; }

    /// <summary>Number of relay layers, this one included.</summary>
    public int Depth
    {
        get
        {
            var depth = 1;
            for (var packet = Relayed; packet is Dhcp6RelayMessage inner; packet = inner.Relayed)
            {
                depth++;
            }
            return depth;
        }
    }
}

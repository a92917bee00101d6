namespace NetBoot.Wire.Dhcp6;

/// <summary>Why a datagram is not a well-formed DHCPv6 message.</summary>
public enum Dhcp6DecodeError
{
    None,
    /// <summary>Shorter than the 4-byte client/server header or the 34-byte relay header (RFC 8415 §8, §9).</summary>
    TooShort,
    /// <summary><c>msg-type</c> 0 (reserved) or one no RFC defines for this format.</summary>
    UnknownMessageType,
    /// <summary>An option's length runs past the end of its area, or fewer than 4 bytes remain for an option header.</summary>
    TruncatedOption,
    /// <summary>More options in one area than <see cref="Dhcp6MessageDecoder.MaximumOptionCount"/>.</summary>
    TooManyOptions,
    /// <summary>A relay message without its Relay Message option (RFC 8415 §9: it must carry one).</summary>
    MissingRelayMessage,
    /// <summary>A relay message carries more than one Relay Message option.</summary>
    DuplicateRelayMessage,
    /// <summary>Relay messages nested deeper than <see cref="Dhcp6MessageDecoder.MaximumRelayDepth"/>.</summary>
    RelayTooDeep,
}

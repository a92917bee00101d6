namespace NetBoot.Wire.Dhcp;

/// <summary>Why a datagram is not a well-formed DHCP/BOOTP message.</summary>
public enum DhcpDecodeError
{
    None,
    /// <summary>Shorter than the 236-byte fixed header.</summary>
    TooShort,
    /// <summary><c>op</c> is neither BOOTREQUEST nor BOOTREPLY.</summary>
    BadOperation,
    /// <summary><c>hlen</c> is larger than the 16-byte <c>chaddr</c>.</summary>
    BadHardwareAddressLength,
    /// <summary>An option's length runs past the end of its area.</summary>
    TruncatedOption,
    /// <summary>The options area ends without the END option. Not returned by <see cref="DhcpMessageDecoder"/>, which
    /// accepts a missing END at the end of the datagram as dnsmasq and ISC dhcpd do; kept for stricter checks.</summary>
    MissingEnd,
    /// <summary>Option 52 has a value other than 1, 2 or 3.</summary>
    BadOverload,
    /// <summary>Bytes after the fixed header that are not the magic cookie.</summary>
    BadMagicCookie,
}

/// <summary>Encoder settings chosen by the responder for one reply.</summary>
/// <param name="MaximumLength">Largest datagram (option 57 of the request, at least 576).</param>
/// <param name="AllowOverload">Whether options may continue in <c>file</c> and <c>sname</c> (option 52).</param>
/// <param name="MinimumLength">Pad with zeros to at least this length (BOOTP relays drop shorter packets).</param>
public readonly record struct DhcpEncodeOptions(int MaximumLength = 576, bool AllowOverload = false, int MinimumLength = DhcpMessage.MinimumLength);

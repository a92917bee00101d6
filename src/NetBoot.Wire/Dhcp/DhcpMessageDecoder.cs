using System.Diagnostics.CodeAnalysis;

namespace NetBoot.Wire.Dhcp;

/// <summary>Decodes a DHCP/BOOTP datagram (RFC 2131 §2, RFC 2132 §9.3 overload, RFC 3396 long options).</summary>
public static class DhcpMessageDecoder
{
    public static bool TryDecode(ReadOnlySpan<byte> datagram, [NotNullWhen(true)] out DhcpMessage? message, out DhcpDecodeError error) =>
        throw new NotImplementedException();
}

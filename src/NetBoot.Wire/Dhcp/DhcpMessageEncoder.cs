namespace NetBoot.Wire.Dhcp;

/// <summary>Encodes a DHCP message: fixed header, magic cookie, options (split per RFC 3396 when longer than 255,
/// spilled into <c>file</c>/<c>sname</c> per option 52 only when needed and allowed), END, padding to the minimum.</summary>
public static class DhcpMessageEncoder
{
    /// <summary>Writes the message; options that do not fit in <see cref="DhcpEncodeOptions.MaximumLength"/> are left out
    /// and listed in <paramref name="dropped"/>. Returns the number of bytes written.</summary>
    public static int Encode(DhcpMessage message, Span<byte> destination, DhcpEncodeOptions options, out IReadOnlyList<DhcpOptionCode> dropped) =>
        throw new NotImplementedException();

    public static byte[] Encode(DhcpMessage message, DhcpEncodeOptions options = default) =>
        throw new NotImplementedException();
}

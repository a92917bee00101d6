using System.Buffers;
using System.Buffers.Binary;
using System.Text;

namespace NetBoot.Wire.Dhcp;

/// <summary>Encodes a DHCP message: fixed header, magic cookie, options (split per RFC 3396 when longer than 255,
/// spilled into <c>file</c>/<c>sname</c> per option 52 only when needed and allowed), END, padding to the minimum.</summary>
/// <remarks>
/// <list type="bullet">
/// <item><c>default(DhcpEncodeOptions)</c> is all zeros: a <see cref="DhcpEncodeOptions.MaximumLength"/> of 0 means 576
/// (RFC 2131 §2: every client accepts 576-byte messages) and a <see cref="DhcpEncodeOptions.MinimumLength"/> of 0 means
/// 300 (RFC 1542 §2.1). The maximum is never taken below 300, so the header, 53, 54 and END always fit.</item>
/// <item>Options are written in list order; an option of more than 255 bytes becomes consecutive instances (RFC 3396).
/// Option 52 in the list is ignored (the encoder decides it); PAD/END in the list are not options and are reported as
/// dropped.</item>
/// <item>When the options do not fit and overload is allowed with empty <c>file</c>/<c>sname</c>, option 52 goes first
/// and the options continue in <c>file</c>, then <c>sname</c> (the RFC 3396 aggregate buffer order), each area ended by
/// END (RFC 2132 §9.3). Whole instances move to the next area: an option of 255 bytes or less is never split, because
/// clients without RFC 3396 support would read half an option.</item>
/// <item>When they still do not fit, options are dropped from the end of the list, never 53 or 54, and reported.</item>
/// <item><c>sname</c>/<c>file</c> are always NUL-terminated (dnsmasq's "buggy PXE" rule): at most 63/127 characters
/// (Latin-1, '?' for others) are written.</item>
/// <item>A message without the magic cookie (plain BOOTP) has no options: every option is reported as dropped.</item>
/// </list>
/// </remarks>
public static class DhcpMessageEncoder
{
    /// <summary>RFC 2131 §2: the smallest message every DHCP client must accept.</summary>
    public const int DefaultMaximumLength = 576;

    private const int ServerNameOffset = 44;
    private const int ServerNameLength = 64;
    private const int BootFileOffset = 108;
    private const int BootFileLength = 128;

    /// <summary>Writes the message; options that do not fit in <see cref="DhcpEncodeOptions.MaximumLength"/> are left out
    /// and listed in <paramref name="dropped"/>. Returns the number of bytes written.</summary>
    /// <exception cref="ArgumentException"><paramref name="destination"/> is shorter than 300 bytes.</exception>
    public static int Encode(DhcpMessage message, Span<byte> destination, DhcpEncodeOptions options, out IReadOnlyList<DhcpOptionCode> dropped)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (destination.Length < DhcpMessage.MinimumLength)
        {
            throw new ArgumentException($"The destination must hold at least {DhcpMessage.MinimumLength} bytes", nameof(destination));
        }
        var maximum = Math.Min(EffectiveMaximum(options), destination.Length);
        var minimum = Math.Min(options.MinimumLength == 0 ? DhcpMessage.MinimumLength : options.MinimumLength, maximum);
        var list = message.Options;
        var plan = message.HasMagicCookie ? OptionLayout.Choose(list, maximum, options.AllowOverload && HasEmptyNames(message)) : OptionLayout.None;

        destination[..maximum].Clear();
        var end = DhcpMessage.FixedHeaderLength;
        var overload = 0;
        if (message.HasMagicCookie)
        {
            // RFC 2131 §3: the options field starts with the magic cookie.
            BinaryPrimitives.WriteUInt32BigEndian(destination[DhcpMessage.FixedHeaderLength..], DhcpMessage.MagicCookie);
            (end, overload) = plan.Write(list, destination[..maximum]);
        }
        WriteFixedHeader(message, destination, overload);
        dropped = plan.Dropped(list);
        return Math.Max(end, minimum);
    }

    public static byte[] Encode(DhcpMessage message, DhcpEncodeOptions options = default) => Encode(message, options, out _);

    /// <summary>Like the span overload, into a new array of exactly the encoded length.</summary>
    public static byte[] Encode(DhcpMessage message, DhcpEncodeOptions options, out IReadOnlyList<DhcpOptionCode> dropped)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(EffectiveMaximum(options));
        try
        {
            var length = Encode(message, buffer, options, out dropped);
            return buffer.AsSpan(0, length).ToArray();
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static int EffectiveMaximum(DhcpEncodeOptions options) =>
        Math.Max(options.MaximumLength == 0 ? DefaultMaximumLength : options.MaximumLength, DhcpMessage.MinimumLength);

    private static bool HasEmptyNames(DhcpMessage message) => message.ServerName.Length == 0 && message.BootFileName.Length == 0;

    /// <summary>RFC 2131 §2, figure 1.</summary>
    private static void WriteFixedHeader(DhcpMessage message, Span<byte> destination, int overload)
    {
        destination[0] = (byte)message.Operation;
        destination[1] = message.HardwareType;
        destination[2] = message.HardwareAddressLength;
        destination[3] = message.Hops;
        BinaryPrimitives.WriteUInt32BigEndian(destination[4..], message.TransactionId);
        BinaryPrimitives.WriteUInt16BigEndian(destination[8..], message.SecondsElapsed);
        BinaryPrimitives.WriteUInt16BigEndian(destination[10..], message.Flags);
        message.ClientAddress.WriteTo(destination[12..]);
        message.YourAddress.WriteTo(destination[16..]);
        message.ServerAddress.WriteTo(destination[20..]);
        message.RelayAgentAddress.WriteTo(destination[24..]);
        var chaddr = message.ClientHardwareAddressField.AsSpan();
        chaddr[..Math.Min(chaddr.Length, 16)].CopyTo(destination[28..]);
        if ((overload & OptionLayout.OverloadServerName) == 0)
        {
            WriteNulTerminated(message.ServerName, destination.Slice(ServerNameOffset, ServerNameLength));
        }
        if ((overload & OptionLayout.OverloadBootFile) == 0)
        {
            WriteNulTerminated(message.BootFileName, destination.Slice(BootFileOffset, BootFileLength));
        }
    }

    /// <summary>dnsmasq parity ("buggy PXE again"): the last byte of the field stays NUL, so a long name is cut.</summary>
    private static void WriteNulTerminated(string text, Span<byte> field)
    {
        var chars = text.AsSpan(0, Math.Min(text.Length, field.Length - 1));
        Encoding.Latin1.GetBytes(chars, field);
    }
}

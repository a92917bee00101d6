using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;
using System.Text;
using NetBoot.Wire.Net;

namespace NetBoot.Wire.Dhcp;

/// <summary>Decodes a DHCP/BOOTP datagram (RFC 2131 §2, RFC 2132 §9.3 overload, RFC 3396 long options).</summary>
/// <remarks>
/// Decisions on input real servers meet:
/// <list type="bullet">
/// <item>Nothing after the 236-byte header, or only zero bytes (a BOOTP <c>vend</c> area left blank, RFC 951), is plain
/// BOOTP: <see cref="DhcpMessage.HasMagicCookie"/> is false and there are no options. Any other bytes there that do not
/// start with the cookie are <see cref="DhcpDecodeError.BadMagicCookie"/>.</item>
/// <item>An options area that ends without END (255) is accepted, as dnsmasq (<c>option_find1</c> stops at the end of
/// the packet) and ISC dhcpd do; some firmware sends such packets. <see cref="DhcpDecodeError.MissingEnd"/> is never
/// returned. Bytes after END are padding and ignored.</item>
/// <item>An option whose length runs past its area (options, <c>file</c> or <c>sname</c>) is
/// <see cref="DhcpDecodeError.TruncatedOption"/>: the message is rejected, nothing is guessed.</item>
/// <item>Repeated instances of one code are concatenated (RFC 3396) in the order of the aggregate buffer — options area,
/// then <c>file</c>, then <c>sname</c> — and the option keeps the position of its first instance.</item>
/// <item>Option 52 is honoured only in the options area (RFC 2131 §4.1) and is consumed: it is not in
/// <see cref="DhcpMessage.Options"/>, and an overloaded <c>file</c>/<c>sname</c> decodes as an empty string.</item>
/// </list>
/// </remarks>
public static class DhcpMessageDecoder
{
    private const int OperationOffset = 0;
    private const int ServerNameOffset = 44;
    private const int ServerNameLength = 64;
    private const int BootFileOffset = 108;
    private const int BootFileLength = 128;
    private const int OptionsOffset = DhcpMessage.FixedHeaderLength + 4;
    private const int MaximumHardwareAddressLength = 16;

    public static bool TryDecode(ReadOnlySpan<byte> datagram, [NotNullWhen(true)] out DhcpMessage? message, out DhcpDecodeError error)
    {
        message = null;
        error = CheckFixedHeader(datagram);
        if (error != DhcpDecodeError.None)
        {
            return false;
        }
        var header = ReadFixedHeader(datagram);
        var vendorArea = datagram[DhcpMessage.FixedHeaderLength..];
        if (IsPlainBootp(vendorArea))
        {
            message = header;
            return true;
        }
        if (!StartsWithMagicCookie(vendorArea))
        {
            error = DhcpDecodeError.BadMagicCookie;
            return false;
        }
        var collector = new OptionCollector();
        error = collector.Scan(datagram[OptionsOffset..]);
        if (error != DhcpDecodeError.None)
        {
            return false;
        }
        error = ReadOverload(collector, datagram, out var overload);
        if (error != DhcpDecodeError.None)
        {
            return false;
        }
        message = header with
        {
            HasMagicCookie = true,
            ServerName = overload.HasFlag(Overload.ServerName) ? string.Empty : header.ServerName,
            BootFileName = overload.HasFlag(Overload.BootFile) ? string.Empty : header.BootFileName,
            Options = collector.ToOptionList(),
        };
        return true;
    }

    [Flags]
    private enum Overload : byte
    {
        None = 0,
        BootFile = 1,
        ServerName = 2,
    }

    private static DhcpDecodeError CheckFixedHeader(ReadOnlySpan<byte> datagram)
    {
        if (datagram.Length < DhcpMessage.FixedHeaderLength)
        {
            return DhcpDecodeError.TooShort;
        }
        if (datagram[OperationOffset] is not ((byte)BootOperation.BootRequest or (byte)BootOperation.BootReply))
        {
            return DhcpDecodeError.BadOperation;
        }
        return datagram[2] > MaximumHardwareAddressLength ? DhcpDecodeError.BadHardwareAddressLength : DhcpDecodeError.None;
    }

    /// <summary>RFC 2131 §2, figure 1: op htype hlen hops | xid | secs flags | ciaddr | yiaddr | siaddr | giaddr | chaddr(16) | sname(64) | file(128).</summary>
    private static DhcpMessage ReadFixedHeader(ReadOnlySpan<byte> datagram) => new()
    {
        Operation = (BootOperation)datagram[0],
        HardwareType = datagram[1],
        HardwareAddressLength = datagram[2],
        Hops = datagram[3],
        TransactionId = BinaryPrimitives.ReadUInt32BigEndian(datagram[4..]),
        SecondsElapsed = BinaryPrimitives.ReadUInt16BigEndian(datagram[8..]),
        Flags = BinaryPrimitives.ReadUInt16BigEndian(datagram[10..]),
        ClientAddress = IPv4Address.FromBytes(datagram[12..]),
        YourAddress = IPv4Address.FromBytes(datagram[16..]),
        ServerAddress = IPv4Address.FromBytes(datagram[20..]),
        RelayAgentAddress = IPv4Address.FromBytes(datagram[24..]),
        ClientHardwareAddressField = [.. datagram.Slice(28, 16)],
        ServerName = ReadNulTerminated(datagram.Slice(ServerNameOffset, ServerNameLength)),
        BootFileName = ReadNulTerminated(datagram.Slice(BootFileOffset, BootFileLength)),
        HasMagicCookie = false,
    };

    /// <summary><c>sname</c>/<c>file</c> are NUL-terminated; Latin-1 maps every byte to one char, so nothing is lost.</summary>
    private static string ReadNulTerminated(ReadOnlySpan<byte> field)
    {
        var nul = field.IndexOf((byte)0);
        return Encoding.Latin1.GetString(nul >= 0 ? field[..nul] : field);
    }

    /// <summary>RFC 951: a BOOTP message ends with a 64-byte <c>vend</c> area, zero when unused; RFC 1542 clients may omit it.</summary>
    private static bool IsPlainBootp(ReadOnlySpan<byte> vendorArea) => !vendorArea.ContainsAnyExcept((byte)0);

    /// <summary>RFC 2131 §3: the options field starts with 99.130.83.99.</summary>
    private static bool StartsWithMagicCookie(ReadOnlySpan<byte> vendorArea) =>
        vendorArea.Length >= 4 && BinaryPrimitives.ReadUInt32BigEndian(vendorArea) == DhcpMessage.MagicCookie;

    /// <summary>RFC 2132 §9.3 and RFC 3396: option 52 (1 = <c>file</c>, 2 = <c>sname</c>, 3 = both) extends the aggregate
    /// option buffer with <c>file</c> then <c>sname</c>. Only the options area may carry it (RFC 2131 §4.1).</summary>
    private static DhcpDecodeError ReadOverload(OptionCollector collector, ReadOnlySpan<byte> datagram, out Overload overload)
    {
        overload = Overload.None;
        if (!collector.TryTake(DhcpOptionCode.OptionOverload, out var value))
        {
            return DhcpDecodeError.None;
        }
        if (value.Length != 1 || value[0] is < 1 or > 3)
        {
            return DhcpDecodeError.BadOverload;
        }
        overload = (Overload)value[0];
        collector.StopHonouringOverload();
        if (overload.HasFlag(Overload.BootFile))
        {
            var error = collector.Scan(datagram.Slice(BootFileOffset, BootFileLength));
            if (error != DhcpDecodeError.None)
            {
                return error;
            }
        }
        return overload.HasFlag(Overload.ServerName)
            ? collector.Scan(datagram.Slice(ServerNameOffset, ServerNameLength))
            : DhcpDecodeError.None;
    }
}

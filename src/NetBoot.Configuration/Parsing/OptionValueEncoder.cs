using System.Collections.Immutable;
using System.Globalization;
using System.Text;
using NetBoot.Wire.Dhcp;
using NetBoot.Wire.Net;

namespace NetBoot.Configuration.Parsing;

internal enum OptionValueKind
{
    Empty,
    Integer,
    Hex,
    AddressList,
    Text,
}

/// <summary>An option value encoded to wire bytes, with how it was typed.</summary>
internal sealed record EncodedOptionValue(
    OptionValueKind Kind,
    ImmutableArray<byte> Bytes,
    ImmutableArray<bool> Wildcards,
    bool HasZeroAddress)
{
    public static readonly EncodedOptionValue Empty = new(OptionValueKind.Empty, [], [], false);
}

internal readonly record struct ValueError(string Message, string? Hint);

/// <summary>The value half of dnsmasq's <c>parse_dhcp_opt</c> (<c>src/option.c</c>): the value's characters decide its
/// type (integer with an optional <c>b</c>/<c>s</c>/<c>i</c> size letter, colon hex, IPv4 list, else text) unless the
/// option's catalogue entry fixes it. Quoted characters are hidden, so a quoted value is always text.</summary>
internal static class OptionValueEncoder
{
    private readonly record struct Shape(
        bool IsDecimal, bool IsHex, bool IsAddress, int Dots, int Colons, char SizeLetter, string Text, string Digits);

    public static bool TryEncode(string? hiddenValue, DhcpOptionInfo? known, bool allowWildcards,
        out EncodedOptionValue value, out ValueError error)
    {
        value = EncodedOptionValue.Empty;
        error = default;
        if (hiddenValue is null)
        {
            return true;
        }
        var shape = Characterise(hiddenValue, allowWildcards);
        var format = known?.Format;
        if (format == DhcpOptionFormat.AddressList)
        {
            if (!shape.IsAddress || shape.Dots == 0)
            {
                error = new ValueError("bad IP address",
                    $"option {known!.Name} takes IPv4 addresses separated by commas, e.g. 192.168.1.1,192.168.1.2");
                return false;
            }
            return TryEncodeAddresses(shape.Text, out value, out error);
        }
        if (format is DhcpOptionFormat.Text or DhcpOptionFormat.DomainNames)
        {
            value = EncodeText(shape.Text, format == DhcpOptionFormat.DomainNames);
            return true;
        }
        if (format == DhcpOptionFormat.Seconds && TryEncodeSeconds(shape.Text, out value))
        {
            return true;
        }
        if (shape.IsHex && shape.Colons > 0)
        {
            return TryEncodeHex(shape.Text, allowWildcards, out value, out error);
        }
        if (shape.IsDecimal)
        {
            value = EncodeInteger(shape, known);
            return true;
        }
        if (shape.IsAddress)
        {
            return TryEncodeAddresses(shape.Text, out value, out error);
        }
        value = EncodeText(shape.Text, domainNames: false);
        return true;
    }

    /// <summary>dnsmasq parity: the character scan that sets is_dec / is_hex / is_addr, including the one trailing size letter.</summary>
    private static Shape Characterise(string text, bool allowWildcards)
    {
        bool isDec = true, isHex = true, isAddr = true, foundDigit = false;
        int dots = 0, colons = 0;
        var sizeLetter = '\0';
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            switch (c)
            {
                case ',':
                    isDec = isHex = false;
                    break;
                case ':':
                    colons++;
                    isDec = isAddr = false;
                    break;
                case '/':
                    isDec = isHex = false;
                    if (i == 0)
                    {
                        isAddr = false; // a leading / is a path name
                    }
                    break;
                case '.':
                    isDec = isHex = false;
                    dots++;
                    break;
                case '-':
                    isHex = isAddr = false;
                    break;
                case ' ':
                    isDec = isHex = false;
                    break;
                case >= '0' and <= '9':
                    foundDigit = true;
                    break;
                default:
                    isAddr = false;
                    if (i == text.Length - 1 && isDec && c is 'b' or 's' or 'i')
                    {
                        sizeLetter = c;
                    }
                    else
                    {
                        isDec = false;
                    }
                    if (!char.IsAsciiHexDigit(c) && !(c == '*' && allowWildcards))
                    {
                        isHex = false;
                    }
                    break;
            }
        }
        if (!foundDigit)
        {
            isDec = isAddr = false;
        }
        var digits = sizeLetter == '\0' ? text : text[..^1];
        return new Shape(isDec, isHex, isAddr, dots, colons, sizeLetter, text, digits);
    }

    private static EncodedOptionValue EncodeInteger(Shape shape, DhcpOptionInfo? known)
    {
        var number = Atoi(shape.Digits);
        var width = known is { Width: > 0 } ? known.Width
            : (number & 0xFFFF_0000) != 0 ? 4
            : (number & 0xFF00) != 0 ? 2 : 1;
        width = shape.SizeLetter switch
        {
            'b' => 1,
            's' => 2,
            'i' => 4,
            _ => width,
        };
        var bytes = new byte[width];
        for (var i = 0; i < width; i++)
        {
            bytes[i] = (byte)(number >> ((width - i - 1) * 8));
        }
        return new EncodedOptionValue(OptionValueKind.Integer, [.. bytes], [], false);
    }

    /// <summary>C's <c>atoi</c>: optional sign, leading digits, wrapping like a 32-bit int.</summary>
    internal static int Atoi(string text)
    {
        var i = 0;
        var negative = false;
        if (i < text.Length && text[i] is '-' or '+')
        {
            negative = text[i] == '-';
            i++;
        }
        long value = 0;
        for (; i < text.Length && char.IsAsciiDigit(text[i]); i++)
        {
            value = unchecked((value * 10) + (text[i] - '0')) & 0xFFFF_FFFF;
        }
        var result = unchecked((int)(uint)value);
        return negative ? -result : result;
    }

    private static bool TryEncodeSeconds(string text, out EncodedOptionValue value)
    {
        value = EncodedOptionValue.Empty;
        if (!DurationSyntax.TryParseSeconds(text, out var seconds))
        {
            return false;
        }
        var bytes = new byte[4];
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(bytes, seconds);
        value = new EncodedOptionValue(OptionValueKind.Integer, [.. bytes], [], false);
        return true;
    }

    /// <summary>dnsmasq's <c>parse_hex</c>: colon-separated bytes of one or two hex digits; <c>*</c> is a wildcard in dhcp-match.</summary>
    internal static bool TryEncodeHex(string text, bool allowWildcards, out EncodedOptionValue value, out ValueError error)
    {
        value = EncodedOptionValue.Empty;
        error = default;
        var parts = text.Split(':');
        var bytes = new byte[parts.Length];
        var wildcards = new bool[parts.Length];
        for (var i = 0; i < parts.Length; i++)
        {
            if (allowWildcards && parts[i] == "*")
            {
                wildcards[i] = true;
                continue;
            }
            if (parts[i].Length is 0 or > 2
                || !byte.TryParse(parts[i], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out bytes[i]))
            {
                error = new ValueError("bad hex constant", "write bytes as two hex digits separated by colons, e.g. 01:02:0a");
                return false;
            }
        }
        value = new EncodedOptionValue(OptionValueKind.Hex, [.. bytes], allowWildcards ? [.. wildcards] : [], false);
        return true;
    }

    /// <summary>IPv4 list; <c>a.b.c.d/n</c> is written in RFC 3442 descriptor form (width, significant octets).</summary>
    private static bool TryEncodeAddresses(string text, out EncodedOptionValue value, out ValueError error)
    {
        value = EncodedOptionValue.Empty;
        error = default;
        var bytes = new List<byte>();
        var hasZero = false;
        var hasDescriptor = false;
        foreach (var field in FieldCursor.Split(text))
        {
            var slash = field.IndexOf('/', StringComparison.Ordinal);
            var addressText = slash < 0 ? field : field[..slash].TrimEnd(' ');
            if (!IPv4Address.TryParse(addressText, out var address))
            {
                // dnsmasq parity: the per-address check says "IPv4", the whole-value check above says "IP".
                error = new ValueError("bad IPv4 address", $"'{QuotedText.Reveal(field)}' is not a dotted-quad IPv4 address");
                return false;
            }
            var octets = address.ToBytes();
            if (slash < 0)
            {
                hasZero |= address.IsZero;
                bytes.AddRange(octets);
                continue;
            }
            // RFC 3442 §3: destination descriptor = width, then only the significant octets.
            var width = Atoi(field[(slash + 1)..].Trim(' '));
            hasDescriptor = true;
            bytes.Add((byte)width);
            bytes.AddRange(octets.Take((Math.Clamp(width, 0, 32) + 7) / 8));
        }
        value = new EncodedOptionValue(OptionValueKind.AddressList, [.. bytes], [], hasZero && !hasDescriptor);
        return true;
    }

    private static EncodedOptionValue EncodeText(string hidden, bool domainNames)
    {
        var text = QuotedText.Reveal(hidden);
        var bytes = domainNames ? EncodeDomainNames(text) : Encoding.UTF8.GetBytes(text);
        return new EncodedOptionValue(OptionValueKind.Text, [.. bytes], [], false);
    }

    /// <summary>RFC 1035 §3.1 labels for each comma-separated name (RFC 3397 search list, uncompressed).</summary>
    private static byte[] EncodeDomainNames(string text)
    {
        var bytes = new List<byte>();
        foreach (var name in text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            foreach (var label in name.TrimEnd('.').Split('.', StringSplitOptions.RemoveEmptyEntries))
            {
                var labelBytes = Encoding.ASCII.GetBytes(label);
                bytes.Add((byte)Math.Min(labelBytes.Length, 63));
                bytes.AddRange(labelBytes.Take(63));
            }
            bytes.Add(0);
        }
        return [.. bytes];
    }
}

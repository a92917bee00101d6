using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using NetBoot.Wire.Net;

namespace NetBoot.Wire.Rendering;

/// <summary>Small pure formatters shared by the renderers: hex, quoted text, addresses, durations.</summary>
public static class ValueText
{
    /// <summary>Bytes as space-separated lower-case hex pairs.</summary>
    public static string Hex(ReadOnlySpan<byte> bytes)
    {
        if (bytes.IsEmpty)
        {
            return "(empty)";
        }
        var text = new StringBuilder(bytes.Length * 3);
        foreach (var b in bytes)
        {
            if (text.Length > 0)
            {
                text.Append(' ');
            }
            text.Append(b.ToString("x2", CultureInfo.InvariantCulture));
        }
        return text.ToString();
    }

    /// <summary>Hex cut into lines of 16 bytes, for long opaque values.</summary>
    public static IEnumerable<string> HexLines(ReadOnlyMemory<byte> bytes)
    {
        for (var i = 0; i < bytes.Length; i += 16)
        {
            yield return Hex(bytes.Span.Slice(i, Math.Min(16, bytes.Length - i)));
        }
    }

    /// <summary>True when every byte is printable ASCII (a trailing NUL allowed), so the value reads as text.</summary>
    public static bool IsPrintable(ReadOnlySpan<byte> bytes)
    {
        var trimmed = TrimTrailingNuls(bytes);
        if (trimmed.IsEmpty)
        {
            return false;
        }
        foreach (var b in trimmed)
        {
            if (b is < 0x20 or > 0x7e)
            {
                return false;
            }
        }
        return true;
    }

    public static ReadOnlySpan<byte> TrimTrailingNuls(ReadOnlySpan<byte> bytes)
    {
        var end = bytes.Length;
        while (end > 0 && bytes[end - 1] == 0)
        {
            end--;
        }
        return bytes[..end];
    }

    /// <summary>Text in double quotes; bytes outside printable ASCII are written <c>\xNN</c>, so the
    /// rendering is one line and shows exactly what was sent.</summary>
    public static string Quoted(ReadOnlySpan<byte> bytes)
    {
        var text = new StringBuilder(bytes.Length + 2).Append('"');
        foreach (var b in bytes)
        {
            switch (b)
            {
                case (byte)'"':
                    text.Append("\\\"");
                    break;
                case (byte)'\\':
                    text.Append("\\\\");
                    break;
                case >= 0x20 and <= 0x7e:
                    text.Append((char)b);
                    break;
                default:
                    text.Append("\\x").Append(b.ToString("x2", CultureInfo.InvariantCulture));
                    break;
            }
        }
        return text.Append('"').ToString();
    }

    public static string Quoted(string latin1) => Quoted(Encoding.Latin1.GetBytes(latin1));

    /// <summary>Text when it reads as text, else hex.</summary>
    public static string TextOrHex(ReadOnlySpan<byte> bytes) =>
        IsPrintable(bytes) ? Quoted(TrimTrailingNuls(bytes)) : Hex(bytes);

    public static string Address(ReadOnlySpan<byte> four) => IPv4Address.FromBytes(four).ToString();

    /// <summary>A whole number of IPv4 addresses, comma separated; null when the length is not a multiple of 4.</summary>
    public static string? AddressList(ReadOnlySpan<byte> bytes)
    {
        if (bytes.IsEmpty || bytes.Length % 4 != 0)
        {
            return null;
        }
        var parts = new List<string>(bytes.Length / 4);
        for (var i = 0; i < bytes.Length; i += 4)
        {
            parts.Add(Address(bytes.Slice(i, 4)));
        }
        return string.Join(", ", parts);
    }

    /// <summary>Seconds as "N s (1d 2h 3m 4s)"; 0xFFFFFFFF is infinite (RFC 2132 §9.2).</summary>
    public static string Seconds(uint seconds)
    {
        if (seconds == uint.MaxValue)
        {
            return "infinite";
        }
        var parts = new List<string>();
        var span = TimeSpan.FromSeconds(seconds);
        if (span.Days > 0)
        {
            parts.Add(string.Create(CultureInfo.InvariantCulture, $"{span.Days}d"));
        }
        if (span.Hours > 0)
        {
            parts.Add(string.Create(CultureInfo.InvariantCulture, $"{span.Hours}h"));
        }
        if (span.Minutes > 0)
        {
            parts.Add(string.Create(CultureInfo.InvariantCulture, $"{span.Minutes}m"));
        }
        if (span.Seconds > 0 || parts.Count == 0)
        {
            parts.Add(string.Create(CultureInfo.InvariantCulture, $"{span.Seconds}s"));
        }
        return seconds < 60
            ? string.Create(CultureInfo.InvariantCulture, $"{seconds}s")
            : string.Create(CultureInfo.InvariantCulture, $"{seconds}s ({string.Join(' ', parts)})");
    }

    public static string Hex16(ushort value) => "0x" + value.ToString("x4", CultureInfo.InvariantCulture);

    public static string Hex32(uint value) => "0x" + value.ToString("x8", CultureInfo.InvariantCulture);

    public static ushort UInt16(ReadOnlySpan<byte> bytes) => BinaryPrimitives.ReadUInt16BigEndian(bytes);

    public static uint UInt32(ReadOnlySpan<byte> bytes) => BinaryPrimitives.ReadUInt32BigEndian(bytes);

    public static string Plural(int count, string noun) =>
        string.Create(CultureInfo.InvariantCulture, $"{count} {noun}{(count == 1 ? string.Empty : "s")}");
}

using System.Diagnostics.CodeAnalysis;
using System.Text;

namespace NetBoot.Wire.Icmp6;

/// <summary>Uncompressed DNS names in wire form (RFC 1035 §3.1): length-prefixed labels ending with a zero byte. Used by
/// the RA DNSSL option and DHCPv6 option 24 (RFC 8415 §10: no compression).</summary>
public static class DnsWireName
{
    public const int MaximumLength = 255;

    /// <summary>Reads one name; <paramref name="consumed"/> counts its final zero byte.</summary>
    public static bool TryRead(ReadOnlySpan<byte> data, [NotNullWhen(true)] out string? name, out int consumed)
    {
        name = null;
        consumed = 0;
        var text = new StringBuilder();
        while (true)
        {
            if (consumed >= data.Length || consumed >= MaximumLength)
            {
                return false;
            }
            var length = data[consumed];
            if (length == 0)
            {
                consumed++;
                name = text.ToString();
                return true;
            }
            // A dot inside a label could not be told from a separator in the text form: refused, so names round-trip.
            if (length > 63 || consumed + 1 + length > data.Length || data.Slice(consumed + 1, length).Contains((byte)'.'))
            {
                return false;
            }
            if (text.Length > 0)
            {
                text.Append('.');
            }
            text.Append(Encoding.Latin1.GetString(data.Slice(consumed + 1, length)));
            consumed += 1 + length;
        }
    }

    /// <summary>Every name of a list that fills <paramref name="data"/> (DHCPv6 option 24); false when one is malformed.</summary>
    public static bool TryReadList(ReadOnlySpan<byte> data, [NotNullWhen(true)] out List<string>? names)
    {
        names = [];
        while (!data.IsEmpty)
        {
            if (!TryRead(data, out var name, out var consumed))
            {
                names = null;
                return false;
            }
            names.Add(name);
            data = data[consumed..];
        }
        return true;
    }

    /// <summary>Bytes <paramref name="name"/> takes in wire form (a trailing dot is ignored).</summary>
    public static int EncodedLength(string name)
    {
        var trimmed = name.TrimEnd('.');
        return trimmed.Length == 0 ? 1 : trimmed.Length + 2;
    }

    /// <summary>Writes one name; returns the bytes written.</summary>
    /// <exception cref="ArgumentException">A label longer than 63 bytes, an empty label, or a name over 255 bytes.</exception>
    public static int Write(string name, Span<byte> destination)
    {
        var trimmed = name.TrimEnd('.');
        if (EncodedLength(name) > MaximumLength)
        {
            throw new ArgumentException($"DNS name {name} is longer than 255 bytes", nameof(name));
        }
        var offset = 0;
        if (trimmed.Length > 0)
        {
            foreach (var label in trimmed.Split('.'))
            {
                if (label.Length is 0 or > 63)
                {
                    throw new ArgumentException($"DNS name {name} has a label that is empty or longer than 63 bytes", nameof(name));
                }
                destination[offset++] = (byte)label.Length;
                offset += Encoding.Latin1.GetBytes(label, destination[offset..]);
            }
        }
        destination[offset++] = 0;
        return offset;
    }
}

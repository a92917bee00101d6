using System.Text;

namespace NetBoot.Wire.Rendering;

/// <summary>RFC 1035 §3.1 names as used by options 119 (RFC 3397) and 120 (RFC 3361).</summary>
public static class DomainNameText
{
    private const int MaxPointerJumps = 32;

    /// <summary>Option 119: a list of names, with RFC 1035 §4.1.4 compression inside the option.</summary>
    public static string NameList(ReadOnlySpan<byte> data) =>
        TryReadNames(data, out var names)
            ? string.Join(", ", names.Select(n => "\"" + n + "\""))
            : DhcpOptionRenderer.BadLength(data, "RFC 1035 names");

    /// <summary>Option 120 (RFC 3361 §3): encoding byte 0 = names, 1 = addresses.</summary>
    public static string SipServers(ReadOnlySpan<byte> data)
    {
        if (data.IsEmpty)
        {
            return DhcpOptionRenderer.BadLength(data, "at least 1");
        }
        return data[0] switch
        {
            0 => "names " + NameList(data[1..]),
            1 => "addresses " + (ValueText.AddressList(data[1..]) ?? DhcpOptionRenderer.BadLength(data[1..], "a multiple of 4")),
            _ => "unknown encoding: " + ValueText.Hex(data),
        };
    }

    public static bool TryReadNames(ReadOnlySpan<byte> data, out List<string> names)
    {
        names = [];
        var offset = 0;
        while (offset < data.Length)
        {
            if (!TryReadName(data, ref offset, out var name))
            {
                return false;
            }
            names.Add(name);
        }
        return names.Count > 0;
    }

    private static bool TryReadName(ReadOnlySpan<byte> data, ref int offset, out string name)
    {
        var labels = new List<string>();
        var position = offset;
        var jumped = false;
        var jumps = 0;
        name = string.Empty;
        while (true)
        {
            if (position >= data.Length)
            {
                return false;
            }
            var length = data[position];
            if (length == 0)
            {
                if (!jumped)
                {
                    offset = position + 1;
                }
                break;
            }
            if ((length & 0xC0) == 0xC0)
            {
                if (position + 1 >= data.Length || ++jumps > MaxPointerJumps)
                {
                    return false;
                }
                if (!jumped)
                {
                    offset = position + 2;
                }
                jumped = true;
                position = ((length & 0x3F) << 8) | data[position + 1];
                continue;
            }
            if ((length & 0xC0) != 0 || position + 1 + length > data.Length)
            {
                return false;
            }
            labels.Add(Encoding.Latin1.GetString(data.Slice(position + 1, length)));
            position += 1 + length;
        }
        name = labels.Count == 0 ? "." : string.Join('.', labels);
        return true;
    }
}

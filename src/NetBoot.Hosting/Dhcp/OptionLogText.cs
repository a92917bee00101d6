using System.Globalization;
using NetBoot.Wire.Dhcp;
using NetBoot.Wire.Rendering;

namespace NetBoot.Hosting.Dhcp;

/// <summary>One option as a <c>log-dhcp</c> line, in dnsmasq's form: <c>sent size:  4 option: 54 server-identifier  192.168.1.10</c>,
/// durations as dnsmasq prints them (<c>1h</c>, <c>52m30s</c>, <c>infinite</c>). Printable text is logged bare (through
/// <see cref="LogText"/>, like every client-sent text), anything else as colon-separated hex.</summary>
internal static class OptionLogText
{
    private const int MaximumHexBytes = 64;

    public static string Describe(DhcpOption option)
    {
        var code = (byte)option.Code;
        return string.Create(CultureInfo.InvariantCulture,
            $"sent size:{option.Data.Length,3} option:{code,3} {DhcpOptionCatalog.NameOf(code)}  {Value(option)}");
    }

    /// <summary>dnsmasq's name for the option (<c>server-identifier</c>).</summary>
    public static string Name(DhcpOption option) => DhcpOptionCatalog.NameOf((byte)option.Code);

    /// <summary>The value as log-dhcp shows it: addresses, numbers, printable text, else hex.</summary>
    public static string Value(DhcpOption option) => Value((byte)option.Code, option.Data.AsSpan());

    private static string Value(byte code, ReadOnlySpan<byte> data)
    {
        var format = DhcpOptionCatalog.TryGetByCode(code, out var info) ? info.Format : DhcpOptionFormat.Bytes;
        var formatted = format switch
        {
            DhcpOptionFormat.AddressList => ValueText.AddressList(data),
            DhcpOptionFormat.Seconds when data.Length == 4 => Duration(ValueText.UInt32(data)),
            DhcpOptionFormat.Integer or DhcpOptionFormat.Seconds when data.Length is 1 or 2 or 4 => UnsignedText(data),
            _ => null,
        };
        if (formatted is not null)
        {
            return formatted;
        }
        if (!data.IsEmpty && ValueText.IsPrintable(data))
        {
            return LogText.Escape(ValueText.TrimTrailingNuls(data));
        }
        return ColonHex(data);
    }

    /// <summary>dnsmasq's prettyprint_time: <c>1h</c>, <c>30m</c>, <c>52m30s</c>, <c>1d2h</c>; all ones is <c>infinite</c>.</summary>
    public static string Duration(uint seconds)
    {
        if (seconds == uint.MaxValue)
        {
            return "infinite";
        }
        var text = new System.Text.StringBuilder();
        void Part(uint value, char unit)
        {
            if (value != 0)
            {
                text.Append(value.ToString(CultureInfo.InvariantCulture)).Append(unit);
            }
        }
        Part(seconds / 86400, 'd');
        Part(seconds % 86400 / 3600, 'h');
        Part(seconds % 3600 / 60, 'm');
        Part(seconds % 60, 's');
        return text.Length == 0 ? "0s" : text.ToString();
    }

    /// <summary>dnsmasq's hex form, <c>06:01:03:ff</c>, cut after <see cref="MaximumHexBytes"/> bytes.</summary>
    public static string ColonHex(ReadOnlySpan<byte> data)
    {
        var shown = data.Length > MaximumHexBytes ? data[..MaximumHexBytes] : data;
        var text = new System.Text.StringBuilder(shown.Length * 3 + 3);
        foreach (var b in shown)
        {
            if (text.Length > 0)
            {
                text.Append(':');
            }
            text.Append(b.ToString("x2", CultureInfo.InvariantCulture));
        }
        return data.Length > MaximumHexBytes ? text.Append("...").ToString() : text.ToString();
    }

    private static string UnsignedText(ReadOnlySpan<byte> data)
    {
        ulong value = 0;
        foreach (var b in data)
        {
            value = (value << 8) | b;
        }
        return value.ToString(CultureInfo.InvariantCulture);
    }
}

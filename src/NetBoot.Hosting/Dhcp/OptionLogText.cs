using System.Globalization;
using NetBoot.Wire.Dhcp;
using NetBoot.Wire.Rendering;

namespace NetBoot.Hosting.Dhcp;

/// <summary>One option as a <c>log-dhcp</c> line: <c>sent size:  4 option:  54 server-identifier  192.168.1.10</c>.
/// Printable text is logged bare, as dnsmasq does (through <see cref="LogText"/>, like every client-sent text), anything
/// else as hex; the value helpers are the packet renderer's.</summary>
internal static class OptionLogText
{
    private const int MaximumHexBytes = 64;

    public static string Describe(DhcpOption option)
    {
        var code = (byte)option.Code;
        return string.Create(CultureInfo.InvariantCulture,
            $"sent size: {option.Data.Length,3} option: {code,3} {DhcpOptionCatalog.NameOf(code)}  {Value(option)}");
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
        return data.Length > MaximumHexBytes
            ? Convert.ToHexStringLower(data[..MaximumHexBytes]) + "..."
            : Convert.ToHexStringLower(data);
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

using System.Globalization;
using System.Text;
using NetBoot.Wire.Dhcp;
using NetBoot.Wire.Net;

namespace NetBoot.Hosting.Dhcp;

/// <summary>One option as a <c>log-dhcp</c> line: <c>sent size:  4 option: 54 server-identifier  192.168.1.10</c>.</summary>
internal static class OptionLogText
{
    public static string Describe(DhcpOption option)
    {
        var code = (byte)option.Code;
        var name = DhcpOptionCatalog.NameOf(code);
        return string.Create(CultureInfo.InvariantCulture, $"sent size: {option.Data.Length,3} option: {code,3} {name}  {Value(option)}");
    }

    private static string Value(DhcpOption option)
    {
        var data = option.Data.AsSpan();
        if (DhcpOptionCatalog.TryGetByCode((byte)option.Code, out var info))
        {
            switch (info.Format)
            {
                case DhcpOptionFormat.AddressList when data.Length % 4 == 0 && data.Length > 0:
                    var addresses = new List<string>();
                    for (var i = 0; i < data.Length; i += 4)
                    {
                        addresses.Add(IPv4Address.FromBytes(data.Slice(i, 4)).ToString());
                    }
                    return string.Join(", ", addresses);
                case DhcpOptionFormat.Text when IsPrintable(data):
                    return Encoding.Latin1.GetString(data);
                case DhcpOptionFormat.Integer or DhcpOptionFormat.Seconds when data.Length is 1 or 2 or 4:
                    ulong value = 0;
                    foreach (var b in data)
                    {
                        value = (value << 8) | b;
                    }
                    return value.ToString(CultureInfo.InvariantCulture);
            }
        }
        if (IsPrintable(data) && data.Length > 0)
        {
            return Encoding.Latin1.GetString(data);
        }
        return Convert.ToHexString(data.Length > 64 ? data[..64] : data).ToLowerInvariant() + (data.Length > 64 ? "..." : "");
    }

    private static bool IsPrintable(ReadOnlySpan<byte> data)
    {
        foreach (var b in data)
        {
            if (b is < 0x20 or > 0x7e)
            {
                return false;
            }
        }
        return true;
    }
}

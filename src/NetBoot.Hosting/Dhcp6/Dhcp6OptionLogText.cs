using System.Globalization;
using System.Text;
using NetBoot.Wire.Dhcp6;
using NetBoot.Wire.Rendering;

namespace NetBoot.Hosting.Dhcp6;

/// <summary>One line of <c>log-dhcp</c> for a DHCPv6 option sent, as dnsmasq's log6_opts writes it:
/// <c>sent size: 14 option:  2 server-id  00:01:00:01:…</c>; the addresses inside an IA are <c>nest</c> lines.</summary>
internal readonly record struct Dhcp6OptionLine(string Direction, int Size, ushort Code, string Name, string Value)
{
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Direction} size:{Size,3} option:{Code,3} {Name}  {Value}");
}

/// <summary>The values of DHCPv6 options as <c>log-dhcp</c> shows them: IA_NA as <c>IAID=… T1=… T2=…</c>, IAADDR as
/// <c>&lt;address&gt; PL=… VL=…</c>, a status as <c>&lt;code&gt; &lt;message&gt;</c> (dnsmasq's forms), addresses, text; anything else as
/// colon-separated hex. Client text is escaped: a newline in an option cannot forge a log line.</summary>
internal static class Dhcp6OptionLogText
{
    public static IEnumerable<Dhcp6OptionLine> Lines(Dhcp6OptionList options) => Lines(options, nested: false);

    private static IEnumerable<Dhcp6OptionLine> Lines(Dhcp6OptionList options, bool nested)
    {
        foreach (var option in options)
        {
            var (name, value, inner) = Describe(option);
            yield return new Dhcp6OptionLine(nested ? "nest" : "sent", option.Span.Length, (ushort)option.Code, name, value);
            if (inner is not null)
            {
                foreach (var line in Lines(inner, nested: true))
                {
                    yield return line;
                }
            }
        }
    }

    private static (string Name, string Value, Dhcp6OptionList? Inner) Describe(Dhcp6Option option)
    {
        var data = option.Span;
        switch (option.Code)
        {
            case Dhcp6OptionCode.IaNa when Dhcp6IaNa.TryRead(data, out var ia):
                return ("ia-na", string.Create(CultureInfo.InvariantCulture,
                    $"IAID={ia.Iaid} T1={Dhcp6Lifetime.ToSeconds(ia.T1)} T2={Dhcp6Lifetime.ToSeconds(ia.T2)}"), ia.Options);
            case Dhcp6OptionCode.IaAddress when Dhcp6IaAddress.TryRead(data, out var address):
                return ("iaaddr", string.Create(CultureInfo.InvariantCulture,
                    $"{address.Address} PL={Dhcp6Lifetime.ToSeconds(address.PreferredLifetime)} VL={Dhcp6Lifetime.ToSeconds(address.ValidLifetime)}"), address.Options);
            case Dhcp6OptionCode.StatusCode when Dhcp6StatusCode.TryRead(data, out var status):
                return ("status", string.Create(CultureInfo.InvariantCulture, $"{(ushort)status.Code} {LogText.Escape(Encoding.UTF8.GetBytes(status.Message))}"), null);
        }
        var name = Dhcp6OptionCatalog.NameOf(option.Code);
        var kind = Dhcp6OptionCatalog.TryGetByCode(option.Code, out var info) ? info.Kind : Dhcp6OptionValueKind.Raw;
        var value = kind switch
        {
            Dhcp6OptionValueKind.AddressList when data.Length > 0 && data.Length % 16 == 0 => Addresses(data),
            Dhcp6OptionValueKind.Text when ValueText.IsPrintable(data) => LogText.Escape(data),
            Dhcp6OptionValueKind.LengthPrefixedStrings when Dhcp6OpaqueItems.TryRead(data, out var items) && items.All(i => ValueText.IsPrintable(i.AsSpan())) =>
                string.Join(",", items.Select(i => LogText.Escape(i.AsSpan()))),
            Dhcp6OptionValueKind.Time when data.Length == 4 => ValueText.UInt32(data).ToString(CultureInfo.InvariantCulture),
            _ => null,
        };
        return (name, value ?? Dhcp.OptionLogText.ColonHex(data), null);
    }

    private static string Addresses(ReadOnlySpan<byte> data)
    {
        var list = new List<string>(data.Length / 16);
        for (var i = 0; i + 16 <= data.Length; i += 16)
        {
            list.Add(Wire.Net.IPv6Address.FromBytes(data[i..]).ToString());
        }
        return string.Join(", ", list);
    }
}

using System.Collections.Immutable;
using NetBoot.Configuration.Model;
using NetBoot.Wire.Net;

namespace NetBoot.Configuration.Parsing;

/// <summary><c>dhcp-range=[tag:t,…][set:t,]start[,end|static|proxy][,netmask[,broadcast]][,lease]</c>
/// (<c>src/option.c</c>, the IPv4 branch of <c>case 'F'</c>).</summary>
internal static class DhcpRangeParser
{
    private const string Grammar =
        "write dhcp-range=[tag:<tag>,][set:<tag>,]<start>,<end>|static|proxy[,<netmask>[,<broadcast>]][,<lease time>]";

    /// <summary>dnsmasq's minimum lease: shorter leases confuse some clients (notably Apple's) and are raised silently.</summary>
    private static readonly TimeSpan MinimumLease = TimeSpan.FromSeconds(120);

    public static void Parse(DirectiveContext d)
    {
        var fields = d.Fields();
        var filter = ImmutableArray.CreateBuilder<TagCondition>();
        string? setTag = null;
        while (fields.HasMore && !LooksLikeAddress(fields.Rest!))
        {
            var field = fields.Take()!;
            if (TagSyntax.IsMatchPrefix(field))
            {
                if (field.Length > 4)
                {
                    filter.Add(TagSyntax.Condition(field[4..]));
                }
                continue;
            }
            if (setTag is not null)
            {
                d.Error("only one tag allowed", "a dhcp-range sets at most one tag with set:<tag>; match others with tag:<tag>");
                return;
            }
            setTag = TagSyntax.SetName(field);
        }
        var values = fields.TakeAll();
        if (values.Count > 0 && IsIPv6(values[0]))
        {
            Ipv6Parser.ParseRange(d, values, setTag, TagSyntax.Filter(filter));
            return;
        }
        if (values.Count < 2)
        {
            d.Error("bad dhcp-range", FewFieldsHint(values));
            return;
        }
        if (TryBuild(d, values, out var range))
        {
            d.Config.Ranges.Add(range with { SetTag = setTag, Filter = TagSyntax.Filter(filter) });
        }
    }

    /// <summary>dnsmasq parity (and its gotcha, NethServer/dev#5208): a leading field made only of hex digits, dots, colons
    /// and spaces is the start address, so a tag named <c>e0</c> or <c>cafe</c> is read as an address.</summary>
    private static bool LooksLikeAddress(string rest)
    {
        foreach (var c in rest)
        {
            if (c == ',')
            {
                return true;
            }
            if (!(c is ' ' or '.' or ':' || char.IsAsciiHexDigit(c)))
            {
                return false;
            }
        }
        return true;
    }

    private static string FewFieldsHint(List<string> values) =>
        values.Count == 1 && !IPv4Address.TryParse(values[0], out _) && values[0].Length > 0
            ? $"'{QuotedText.Reveal(values[0])}' looks like a tag name that was read as an address: use set:{QuotedText.Reveal(values[0])} to name a tag that looks like an address"
            : "a range needs at least a start address and an end address, static or proxy; " + Grammar;

    private static bool TryBuild(DirectiveContext d, List<string> a, out DhcpRangeConfig range)
    {
        range = null!;
        if (!IPv4Address.TryParse(a[0], out var start))
        {
            d.Error("bad dhcp-range", StartHint(a[0]));
            return false;
        }
        var end = start;
        var mode = a[1] switch
        {
            "static" => DhcpRangeMode.Static,
            "proxy" => DhcpRangeMode.Proxy,
            _ => DhcpRangeMode.Dynamic,
        };
        if (mode == DhcpRangeMode.Dynamic && !IPv4Address.TryParse(a[1], out end))
        {
            d.Error("bad dhcp-range", $"'{QuotedText.Reveal(a[1])}' is neither an end address nor static/proxy; " + Grammar);
            return false;
        }
        if (start > end)
        {
            (start, end) = (end, start); // dnsmasq parity: swapped silently
        }
        range = new DhcpRangeConfig { Start = start, End = end, Mode = mode, Source = d.Source };
        return TryNetmaskAndLease(d, a, ref range);
    }

    /// <summary>inet_pton(AF_INET6) rules: no brackets, zone or port (those fall to the IPv4 branch and its error).</summary>
    private static bool IsIPv6(string field) => IPv6Address.TryParse(QuotedText.Reveal(field), out _);

    private static string StartHint(string field)
    {
        var text = QuotedText.Reveal(field);
        return text.Length > 0 && text.All(char.IsAsciiHexDigit)
            ? $"'{text}' was read as the start address: use set:{text} to name a tag that looks like an address"
            : $"'{text}' is not an IPv4 address; " + Grammar;
    }

    private static bool TryNetmaskAndLease(DirectiveContext d, List<string> a, ref DhcpRangeConfig range)
    {
        var leasePosition = 2;
        if (a.Count > 2 && a[2].Contains('.', StringComparison.Ordinal) && IPv4Address.TryParse(a[2], out var netmask))
        {
            leasePosition = 3;
            if (!range.Start.IsInSubnet(range.End, netmask))
            {
                d.Error("inconsistent DHCP range", $"{range.Start} and {range.End} are not in the same subnet under netmask {netmask}");
                return false;
            }
            range = range with { Netmask = netmask };
            if (a.Count > 3 && a[3].Contains('.', StringComparison.Ordinal) && IPv4Address.TryParse(a[3], out var broadcast))
            {
                leasePosition = 4;
                range = range with { Broadcast = broadcast };
            }
        }
        if (leasePosition >= a.Count)
        {
            return true;
        }
        if (leasePosition != a.Count - 1)
        {
            d.Error("bad dhcp-range", ExtraFieldsHint(a, range.Mode));
            return false;
        }
        return TryLease(d, a[leasePosition], ref range);
    }

    private static string ExtraFieldsHint(List<string> a, DhcpRangeMode mode)
    {
        if (mode == DhcpRangeMode.Dynamic && a.Skip(2).Any(f => f is "proxy" or "static"))
        {
            return "a proxy or static range names one address (the network): dhcp-range=<network>,proxy[,<netmask>]";
        }
        return "too many fields after the addresses; " + Grammar;
    }

    private static bool TryLease(DirectiveContext d, string field, ref DhcpRangeConfig range)
    {
        if (field == "infinite")
        {
            range = range with { LeaseTime = null };
            return true;
        }
        if (field is "proxy" or "static")
        {
            d.Error("bad dhcp-range", "a proxy or static range names one address (the network): dhcp-range=<network>,proxy[,<netmask>]");
            return false;
        }
        if (!DurationSyntax.TryParseSeconds(field, out var seconds))
        {
            d.Error("bad dhcp-range", $"'{QuotedText.Reveal(field)}' is not a lease time: write digits with s, m, h, d or w (e.g. 12h) or infinite");
            return false;
        }
        var lease = TimeSpan.FromSeconds(seconds);
        range = range with { LeaseTime = lease < MinimumLease ? MinimumLease : lease };
        return true;
    }
}

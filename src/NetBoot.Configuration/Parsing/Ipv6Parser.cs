using System.Collections.Immutable;
using System.Globalization;
using NetBoot.Configuration.Model;
using NetBoot.Wire.Dhcp6;
using NetBoot.Wire.Icmp6;
using NetBoot.Wire.Net;

namespace NetBoot.Configuration.Parsing;

/// <summary>dnsmasq's IPv6 directives (the HAVE_DHCP6 branches of <c>src/option.c</c>): the IPv6 <c>dhcp-range</c>,
/// <c>enable-ra</c>, <c>ra-param</c>, <c>dhcp-duid</c>. Parsed and validated into <see cref="Ipv6Config"/>; DHCPv6 serves the
/// ranges (NetBoot.Hosting Dhcp6Service); what asks for router advertisements gets a notice that they are not sent.</summary>
internal static class Ipv6Parser
{
    /// <summary>Worded without a promise (DirectiveTableTests: no note says "yet").</summary>
    public const string RaNotServed = "router advertisements are not served";

    private const string RangeGrammar =
        "write dhcp-range=[tag:<tag>,][set:<tag>,]<start6>[,<end6>|constructor:<interface>][,static|ra-only|slaac|ra-names|ra-stateless|ra-advrouter|off-link…][,<prefix length>][,<lease time>]";

    private static readonly TimeSpan MinimumLease = TimeSpan.FromSeconds(120);

    /// <summary>The IPv6 branch of <c>dhcp-range</c>; <paramref name="values"/> are the fields after the tags.</summary>
    public static void ParseRange(DirectiveContext d, List<string> values, string? setTag, TagFilter filter)
    {
        var start = IPv6Address.Parse(QuotedText.Reveal(values[0]));
        var range = new Dhcp6RangeConfig { Start = start, End = start, SetTag = setTag, Filter = filter, Source = d.Source };
        var position = ReadModes(values, ref range);
        position = ReadPrefixLength(values, position, ref range);
        if (!TryValidate(d, ref range) || !TryLease(d, values, position, ref range))
        {
            return;
        }
        d.Config.Dhcp6Ranges.Add(range);
        if (range.SendsRouterAdvertisements)
        {
            d.Notice(ConfigNoticeKind.NotInEffect, $"IPv6 range {Describe(range)} parsed: {RaNotServed}{(range.Modes.HasFlag(Dhcp6RangeModes.Dhcp) ? " (DHCPv6 is)" : string.Empty)}");
        }
    }

    private static int ReadModes(List<string> values, ref Dhcp6RangeConfig range)
    {
        var position = 1;
        for (; position < values.Count; position++)
        {
            var field = values[position];
            Dhcp6RangeModes? mode = field switch
            {
                "static" => Dhcp6RangeModes.Static | Dhcp6RangeModes.Dhcp,
                "ra-only" or "slaac" => Dhcp6RangeModes.RouterAdvertisement,
                "ra-names" => Dhcp6RangeModes.RaNames | Dhcp6RangeModes.RouterAdvertisement,
                "ra-advrouter" => Dhcp6RangeModes.RaAdvertiseRouter | Dhcp6RangeModes.RouterAdvertisement,
                "ra-stateless" => Dhcp6RangeModes.RaStateless | Dhcp6RangeModes.Dhcp | Dhcp6RangeModes.RouterAdvertisement,
                "off-link" => Dhcp6RangeModes.OffLink,
                _ => null,
            };
            if (mode is { } flags)
            {
                range = range with { Modes = range.Modes | flags };
            }
            else if (position == 1 && IPv6Address.TryParse(QuotedText.Reveal(field), out var end))
            {
                range = range with { End = end, Modes = range.Modes | Dhcp6RangeModes.Dhcp };
            }
            else if (field.StartsWith("constructor:", StringComparison.Ordinal))
            {
                range = range with { ConstructorInterface = QuotedText.Reveal(field[12..]) };
            }
            else
            {
                break;
            }
        }
        return position;
    }

    /// <summary>dnsmasq parity: a bare integer of at most 128 after the modes is the prefix length.</summary>
    private static int ReadPrefixLength(List<string> values, int position, ref Dhcp6RangeConfig range)
    {
        if (position < values.Count && values[position].Length is > 0 and <= 3 && values[position].All(char.IsAsciiDigit)
            && int.Parse(values[position], CultureInfo.InvariantCulture) is var prefix and <= 128)
        {
            range = range with { PrefixLength = prefix };
            return position + 1;
        }
        return position;
    }

    private static bool TryValidate(DirectiveContext d, ref Dhcp6RangeConfig range)
    {
        string? error = range.PrefixLength switch
        {
            > 64 when range.SendsRouterAdvertisements => "prefix length must be exactly 64 for RA subnets",
            > 64 when range.IsTemplate => "prefix length must be exactly 64 for subnet constructors",
            < 64 => "prefix length must be at least 64",
            _ => null,
        };
        if (error is not null)
        {
            d.Error(error, "SLAAC and constructed subnets are /64 (RFC 4862 §5.5.3); write 64 or leave the prefix length out");
            return false;
        }
        if (range.Start.Mask(range.PrefixLength) != range.End.Mask(range.PrefixLength))
        {
            d.Error("inconsistent DHCPv6 range", $"{range.Start} and {range.End} are not in the same /{range.PrefixLength}");
            return false;
        }
        if (range.IsTemplate && !range.Start.Mask(range.PrefixLength).IsZero)
        {
            d.Error("prefix must be zero with \"constructor:\" argument",
                $"with constructor: write only the host part (e.g. ::1,::400,constructor:{range.ConstructorInterface}); the prefix comes from the interface");
            return false;
        }
        // dnsmasq parity: dhcp-range=:: enables stateless DHCPv6 on any interface.
        if (range.Start.IsZero && !range.IsTemplate)
        {
            range = range with { PrefixLength = 0 };
        }
        if (range.Start > range.End)
        {
            range = range with { Start = range.End, End = range.Start }; // dnsmasq parity: swapped silently
        }
        return true;
    }

    private static bool TryLease(DirectiveContext d, List<string> values, int position, ref Dhcp6RangeConfig range)
    {
        if (position >= values.Count)
        {
            return true;
        }
        var field = values[position];
        if (position != values.Count - 1)
        {
            d.Error("bad dhcp-range", $"'{QuotedText.Reveal(field)}' is not a mode, prefix length or lease time, or fields follow the lease time; " + RangeGrammar);
            return false;
        }
        if (field == "infinite")
        {
            range = range with { LeaseTime = null };
            return true;
        }
        if (field == "deprecated")
        {
            range = range with { Modes = range.Modes | Dhcp6RangeModes.Deprecated };
            return true;
        }
        if (!DurationSyntax.TryParseSeconds(field, out var seconds))
        {
            d.Error("bad dhcp-range", $"'{QuotedText.Reveal(field)}' is neither a mode nor a lease time; " + RangeGrammar);
            return false;
        }
        var lease = TimeSpan.FromSeconds(seconds);
        range = range with { LeaseTime = lease < MinimumLease ? MinimumLease : lease };
        return true;
    }

    public static string Describe(Dhcp6RangeConfig range)
    {
        var addresses = range.Start == range.End ? range.Start.ToString() : $"{range.Start}-{range.End}";
        return range.IsTemplate ? $"{addresses} constructed on {range.ConstructorInterface}" : $"{addresses}/{range.PrefixLength}";
    }

    public static void ParseEnableRa(DirectiveContext d)
    {
        d.Config.EnableRouterAdvertisements = true;
    }

    /// <summary><c>ra-param=&lt;iface&gt;,[mtu:&lt;n&gt;|&lt;iface&gt;|off,][high|low,]&lt;interval&gt;[,&lt;lifetime&gt;]</c>.</summary>
    public static void ParseRaParam(DirectiveContext d)
    {
        const string Hint = "write ra-param=<interface>,[mtu:<n>|<interface>|off,][high|low,]<interval seconds>[,<router lifetime seconds>]";
        var fields = FieldCursor.Split(d.Value);
        if (fields.Count < 2)
        {
            d.Error("bad RA-params", Hint);
            return;
        }
        var param = new RouterAdvertisementParamConfig { Interface = QuotedText.Reveal(fields[0]), Interval = TimeSpan.Zero, Source = d.Source };
        var position = 1;
        if (fields[position].StartsWith("mtu:", StringComparison.OrdinalIgnoreCase))
        {
            if (!TryMtu(QuotedText.Reveal(fields[position][4..]), ref param) || fields.Count < 3)
            {
                d.Error("bad RA-params", "mtu: takes a number of at least 1280 (RFC 8200 §5), an interface name or off; " + Hint);
                return;
            }
            position++;
        }
        if (fields[position].StartsWith("high", StringComparison.OrdinalIgnoreCase) || fields[position].StartsWith("low", StringComparison.OrdinalIgnoreCase))
        {
            param = param with { Preference = char.ToLowerInvariant(fields[position][0]) == 'l' ? RouterPreference.Low : RouterPreference.High };
            position++;
        }
        if (position >= fields.Count || position < fields.Count - 2 || !TrySeconds(fields[position], out var interval)
            || (position + 1 < fields.Count && !TrySeconds(fields[position + 1], out _)))
        {
            d.Error("bad RA-params", Hint);
            return;
        }
        param = param with { Interval = interval };
        if (position + 1 < fields.Count && TrySeconds(fields[position + 1], out var lifetime))
        {
            param = param with { RouterLifetime = lifetime };
        }
        d.Config.RouterAdvertisementParams.Add(param);
    }

    private static bool TryMtu(string text, ref RouterAdvertisementParamConfig param)
    {
        if (string.Equals(text, "off", StringComparison.OrdinalIgnoreCase))
        {
            param = param with { IsMtuOff = true };
            return true;
        }
        if (text.Length > 0 && text.All(char.IsAsciiDigit))
        {
            if (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var mtu) || mtu < 1280)
            {
                return false;
            }
            param = param with { Mtu = mtu };
            return true;
        }
        param = param with { MtuInterface = text };
        return text.Length > 0;
    }

    /// <summary>dnsmasq's <c>atoi_check</c>: plain decimal digits.</summary>
    private static bool TrySeconds(string field, out TimeSpan value)
    {
        value = TimeSpan.Zero;
        if (field.Length == 0 || !field.All(char.IsAsciiDigit) || !int.TryParse(field, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds))
        {
            return false;
        }
        value = TimeSpan.FromSeconds(seconds);
        return true;
    }

    /// <summary><c>dhcp-duid=&lt;enterprise number&gt;,&lt;uid hex&gt;</c>: this server's DUID-EN (RFC 8415 §11.3).</summary>
    public static void ParseDuid(DirectiveContext d)
    {
        const string Hint = "write dhcp-duid=<enterprise number>,<hex bytes>, e.g. dhcp-duid=43793,01:02:03:04";
        var fields = FieldCursor.Split(d.Value);
        if (fields.Count != 2 || !uint.TryParse(fields[0], NumberStyles.None, CultureInfo.InvariantCulture, out var enterprise)
            || !TryHex(QuotedText.Reveal(fields[1]), out var identifier) || identifier.Length is 0 or > Duid.MaximumLength - 6)
        {
            d.Error("bad DUID", Hint + " (1 to 124 bytes)");
            return;
        }
        d.Config.ServerDuid = Duid.Enterprise(enterprise, identifier);
    }

    /// <summary>dnsmasq's <c>parse_hex</c> without wildcards: <c>01:02:0a</c> or <c>01020a</c>.</summary>
    internal static bool TryHex(string text, out byte[] bytes)
    {
        var digits = text.Replace(":", string.Empty, StringComparison.Ordinal).Replace("-", string.Empty, StringComparison.Ordinal);
        bytes = [];
        if (digits.Length == 0 || !digits.All(char.IsAsciiHexDigit))
        {
            return false;
        }
        if (text.Contains(':', StringComparison.Ordinal))
        {
            var parts = text.Split(':');
            if (parts.Any(p => p.Length is 0 or > 2))
            {
                return false;
            }
            bytes = [.. parts.Select(p => byte.Parse(p, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture))];
            return true;
        }
        if (digits.Length % 2 != 0)
        {
            return false;
        }
        bytes = Convert.FromHexString(digits);
        return true;
    }
}

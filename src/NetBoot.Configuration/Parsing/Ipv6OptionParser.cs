using System.Buffers.Binary;
using System.Collections.Immutable;
using System.Globalization;
using System.Text;
using NetBoot.Configuration.Model;
using NetBoot.Wire.Dhcp6;
using NetBoot.Wire.Icmp6;
using NetBoot.Wire.Net;

namespace NetBoot.Configuration.Parsing;

/// <summary><c>dhcp-option=[tag:..,]option6:&lt;name|number&gt;,&lt;value&gt;…</c> and
/// <c>dhcp-match=set:&lt;tag&gt;,option6:&lt;number|name&gt;[,&lt;value&gt;]</c> (<c>parse_dhcp_opt</c> with <c>is6</c>).</summary>
internal static class Ipv6OptionParser
{
    private const string Hint = "write dhcp-option=[tag:<tag>,]option6:<name>|<number>,<value>…, e.g. dhcp-option=option6:bootfile-url,tftp://[::]/ipxe.efi";

    /// <summary><paramref name="selector"/> is what follows <c>option6:</c>; <paramref name="fields"/> holds the value.</summary>
    public static void ParseOption(DirectiveContext d, string selector, FieldCursor fields, ImmutableArray<TagCondition> tags)
    {
        if (!TryCode(d, selector, isMatch: false, out var code, out var known))
        {
            return;
        }
        var kind = known?.Kind ?? Dhcp6OptionValueKind.Raw;
        var values = FieldCursor.Split(fields.Rest).Select(QuotedText.Reveal).ToImmutableArray();
        if (!TryEncode(d, kind, fields.Rest, values, out var data))
        {
            return;
        }
        if (data is { Length: > Dhcp6Option.MaximumDataLength })
        {
            d.Error("dhcp-option too long", "a DHCPv6 option holds at most 65535 bytes");
            return;
        }
        d.Config.Dhcp6Options.Add(new Dhcp6OptionConfig
        {
            Code = code,
            Name = known?.Name,
            Kind = kind,
            Values = kind == Dhcp6OptionValueKind.Text ? [QuotedText.Reveal(fields.Rest ?? string.Empty)] : values,
            Data = data is null ? null : [.. data],
            IsForced = d.Name == "dhcp-option-force",
            Filter = TagSyntax.Filter(tags),
            Source = d.Source,
        });
    }

    /// <summary><c>dhcp-match=set:&lt;tag&gt;,option6:61,7</c> (architecture 7 among option 61's) or
    /// <c>option6:16,PXEClient</c> (text inside the vendor class data).</summary>
    public static void ParseMatch(DirectiveContext d, string tagField, string selector, FieldCursor fields)
    {
        if (!TryCode(d, selector, isMatch: true, out var code, out _) || !DhcpMatchParser.TryMatchValue(d, fields.Rest, null, out var value))
        {
            return;
        }
        d.Config.Dhcp6Matches.Add(new Dhcp6MatchConfig { SetTag = TagSyntax.SetName(tagField), Code = code, Value = value, Source = d.Source });
    }

    private static bool TryCode(DirectiveContext d, string selector, bool isMatch, out Dhcp6OptionCode code, out Dhcp6OptionInfo? known)
    {
        code = 0;
        known = null;
        var text = QuotedText.Reveal(selector);
        if (text.Length > 0 && text.All(char.IsAsciiDigit))
        {
            if (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var number) || number is < 1 or > ushort.MaxValue)
            {
                d.Error(isMatch ? "bad dhcp-match" : "bad dhcp-option", $"DHCPv6 option number {text} is outside 1..65535");
                return false;
            }
            code = (Dhcp6OptionCode)number;
            known = Dhcp6OptionCatalog.TryGetByCode(code, out var info) ? info : null;
            return true;
        }
        // dnsmasq parity: lookup_dhcp_opt skips OT_INTERNAL names, so option6:client-id is unknown (numbers still work).
        if (!Dhcp6OptionCatalog.TryGetByName(text, out var named) || (named.IsInternal && !isMatch))
        {
            d.Error(isMatch ? "bad dhcp-match" : "bad dhcp-option",
                $"unknown DHCPv6 option name '{text}'; give the option number instead (option6:<number>). " + Hint);
            return false;
        }
        code = named.Code;
        known = named;
        return true;
    }

    /// <summary>Null data (with true) means the value names <c>[::]</c>, this server's address on the link: substituted when
    /// the reply is built.</summary>
    private static bool TryEncode(DirectiveContext d, Dhcp6OptionValueKind kind, string? rest, ImmutableArray<string> values, out byte[]? data)
    {
        data = [];
        switch (kind)
        {
            case Dhcp6OptionValueKind.AddressList:
                return TryAddresses(d, values, out data);
            case Dhcp6OptionValueKind.DomainNames:
                return TryNames(d, values, out data);
            case Dhcp6OptionValueKind.Text:
                var text = QuotedText.Reveal(rest ?? string.Empty);
                data = text.Contains("[::]", StringComparison.Ordinal) ? null : Encoding.UTF8.GetBytes(text);
                return true;
            case Dhcp6OptionValueKind.LengthPrefixedStrings:
                data = Dhcp6OpaqueItems.BootfileParameters(values).Data.ToArray();
                return true;
            case Dhcp6OptionValueKind.Time:
                if (values.Length != 1 || !DurationSyntax.TryParseSeconds(values[0], out var seconds))
                {
                    d.Error("bad dhcp-option", "give one time in seconds (or with s, m, h, d, w)");
                    return false;
                }
                data = new byte[4];
                BinaryPrimitives.WriteUInt32BigEndian(data, seconds);
                return true;
            default:
                if (!OptionValueEncoder.TryEncode(rest, null, false, out var encoded, out var error))
                {
                    d.Error(error.Message, error.Hint);
                    return false;
                }
                data = [.. encoded.Bytes];
                return true;
        }
    }

    /// <summary>dnsmasq writes IPv6 option addresses in brackets (<c>[2001:db8::1]</c>); <c>[::]</c> is this server.</summary>
    private static bool TryAddresses(DirectiveContext d, ImmutableArray<string> values, out byte[]? data)
    {
        data = new byte[values.Length * IPv6Address.Length];
        var usesServer = false;
        for (var i = 0; i < values.Length; i++)
        {
            var text = values[i].StartsWith('[') && values[i].EndsWith(']') ? values[i][1..^1] : values[i];
            if (!IPv6Address.TryParse(text, out var address))
            {
                d.Error("bad IPv6 address", $"'{values[i]}' is not an IPv6 address; write it in brackets, e.g. [2001:db8::53], or [::] for this server");
                return false;
            }
            usesServer |= address.IsZero;
            address.WriteTo(data.AsSpan(i * IPv6Address.Length));
        }
        if (usesServer)
        {
            data = null;
        }
        return true;
    }

    private static bool TryNames(DirectiveContext d, ImmutableArray<string> values, out byte[]? data)
    {
        data = null;
        var buffer = new byte[values.Sum(v => DnsWireName.EncodedLength(v))];
        var offset = 0;
        foreach (var name in values)
        {
            try
            {
                offset += DnsWireName.Write(name, buffer.AsSpan(offset));
            }
            catch (ArgumentException)
            {
                d.Error("bad domain in dhcp-option", $"'{name}' is not a domain name: labels of 1 to 63 characters separated by dots, at most 255 in all");
                return false;
            }
        }
        data = buffer;
        return true;
    }
}

using NetBoot.Configuration.Model;

namespace NetBoot.Configuration.Parsing;

/// <summary><c>dhcp-match=set:TAG,N|option:NAME|vi-encap:ENT[,value]</c>: the dhcp-option grammar with the tag being set.</summary>
internal static class DhcpMatchParser
{
    private const string Hint = "write dhcp-match=set:<tag>,<option number>|option:<name>[,<value>], e.g. dhcp-match=set:ipxe,175";

    public static void Parse(DirectiveContext d)
    {
        var fields = d.Fields();
        var tagField = fields.Take();
        if (tagField is null || !fields.HasMore)
        {
            d.Error("bad dhcp-match", Hint);
            return;
        }
        if (fields.Peek() is { } viEncap && viEncap.StartsWith("vi-encap:", StringComparison.Ordinal))
        {
            fields.Take();
            AddViEncap(d, tagField, viEncap, fields);
            return;
        }
        if (fields.Peek() is { } option6 && option6.StartsWith("option6:", StringComparison.Ordinal))
        {
            fields.Take();
            Ipv6OptionParser.ParseMatch(d, tagField, option6[8..], fields);
            return;
        }
        if (!DhcpOptionParser.TryParseHead(d, fields, isMatch: true, out var head))
        {
            return;
        }
        if (!head.Tags.IsEmpty || head.IsEncapsulated)
        {
            d.Error("illegal dhcp-match", "dhcp-match sets exactly one tag and cannot use tag:, vendor: or encap:; " + Hint);
            return;
        }
        if (!TryMatchValue(d, fields.Rest, head.Known, out var value))
        {
            return;
        }
        d.Config.Matches.Add(new DhcpMatchConfig
        {
            SetTag = TagSyntax.SetName(tagField),
            OptionCode = head.Code,
            Value = value,
            Source = d.Source,
        });
    }

    private static void AddViEncap(DirectiveContext d, string tagField, string viEncap, FieldCursor fields)
    {
        if (!TryMatchValue(d, fields.Rest, null, out var value))
        {
            return;
        }
        d.Config.Matches.Add(new DhcpMatchConfig
        {
            SetTag = TagSyntax.SetName(tagField),
            OptionCode = 125,
            VendorIdentifyingEnterprise = (uint)OptionValueEncoder.Atoi(viEncap[9..]),
            Value = value,
            Source = d.Source,
        });
    }

    /// <summary>dnsmasq's <c>match_bytes</c>: hex → masked left-anchored compare; text → substring; integers and addresses →
    /// one element of the value's width must equal.</summary>
    internal static bool TryMatchValue(DirectiveContext d, string? rest, Wire.Dhcp.DhcpOptionInfo? known, out DhcpMatchValue? value)
    {
        value = null;
        if (!OptionValueEncoder.TryEncode(rest, known, allowWildcards: true, out var encoded, out var error))
        {
            d.Error(error.Message, error.Hint);
            return false;
        }
        value = encoded.Kind switch
        {
            OptionValueKind.Empty => null,
            OptionValueKind.Hex => new DhcpMatchValue { Kind = DhcpMatchKind.HexPattern, Bytes = encoded.Bytes, Wildcards = encoded.Wildcards },
            OptionValueKind.Text => new DhcpMatchValue { Kind = DhcpMatchKind.Substring, Bytes = encoded.Bytes },
            _ => new DhcpMatchValue
            {
                Kind = DhcpMatchKind.IntegerElement,
                Bytes = encoded.Bytes,
                ElementWidth = Math.Max(1, encoded.Bytes.Length),
            },
        };
        return true;
    }
}

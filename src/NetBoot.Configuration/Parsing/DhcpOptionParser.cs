using System.Collections.Immutable;
using NetBoot.Configuration.Model;
using NetBoot.Wire.Dhcp;

namespace NetBoot.Configuration.Parsing;

/// <summary><c>dhcp-option</c>, <c>dhcp-option-force</c>, <c>dhcp-option-pxe</c> (<c>parse_dhcp_opt</c>, <c>src/option.c</c>):
/// <c>[tag:t,…][vendor:CLASS,|encap:N,|vi-encap:ENT,]N|option:NAME[,value]</c>.</summary>
internal static class DhcpOptionParser
{
    private const string OptionHint = "write dhcp-option=[tag:<tag>,][vendor:<class>,|encap:<n>,]<number>|option:<name>[,<value>]";

    /// <summary>The option-selecting fields that precede the value.</summary>
    internal sealed record OptionHead(
        byte Code, DhcpOptionInfo? Known, ImmutableArray<TagCondition> Tags, string? VendorClass, byte? Encapsulating, uint? Enterprise)
    {
        public bool IsEncapsulated => VendorClass is not null || Encapsulating is not null || Enterprise is not null;
    }

    public static void ParseNormal(DirectiveContext d) => Parse(d, DhcpOptionDirective.Normal);

    public static void ParseForce(DirectiveContext d) => Parse(d, DhcpOptionDirective.Force);

    public static void ParsePxe(DirectiveContext d) => Parse(d, DhcpOptionDirective.Pxe);

    private static void Parse(DirectiveContext d, DhcpOptionDirective directive)
    {
        var fields = d.Fields();
        if (!TryParseHead(d, fields, isMatch: false, out var head))
        {
            return;
        }
        if (directive == DhcpOptionDirective.Pxe && (head.VendorClass is not null || head.Enterprise is not null))
        {
            d.Error("No vendor-encap options allowed in dhcp-option-pxe",
                "proxy replies carry option 43 built from pxe-service; use dhcp-option=vendor:… for full-DHCP replies");
            return;
        }
        if (!OptionValueEncoder.TryEncode(fields.Rest, head.IsEncapsulated ? null : head.Known, false, out var value, out var error))
        {
            d.Error(error.Message, error.Hint);
            return;
        }
        if (!IsWithinLengthLimit(head, value.Bytes.Length))
        {
            d.Error("dhcp-option too long", "an option holds at most 255 bytes (253 inside vendor:/encap:, 250 inside vi-encap:)");
            return;
        }
        WarnIfServerOwned(d, head);
        d.Config.Options.Add(new DhcpOptionConfig
        {
            Code = head.Code,
            Value = value.Bytes,
            Directive = directive,
            VendorClass = head.VendorClass,
            EncapsulatingOption = head.Encapsulating,
            VendorIdentifyingEnterprise = head.Enterprise,
            HasServerAddressPlaceholder = value.HasZeroAddress && !head.IsEncapsulated,
            Filter = TagSyntax.Filter(head.Tags),
            Source = d.Source,
        });
    }

    // dnsmasq parity: "dhcp-option too long" above 255 bytes, 253 when encapsulated, 250 inside vi-encap.
    private static bool IsWithinLengthLimit(OptionHead head, int length) =>
        length <= 255
        && !(length > 253 && (head.VendorClass is not null || head.Encapsulating is not null))
        && !(length > 250 && head.Enterprise is not null);

    private static void WarnIfServerOwned(DirectiveContext d, OptionHead head)
    {
        if (head.IsEncapsulated || head.Known is not { IsInternal: true } known)
        {
            return;
        }
        d.Notice(ConfigNoticeKind.Warning,
            $"option {head.Code} ({known.Name}) is normally filled in by the server; this value is sent as given and may conflict");
    }

    /// <summary>Reads the leading tag, <c>vendor:</c>, <c>encap:</c>, <c>vi-encap:</c> fields and the option number or name.</summary>
    internal static bool TryParseHead(DirectiveContext d, FieldCursor fields, bool isMatch, out OptionHead head)
    {
        head = null!;
        var tags = ImmutableArray.CreateBuilder<TagCondition>();
        string? vendor = null;
        byte? encap = null;
        uint? enterprise = null;
        while (fields.Take() is { } field)
        {
            if (field.Length > 0 && field.All(char.IsAsciiDigit))
            {
                return TryNumbered(d, field, tags.ToImmutable(), vendor, encap, enterprise, out head);
            }
            if (field.StartsWith("option:", StringComparison.Ordinal))
            {
                return TryNamed(d, field[7..], isMatch, tags.ToImmutable(), vendor, encap, enterprise, out head);
            }
            if (field.StartsWith("option6:", StringComparison.Ordinal))
            {
                if (isMatch || d.Name == "dhcp-option-pxe" || vendor is not null || encap is not null || enterprise is not null)
                {
                    d.Error(isMatch ? "bad dhcp-match" : "bad dhcp-option",
                        "option6: takes only tag: conditions before it (no vendor:, encap:, vi-encap:, nor dhcp-option-pxe)");
                    return false;
                }
                Ipv6OptionParser.ParseOption(d, field[8..], fields, tags.ToImmutable());
                return false;
            }
            if (field.StartsWith("vendor:", StringComparison.Ordinal))
            {
                vendor = QuotedText.Reveal(field[7..]);
            }
            else if (field.StartsWith("encap:", StringComparison.Ordinal))
            {
                encap = (byte)OptionValueEncoder.Atoi(field[6..]);
            }
            else if (field.StartsWith("vi-encap:", StringComparison.Ordinal))
            {
                enterprise = (uint)OptionValueEncoder.Atoi(field[9..]);
            }
            else
            {
                // dnsmasq parity: tag:/net: match; set: and a bare word are match tags here too.
                tags.Add(TagSyntax.Condition(TagSyntax.IsMatchPrefix(field) ? field[4..] : TagSyntax.SetName(field)));
            }
        }
        d.Error(isMatch ? "bad dhcp-match" : "bad dhcp-option", "no option number or option:<name> was given; " + OptionHint);
        return false;
    }

    private static bool TryNumbered(DirectiveContext d, string field, ImmutableArray<TagCondition> tags,
        string? vendor, byte? encap, uint? enterprise, out OptionHead head)
    {
        head = null!;
        if (!int.TryParse(field, out var number) || number is < 1 or > 255)
        {
            d.Error("bad dhcp-option", $"option number {field} is outside 1..255");
            return false;
        }
        DhcpOptionCatalog.TryGetByCode((byte)number, out var known);
        head = new OptionHead((byte)number, known, tags, vendor, encap, enterprise);
        return true;
    }

    private static bool TryNamed(DirectiveContext d, string hiddenName, bool isMatch, ImmutableArray<TagCondition> tags,
        string? vendor, byte? encap, uint? enterprise, out OptionHead head)
    {
        head = null!;
        var name = QuotedText.Reveal(hiddenName);
        if (!DhcpOptionCatalog.TryGetByName(name, out var known))
        {
            d.Error(isMatch ? "bad dhcp-match" : "bad dhcp-option",
                $"unknown option name '{name}'; give the option number instead (dhcp-option=<number>,<value>)");
            return false;
        }
        // dnsmasq parity: option:NAME refuses the options the server fills itself (OT_INTERNAL), except in dhcp-match.
        if (known.IsInternal && !isMatch)
        {
            d.Error("bad dhcp-option", $"{known.Name} is set by the server itself; give option number {known.Code} if you must override it");
            return false;
        }
        head = new OptionHead(known.Code, known, tags, vendor, encap, enterprise);
        return true;
    }
}

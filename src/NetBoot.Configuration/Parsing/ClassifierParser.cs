using System.Collections.Immutable;
using System.Text;
using NetBoot.Configuration.Model;

namespace NetBoot.Configuration.Parsing;

/// <summary>The tag-setting and tag-testing directives: <c>dhcp-vendorclass</c>, <c>dhcp-userclass</c>, <c>dhcp-circuitid</c>,
/// <c>dhcp-remoteid</c>, <c>dhcp-subscrid</c>, <c>dhcp-mac</c>, <c>tag-if</c>, <c>dhcp-ignore</c>, <c>dhcp-reply-delay</c>.</summary>
internal static class ClassifierParser
{
    public static void ParseVendorClass(DirectiveContext d) => ParseClass(d, d.Config.VendorClasses, allowHex: false);

    public static void ParseUserClass(DirectiveContext d) => ParseClass(d, d.Config.UserClasses, allowHex: false);

    public static void ParseCircuitId(DirectiveContext d) => ParseClass(d, d.Config.CircuitIds, allowHex: true);

    public static void ParseRemoteId(DirectiveContext d) => ParseClass(d, d.Config.RemoteIds, allowHex: true);

    public static void ParseSubscriberId(DirectiveContext d) => ParseClass(d, d.Config.SubscriberIds, allowHex: true);

    /// <summary><c>set:TAG,TEXT</c>; relay-agent ids may be colon hex (dnsmasq: digits and colons only, at least one of each).</summary>
    private static void ParseClass(DirectiveContext d, List<DhcpClassMatchConfig> target, bool allowHex)
    {
        var fields = d.Fields();
        var tag = fields.Take();
        var pattern = fields.Take();
        if (tag is null || pattern is null)
        {
            d.Error("bad " + d.Name, $"write {d.Name}=set:<tag>,<text to find>");
            return;
        }
        if (fields.HasMore)
        {
            if (d.Name == "dhcp-vendorclass" && pattern.StartsWith("enterprise:", StringComparison.Ordinal))
            {
                ParseDhcp6VendorClass(d, tag, pattern[11..], fields);
                return;
            }
            d.Error("bad " + d.Name, $"write {d.Name}=set:<tag>,<text to find> (quote text that contains commas)");
            return;
        }
        ImmutableArray<byte> bytes = allowHex && IsHexPattern(pattern)
            ? HexPairs(pattern)
            : [.. Encoding.UTF8.GetBytes(QuotedText.Reveal(pattern))];
        target.Add(new DhcpClassMatchConfig { SetTag = TagSyntax.SetName(tag), Pattern = bytes, Source = d.Source });
    }

    /// <summary><c>dhcp-vendorclass=set:TAG,enterprise:N,TEXT</c>: TEXT inside the data of a DHCPv6 option 16 of enterprise
    /// N (RFC 8415 §21.16).</summary>
    private static void ParseDhcp6VendorClass(DirectiveContext d, string tag, string enterprise, FieldCursor fields)
    {
        var text = fields.Take();
        if (text is null || fields.HasMore || !uint.TryParse(enterprise, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var number))
        {
            d.Error("bad dhcp-vendorclass", "write dhcp-vendorclass=set:<tag>,enterprise:<number>,<text to find>, e.g. enterprise:343,PXEClient");
            return;
        }
        d.Config.Dhcp6VendorClasses.Add(new Dhcp6VendorClassMatchConfig
        {
            SetTag = TagSyntax.SetName(tag),
            EnterpriseNumber = number,
            Pattern = [.. Encoding.UTF8.GetBytes(QuotedText.Reveal(text))],
            Source = d.Source,
        });
    }

    // dnsmasq parity: relay-agent ids made only of hex digits and colons are hex (parse_hex reads longer runs as byte pairs).
    private static bool IsHexPattern(string text) =>
        text.Any(char.IsAsciiHexDigit) && text.All(c => c == ':' || char.IsAsciiHexDigit(c));

    private static ImmutableArray<byte> HexPairs(string text) =>
        [.. text.Split(':', StringSplitOptions.RemoveEmptyEntries)
            .SelectMany(part => part.Chunk(2).Select(pair => Convert.ToByte(new string(pair), 16)))];

    /// <summary><c>dhcp-mac=set:TAG,aa:bb:*:…</c>.</summary>
    public static void ParseMac(DirectiveContext d)
    {
        var fields = d.Fields();
        var tag = fields.Take();
        var mac = fields.Rest;
        if (tag is null || mac is null)
        {
            d.Error("bad dhcp-mac", "write dhcp-mac=set:<tag>,<MAC with * for any byte>, e.g. dhcp-mac=set:rpi,b8:27:eb:*:*:*");
            return;
        }
        if (!HardwareAddressSyntax.TryParse(mac, out var type, out var pattern))
        {
            d.Error("bad hex constant", $"'{QuotedText.Reveal(mac)}' is not a MAC address pattern: write aa:bb:cc:*:*:*");
            return;
        }
        d.Config.MacMatches.Add(new DhcpMacMatchConfig { SetTag = TagSyntax.SetName(tag), HardwareType = type, Pattern = pattern, Source = d.Source });
    }

    /// <summary><c>tag-if=set:a[,set:b…][,tag:x…]</c>: every field is set: or tag:, with at least one set:.</summary>
    public static void ParseTagIf(DirectiveContext d)
    {
        var sets = ImmutableArray.CreateBuilder<string>();
        var conditions = ImmutableArray.CreateBuilder<TagCondition>();
        foreach (var field in FieldCursor.Split(d.Value))
        {
            if (field.Length >= 5 && TagSyntax.IsSetPrefix(field))
            {
                sets.Add(QuotedText.Reveal(field[4..]));
            }
            else if (field.Length >= 5 && field.StartsWith("tag:", StringComparison.Ordinal))
            {
                conditions.Add(TagSyntax.Condition(field[4..]));
            }
            else
            {
                d.Error("bad tag-if", $"'{QuotedText.Reveal(field)}' is neither set:<tag> nor tag:<tag>; write tag-if=set:<tag>[,set:<tag>…][,tag:<tag>…]");
                return;
            }
        }
        if (sets.Count == 0)
        {
            d.Error("bad tag-if", "tag-if needs at least one set:<tag>; write tag-if=set:<tag>[,tag:<tag>…]");
            return;
        }
        d.Config.TagIfs.Add(new TagIfConfig { SetTags = sets.ToImmutable(), Filter = TagSyntax.Filter(conditions), Source = d.Source });
    }

    /// <summary><c>dhcp-ignore=tag:x[,tag:y]</c>; bare words are tag names too.</summary>
    public static void ParseIgnore(DirectiveContext d)
    {
        var conditions = FieldCursor.Split(d.Value)
            .Select(f => TagSyntax.Condition(TagSyntax.IsMatchPrefix(f) ? f[4..] : f))
            .ToList();
        if (conditions.Count == 0 || conditions.Any(c => c.Name.Length == 0))
        {
            d.Error("bad dhcp-ignore", "write dhcp-ignore=tag:<tag>[,tag:<tag>…]");
            return;
        }
        d.Config.Ignores.Add(new DhcpIgnoreConfig { Filter = TagSyntax.Filter(conditions), Source = d.Source });
    }

    /// <summary><c>bootp-dynamic[=[tag:]x[,[tag:]y…]]</c> (dnsmasq <c>LOPT_BOOTP_DYNAMIC</c>): BOOTP clients without a
    /// <c>dhcp-host</c> address get a dynamic one when their tags hold all the listed ones (none listed: every client).</summary>
    public static void ParseBootpDynamic(DirectiveContext d)
    {
        var conditions = d.Value is null
            ? []
            : FieldCursor.Split(d.Value).Select(f => TagSyntax.Condition(TagSyntax.IsMatchPrefix(f) ? f[4..] : f)).ToList();
        if (conditions.Any(c => c.Name.Length == 0))
        {
            d.Error("bad bootp-dynamic", "write bootp-dynamic or bootp-dynamic=<tag>[,<tag>…]");
            return;
        }
        d.Config.BootpDynamic.Add(TagSyntax.Filter(conditions));
    }

    /// <summary><c>dhcp-reply-delay=[tag:x,…]SECONDS</c>.</summary>
    public static void ParseReplyDelay(DirectiveContext d)
    {
        var fields = d.Fields();
        var filter = TagSyntax.TakeLeadingFilter(fields);
        var seconds = fields.Take();
        if (seconds is null || fields.HasMore || seconds.Length == 0 || !seconds.All(char.IsAsciiDigit))
        {
            d.Error("bad dhcp-reply-delay", "write dhcp-reply-delay=[tag:<tag>,]<seconds>");
            return;
        }
        d.Config.ReplyDelays.Add((filter, TimeSpan.FromSeconds(OptionValueEncoder.Atoi(seconds))));
    }
}

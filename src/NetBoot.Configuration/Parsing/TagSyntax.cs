using System.Collections.Immutable;
using NetBoot.Configuration.Model;

namespace NetBoot.Configuration.Parsing;

/// <summary>dnsmasq's tag prefixes: <c>tag:</c>/<c>net:</c> match, <c>set:</c> sets; <c>!</c> (or legacy <c>#</c>) negates.</summary>
internal static class TagSyntax
{
    public static bool IsMatchPrefix(string field) =>
        field.StartsWith("tag:", StringComparison.Ordinal) || field.StartsWith("net:", StringComparison.Ordinal);

    public static bool IsSetPrefix(string field) => field.StartsWith("set:", StringComparison.Ordinal);

    /// <summary>dnsmasq's <c>set_prefix</c>: drops a leading <c>set:</c>; a bare word is a tag name too.</summary>
    public static string SetName(string field) => QuotedText.Reveal(IsSetPrefix(field) ? field[4..] : field);

    public static TagCondition Condition(string name)
    {
        var text = QuotedText.Reveal(name);
        return text.Length > 0 && text[0] is '!' or '#' ? new TagCondition(text[1..], true) : new TagCondition(text, false);
    }

    /// <summary>dnsmasq's <c>dhcp_tags</c>: takes leading <c>tag:x</c>/<c>net:x</c> fields into a filter.</summary>
    public static TagFilter TakeLeadingFilter(FieldCursor fields)
    {
        var conditions = ImmutableArray.CreateBuilder<TagCondition>();
        while (fields.Peek() is { } field && IsMatchPrefix(field))
        {
            fields.Take();
            conditions.Add(Condition(field[4..]));
        }
        return Filter(conditions);
    }

    public static TagFilter Filter(IEnumerable<TagCondition> conditions)
    {
        var all = conditions.ToImmutableArray();
        return all.IsEmpty ? TagFilter.None : new TagFilter(all);
    }
}

using System.Collections.Immutable;

namespace NetBoot.Configuration.Model;

/// <summary>One <c>tag:name</c> or <c>tag:!name</c> condition. A trailing or embedded <c>*</c> is a wildcard (dnsmasq's <c>tag-if</c>).</summary>
public readonly record struct TagCondition(string Name, bool IsNegated)
{
    public bool IsSatisfiedBy(IReadOnlySet<string> tags)
    {
        var name = Name;
        var present = name.Contains('*', StringComparison.Ordinal)
            ? tags.Any(t => WildcardMatches(name, t))
            : tags.Contains(Name);
        return present != IsNegated;
    }

    private static bool WildcardMatches(string pattern, string text)
    {
        var star = pattern.IndexOf('*', StringComparison.Ordinal);
        var prefix = pattern[..star];
        var suffix = pattern[(star + 1)..];
        return text.Length >= prefix.Length + suffix.Length
            && text.StartsWith(prefix, StringComparison.Ordinal)
            && text.EndsWith(suffix, StringComparison.Ordinal);
    }

    public override string ToString() => IsNegated ? $"tag:!{Name}" : $"tag:{Name}";
}

/// <summary>All conditions must hold (an empty filter always matches).</summary>
public sealed record TagFilter(ImmutableArray<TagCondition> Conditions)
{
    public static readonly TagFilter None = new(ImmutableArray<TagCondition>.Empty);

    public bool IsEmpty => Conditions.IsDefaultOrEmpty;

    public bool Matches(IReadOnlySet<string> tags) => IsEmpty || Conditions.All(c => c.IsSatisfiedBy(tags));

    public bool Equals(TagFilter? other) => other is not null && Conditions.SequenceEqual(other.Conditions);

    public override int GetHashCode() => Conditions.Length;

    public override string ToString() => IsEmpty ? "" : string.Join(",", Conditions);
}

using System.Collections.Immutable;
using NetBoot.Configuration.Model;

namespace NetBoot.Engine.Dhcp;

/// <summary>The tags of one request (dnsmasq's <c>netid</c> chain): a set for matching, plus the order in which
/// they were added, for <c>log-dhcp</c>.</summary>
public sealed class TagSet
{
    public static readonly TagSet Empty = new([], ImmutableHashSet<string>.Empty.WithComparer(StringComparer.Ordinal));

    private TagSet(ImmutableArray<string> names, ImmutableHashSet<string> set)
    {
        Names = names;
        Set = set;
    }

    /// <summary>Tag names in the order they were set, without repeats.</summary>
    public ImmutableArray<string> Names { get; }

    public ImmutableHashSet<string> Set { get; }

    public bool Contains(string tag) => Set.Contains(tag);

    public TagSet Add(string tag) => Set.Contains(tag) ? this : new TagSet(Names.Add(tag), Set.Add(tag));

    public TagSet AddRange(IEnumerable<string> tags) => tags.Aggregate(this, (set, tag) => set.Add(tag));

    /// <summary>dnsmasq <c>match_netid(filter, tags, 1)</c>: every condition holds; an empty filter matches.</summary>
    public bool Matches(TagFilter filter) => filter.Matches(Set);

    /// <summary>dnsmasq <c>match_netid(filter, tags, 0)</c>: as <see cref="Matches"/>, but an empty filter does not match
    /// (used where tagged entries are tried before untagged ones, e.g. <c>dhcp-boot</c>, and by <c>dhcp-ignore</c>).</summary>
    public bool MatchesTagged(TagFilter filter) => !filter.IsEmpty && filter.Matches(Set);

    public override string ToString() => string.Join(", ", Names);
}

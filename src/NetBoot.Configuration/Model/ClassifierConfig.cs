using System.Collections.Immutable;

namespace NetBoot.Configuration.Model;

/// <summary><c>dhcp-match=set:tag,option|option:name|vi-encap:ent[,value]</c>.</summary>
public sealed record DhcpMatchConfig
{
    public required string SetTag { get; init; }
    public required byte OptionCode { get; init; }
    /// <summary>Set for <c>vi-encap:</c> matches (then <see cref="OptionCode"/> is unused).</summary>
    public uint? VendorIdentifyingEnterprise { get; init; }
    /// <summary>Null: the option's presence is enough.</summary>
    public DhcpMatchValue? Value { get; init; }
    public required SourceLocation Source { get; init; }
}

/// <summary>How a <c>dhcp-match</c> value compares: element equality over an array of <see cref="ElementWidth"/>-byte
/// integers, a left-anchored masked hex compare (<c>*</c> bytes match anything), or a substring.</summary>
public sealed record DhcpMatchValue
{
    public required DhcpMatchKind Kind { get; init; }
    public required ImmutableArray<byte> Bytes { get; init; }
    /// <summary>For hex-with-wildcards: true where the byte is <c>*</c>.</summary>
    public ImmutableArray<bool> Wildcards { get; init; } = [];
    public int ElementWidth { get; init; } = 1;
}

public enum DhcpMatchKind
{
    IntegerElement,
    HexPattern,
    Substring,
}

/// <summary><c>dhcp-vendorclass</c>, <c>dhcp-userclass</c>, <c>dhcp-circuitid</c>, <c>dhcp-remoteid</c>, <c>dhcp-subscrid</c>:
/// set a tag when the client's option contains the text.</summary>
public sealed record DhcpClassMatchConfig
{
    public required string SetTag { get; init; }
    public required ImmutableArray<byte> Pattern { get; init; }
    public required SourceLocation Source { get; init; }
}

/// <summary><c>dhcp-mac=set:tag,aa:bb:*:…</c>: hardware address with wildcard bytes.</summary>
public sealed record DhcpMacMatchConfig
{
    public required string SetTag { get; init; }
    public byte? HardwareType { get; init; }
    /// <summary>Null entries are wildcards.</summary>
    public required ImmutableArray<byte?> Pattern { get; init; }
    public required SourceLocation Source { get; init; }
}

/// <summary><c>tag-if=set:a[,set:b…][,tag:x…]</c>: when all conditions hold, add the tags. Run in order.</summary>
public sealed record TagIfConfig
{
    public required ImmutableArray<string> SetTags { get; init; }
    public TagFilter Filter { get; init; } = TagFilter.None;
    public required SourceLocation Source { get; init; }
}

/// <summary><c>dhcp-ignore=tag:x[,tag:y]</c>: clients whose tags match get no reply at all.</summary>
public sealed record DhcpIgnoreConfig
{
    public required TagFilter Filter { get; init; }
    public required SourceLocation Source { get; init; }
}

using System.Collections.Immutable;

namespace NetBoot.Wire.Dhcp;

/// <summary>One option as a raw TLV. After decoding, the instances of one code are already
/// concatenated (RFC 3396), so <see cref="Data"/> may be longer than 255 bytes.</summary>
public readonly record struct DhcpOption(DhcpOptionCode Code, ImmutableArray<byte> Data)
{
    public static DhcpOption Create(DhcpOptionCode code, ReadOnlySpan<byte> data) => new(code, [.. data]);

    public bool Equals(DhcpOption other) => Code == other.Code && Data.AsSpan().SequenceEqual(other.Data.AsSpan());

    public override int GetHashCode() => HashCode.Combine(Code, Data.Length);
}

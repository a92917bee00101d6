using System.Collections.Immutable;

namespace NetBoot.Wire.Dhcp6;

/// <summary>One option as a raw TLV: 16-bit code, 16-bit length, data (RFC 8415 §21.1). Unlike DHCPv4, one code may
/// occur several times (several IA_NA, vendor classes of several enterprises), so instances stay separate.</summary>
public readonly record struct Dhcp6Option(Dhcp6OptionCode Code, ImmutableArray<byte> Data)
{
    /// <summary>RFC 8415 §21.1: <c>option-len</c> is 16 bits.</summary>
    public const int MaximumDataLength = ushort.MaxValue;

    public const int HeaderLength = 4;

    public static Dhcp6Option Create(Dhcp6OptionCode code, ReadOnlySpan<byte> data) => new(code, [.. data]);

    public static Dhcp6Option Empty(Dhcp6OptionCode code) => new(code, []);

    public ReadOnlySpan<byte> Span => Data.IsDefault ? [] : Data.AsSpan();

    public int EncodedLength => HeaderLength + Span.Length;

    public bool Equals(Dhcp6Option other) => Code == other.Code && Span.SequenceEqual(other.Span);

    public override int GetHashCode() => HashCode.Combine(Code, Span.Length);
}

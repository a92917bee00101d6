using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;
using System.Net;

namespace NetBoot.Wire.Net;

/// <summary>An IPv6 address as a 128-bit value in network order significance: cheap to copy, compare and mask.</summary>
public readonly record struct IPv6Address(UInt128 Value) : IComparable<IPv6Address>
{
    public const int Length = 16;

    public static readonly IPv6Address Any = new(UInt128.Zero);

    public bool IsZero => Value == UInt128.Zero;

    /// <summary>fe80::/10 (RFC 4291 §2.5.6).</summary>
    public bool IsLinkLocal => (Value >> 118) == 0x3FA;

    /// <summary>ff00::/8 (RFC 4291 §2.7).</summary>
    public bool IsMulticast => (Value >> 120) == 0xFF;

    public static IPv6Address FromBytes(ReadOnlySpan<byte> sixteenBytes) => new(BinaryPrimitives.ReadUInt128BigEndian(sixteenBytes));

    public void WriteTo(Span<byte> destination) => BinaryPrimitives.WriteUInt128BigEndian(destination, Value);

    public byte[] ToBytes()
    {
        var bytes = new byte[Length];
        WriteTo(bytes);
        return bytes;
    }

    public IPAddress ToIPAddress() => new(ToBytes());

    public static IPv6Address FromIPAddress(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        Span<byte> bytes = stackalloc byte[Length];
        // An IPv4 address writes 4 bytes: the pure layer tells the families apart without System.Net.Sockets.
        if (!address.TryWriteBytes(bytes, out var written) || written != Length)
        {
            throw new ArgumentException($"{address} is not an IPv6 address", nameof(address));
        }
        return FromBytes(bytes);
    }

    /// <summary>Parses an IPv6 literal (RFC 4291 §2.2 text forms) without a zone or brackets, as <c>inet_pton(AF_INET6)</c>.</summary>
    public static bool TryParse([NotNullWhen(true)] string? text, out IPv6Address address)
    {
        address = Any;
        // inet_pton takes no brackets, zone or port, which IPAddress.TryParse would accept: only hex, colons and dots.
        if (string.IsNullOrEmpty(text) || !text.Contains(':', StringComparison.Ordinal)
            || !text.All(c => char.IsAsciiHexDigit(c) || c is ':' or '.')
            || !IPAddress.TryParse(text, out var parsed))
        {
            return false;
        }
        Span<byte> bytes = stackalloc byte[Length];
        if (!parsed.TryWriteBytes(bytes, out var written) || written != Length)
        {
            return false;
        }
        address = FromBytes(bytes);
        return true;
    }

    /// <summary>Like <see cref="TryParse"/>, for literals known good (tests, defaults).</summary>
    /// <exception cref="FormatException"><paramref name="text"/> is not an IPv6 literal.</exception>
    public static IPv6Address Parse(string text) => TryParse(text, out var address) ? address : throw new FormatException($"{text} is not an IPv6 address");

    /// <summary>The address with every bit after the first <paramref name="prefixLength"/> cleared.</summary>
    public IPv6Address Mask(int prefixLength) =>
        prefixLength <= 0 ? Any : prefixLength >= 128 ? this : new(Value & (UInt128.MaxValue << (128 - prefixLength)));

    public int CompareTo(IPv6Address other) => Value.CompareTo(other.Value);

    public static bool operator <(IPv6Address left, IPv6Address right) => left.Value < right.Value;

    public static bool operator <=(IPv6Address left, IPv6Address right) => left.Value <= right.Value;

    public static bool operator >(IPv6Address left, IPv6Address right) => left.Value > right.Value;

    public static bool operator >=(IPv6Address left, IPv6Address right) => left.Value >= right.Value;

    /// <summary>RFC 5952 canonical text (lower case, longest zero run compressed).</summary>
    public override string ToString() => ToIPAddress().ToString();
}

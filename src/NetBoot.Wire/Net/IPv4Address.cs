using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Net;

namespace NetBoot.Wire.Net;

/// <summary>An IPv4 address as a host-order 32-bit value: cheap to copy, compare and mask.</summary>
public readonly record struct IPv4Address(uint Value) : IComparable<IPv4Address>
{
    public static readonly IPv4Address Any = new(0);
    public static readonly IPv4Address Broadcast = new(0xFFFF_FFFF);

    public bool IsZero => Value == 0;

    public static IPv4Address FromBytes(ReadOnlySpan<byte> fourBytes) =>
        new(BinaryPrimitives.ReadUInt32BigEndian(fourBytes));

    public void WriteTo(Span<byte> destination) => BinaryPrimitives.WriteUInt32BigEndian(destination, Value);

    public byte[] ToBytes()
    {
        var bytes = new byte[4];
        WriteTo(bytes);
        return bytes;
    }

    public static IPv4Address FromIPAddress(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        Span<byte> bytes = stackalloc byte[4];
        if (!address.TryWriteBytes(bytes, out var written) || written != 4)
        {
            throw new ArgumentException($"{address} is not an IPv4 address", nameof(address));
        }
        return FromBytes(bytes);
    }

    public IPAddress ToIPAddress() => new(ToBytes());

    /// <summary>Strict dotted-quad parse (four decimal parts 0..255), as dnsmasq's <c>inet_pton</c>.</summary>
    public static bool TryParse([NotNullWhen(true)] string? text, out IPv4Address address)
    {
        address = Any;
        if (string.IsNullOrEmpty(text))
        {
            return false;
        }
        var parts = text.Split('.');
        if (parts.Length != 4)
        {
            return false;
        }
        uint value = 0;
        foreach (var part in parts)
        {
            if (part.Length is 0 or > 3 || !part.All(char.IsAsciiDigit)
                || !byte.TryParse(part, NumberStyles.None, CultureInfo.InvariantCulture, out var b))
            {
                return false;
            }
            value = (value << 8) | b;
        }
        address = new IPv4Address(value);
        return true;
    }

    public static IPv4Address Parse(string text) =>
        TryParse(text, out var address) ? address : throw new FormatException($"'{text}' is not an IPv4 address");

    /// <summary>The netmask with <paramref name="prefixLength"/> leading one bits.</summary>
    public static IPv4Address MaskFromPrefix(int prefixLength) =>
        new(prefixLength <= 0 ? 0u : prefixLength >= 32 ? 0xFFFF_FFFFu : 0xFFFF_FFFFu << (32 - prefixLength));

    public IPv4Address Mask(IPv4Address netmask) => new(Value & netmask.Value);

    public bool IsInSubnet(IPv4Address network, IPv4Address netmask) =>
        (Value & netmask.Value) == (network.Value & netmask.Value);

    public int CompareTo(IPv4Address other) => Value.CompareTo(other.Value);

    public static bool operator <(IPv4Address left, IPv4Address right) => left.Value < right.Value;

    public static bool operator <=(IPv4Address left, IPv4Address right) => left.Value <= right.Value;

    public static bool operator >(IPv4Address left, IPv4Address right) => left.Value > right.Value;

    public static bool operator >=(IPv4Address left, IPv4Address right) => left.Value >= right.Value;

    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"{Value >> 24}.{(Value >> 16) & 0xFF}.{(Value >> 8) & 0xFF}.{Value & 0xFF}");
}

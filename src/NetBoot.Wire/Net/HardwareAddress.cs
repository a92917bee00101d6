using System.Collections.Immutable;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text;

namespace NetBoot.Wire.Net;

/// <summary>A link-layer address (<c>chaddr</c> cut to <c>hlen</c>) with its ARP hardware type (<c>htype</c>, 1 = Ethernet).</summary>
public readonly struct HardwareAddress : IEquatable<HardwareAddress>
{
    private readonly ImmutableArray<byte> _bytes;

    public HardwareAddress(byte hardwareType, ReadOnlySpan<byte> bytes)
    {
        HardwareType = hardwareType;
        _bytes = [.. bytes];
    }

    public byte HardwareType { get; }

    public ImmutableArray<byte> Bytes => _bytes.IsDefault ? [] : _bytes;

    public int Length => Bytes.Length;

    public static HardwareAddress Ethernet(ReadOnlySpan<byte> bytes) => new(1, bytes);

    /// <summary>Parses <c>aa:bb:cc:dd:ee:ff</c> (also <c>-</c> separated), the form dnsmasq logs and accepts.</summary>
    public static bool TryParse([NotNullWhen(true)] string? text, out HardwareAddress address)
    {
        address = default;
        if (string.IsNullOrEmpty(text))
        {
            return false;
        }
        var parts = text.Split(':', '-');
        var bytes = new byte[parts.Length];
        for (var i = 0; i < parts.Length; i++)
        {
            if (parts[i].Length is 0 or > 2
                || !byte.TryParse(parts[i], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out bytes[i]))
            {
                return false;
            }
        }
        address = new HardwareAddress(1, bytes);
        return true;
    }

    public bool Equals(HardwareAddress other) =>
        HardwareType == other.HardwareType && Bytes.AsSpan().SequenceEqual(other.Bytes.AsSpan());

    public override bool Equals(object? obj) => obj is HardwareAddress other && Equals(other);

    public override int GetHashCode()
    {
        var hash = new HashCode();
        hash.Add(HardwareType);
        hash.AddBytes(Bytes.AsSpan());
        return hash.ToHashCode();
    }

    public static bool operator ==(HardwareAddress left, HardwareAddress right) => left.Equals(right);

    public static bool operator !=(HardwareAddress left, HardwareAddress right) => !left.Equals(right);

    /// <summary>Lower-case colon-separated hex, as dnsmasq logs it.</summary>
    public override string ToString()
    {
        var bytes = Bytes;
        if (bytes.Length == 0)
        {
            return "<none>";
        }
        var text = new StringBuilder(bytes.Length * 3);
        foreach (var b in bytes)
        {
            if (text.Length > 0)
            {
                text.Append(':');
            }
            text.Append(b.ToString("x2", CultureInfo.InvariantCulture));
        }
        return text.ToString();
    }
}

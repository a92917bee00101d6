using System.Buffers.Binary;
using System.Collections.Immutable;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using NetBoot.Wire.Net;

namespace NetBoot.Wire.Dhcp6;

/// <summary>DUID types (RFC 8415 §11.1, RFC 6355).</summary>
public enum DuidType : ushort
{
    /// <summary><c>DUID-LLT</c>: hardware type, time, link-layer address (RFC 8415 §11.2).</summary>
    LinkLayerPlusTime = 1,
    /// <summary><c>DUID-EN</c>: enterprise number, identifier (RFC 8415 §11.3).</summary>
    EnterpriseNumber = 2,
    /// <summary><c>DUID-LL</c>: hardware type, link-layer address (RFC 8415 §11.4).</summary>
    LinkLayer = 3,
    /// <summary><c>DUID-UUID</c>: a 16-byte UUID (RFC 6355 §4).</summary>
    Uuid = 4,
}

/// <summary>A DHCP Unique Identifier as sent in options 1 and 2: the whole value, type code included. Compared by
/// bytes (RFC 8415 §11: DUIDs are compared as opaque values, never by their parts).</summary>
public readonly struct Duid : IEquatable<Duid>
{
    /// <summary>RFC 8415 §11.1: a DUID is at most 128 octets, not counting the 2-byte type code.</summary>
    public const int MaximumLength = 130;

    /// <summary>RFC 8415 §11.2: DUID-LLT time counts seconds from midnight (UTC), 1 January 2000.</summary>
    public static readonly DateTimeOffset TimeEpoch = new(2000, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private readonly ImmutableArray<byte> _bytes;

    private Duid(ImmutableArray<byte> bytes) => _bytes = bytes;

    public ImmutableArray<byte> Bytes => _bytes.IsDefault ? [] : _bytes;

    public DuidType Type => (DuidType)BinaryPrimitives.ReadUInt16BigEndian(Bytes.AsSpan());

    /// <summary>Accepts 3..130 bytes; the known types must hold their fixed parts (a DUID-UUID exactly 16 bytes). Unknown
    /// types are kept as opaque values, as RFC 8415 §11 asks.</summary>
    public static bool TryRead(ReadOnlySpan<byte> data, out Duid duid)
    {
        duid = default;
        if (data.Length is < 3 or > MaximumLength)
        {
            return false;
        }
        var minimum = (DuidType)BinaryPrimitives.ReadUInt16BigEndian(data) switch
        {
            DuidType.LinkLayerPlusTime => 9,
            DuidType.EnterpriseNumber => 7,
            DuidType.LinkLayer => 5,
            DuidType.Uuid => 18,
            _ => 3,
        };
        if (data.Length < minimum || ((DuidType)BinaryPrimitives.ReadUInt16BigEndian(data) == DuidType.Uuid && data.Length != 18))
        {
            return false;
        }
        duid = new Duid([.. data]);
        return true;
    }

    public static Duid LinkLayer(HardwareAddress address)
    {
        var bytes = new byte[4 + address.Length];
        BinaryPrimitives.WriteUInt16BigEndian(bytes, (ushort)DuidType.LinkLayer);
        BinaryPrimitives.WriteUInt16BigEndian(bytes.AsSpan(2), address.HardwareType);
        address.Bytes.AsSpan().CopyTo(bytes.AsSpan(4));
        return new Duid([.. bytes]);
    }

    public static Duid LinkLayerPlusTime(HardwareAddress address, DateTimeOffset time)
    {
        var bytes = new byte[8 + address.Length];
        BinaryPrimitives.WriteUInt16BigEndian(bytes, (ushort)DuidType.LinkLayerPlusTime);
        BinaryPrimitives.WriteUInt16BigEndian(bytes.AsSpan(2), address.HardwareType);
        BinaryPrimitives.WriteUInt32BigEndian(bytes.AsSpan(4), (uint)Math.Clamp((time - TimeEpoch).TotalSeconds, 0, uint.MaxValue));
        address.Bytes.AsSpan().CopyTo(bytes.AsSpan(8));
        return new Duid([.. bytes]);
    }

    /// <summary>dnsmasq's <c>dhcp-duid=&lt;enterprise&gt;,&lt;uid&gt;</c> makes this DUID-EN.</summary>
    public static Duid Enterprise(uint enterpriseNumber, ReadOnlySpan<byte> identifier)
    {
        if (identifier.Length is 0 or > MaximumLength - 6)
        {
            throw new ArgumentException("A DUID-EN identifier is 1 to 124 bytes", nameof(identifier));
        }
        var bytes = new byte[6 + identifier.Length];
        BinaryPrimitives.WriteUInt16BigEndian(bytes, (ushort)DuidType.EnterpriseNumber);
        BinaryPrimitives.WriteUInt32BigEndian(bytes.AsSpan(2), enterpriseNumber);
        identifier.CopyTo(bytes.AsSpan(6));
        return new Duid([.. bytes]);
    }

    /// <summary>Hardware type and link-layer address of a DUID-LLT or DUID-LL.</summary>
    public bool TryGetLinkLayerAddress(out HardwareAddress address)
    {
        address = default;
        var offset = Type switch
        {
            DuidType.LinkLayerPlusTime => 8,
            DuidType.LinkLayer => 4,
            _ => -1,
        };
        if (offset < 0 || Bytes.Length < offset)
        {
            return false;
        }
        var span = Bytes.AsSpan();
        address = new HardwareAddress((byte)BinaryPrimitives.ReadUInt16BigEndian(span[2..]), span[offset..]);
        return true;
    }

    /// <summary>The time field of a DUID-LLT.</summary>
    public bool TryGetTime(out DateTimeOffset time)
    {
        time = TimeEpoch;
        if (Type != DuidType.LinkLayerPlusTime || Bytes.Length < 8)
        {
            return false;
        }
        time = TimeEpoch.AddSeconds(BinaryPrimitives.ReadUInt32BigEndian(Bytes.AsSpan()[4..]));
        return true;
    }

    /// <summary>Enterprise number and identifier of a DUID-EN.</summary>
    public bool TryGetEnterprise(out uint enterpriseNumber, out ReadOnlySpan<byte> identifier)
    {
        enterpriseNumber = 0;
        identifier = default;
        if (Type != DuidType.EnterpriseNumber || Bytes.Length < 7)
        {
            return false;
        }
        enterpriseNumber = BinaryPrimitives.ReadUInt32BigEndian(Bytes.AsSpan()[2..]);
        identifier = Bytes.AsSpan()[6..];
        return true;
    }

    /// <summary>The UUID of a DUID-UUID, in RFC 4122 text form (bytes in network order).</summary>
    public bool TryGetUuid([NotNullWhen(true)] out string? uuid)
    {
        uuid = null;
        if (Type != DuidType.Uuid || Bytes.Length != 18)
        {
            return false;
        }
        uuid = new Guid(Bytes.AsSpan()[2..], bigEndian: true).ToString();
        return true;
    }

    /// <summary>Parses the colon-separated hex form dnsmasq prints and accepts after <c>id:</c>.</summary>
    public static bool TryParse([NotNullWhen(true)] string? text, out Duid duid)
    {
        duid = default;
        if (string.IsNullOrEmpty(text))
        {
            return false;
        }
        var parts = text.Split(':');
        var bytes = new byte[parts.Length];
        for (var i = 0; i < parts.Length; i++)
        {
            if (parts[i].Length is 0 or > 2
                || !byte.TryParse(parts[i], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out bytes[i]))
            {
                return false;
            }
        }
        return TryRead(bytes, out duid);
    }

    public void WriteTo(Span<byte> destination) => Bytes.AsSpan().CopyTo(destination);

    public Dhcp6Option ToOption(Dhcp6OptionCode code) => new(code, Bytes);

    /// <summary>Colon-separated lower-case hex, as dnsmasq logs a client DUID.</summary>
    public override string ToString() => string.Join(':', Bytes.Select(b => b.ToString("x2", CultureInfo.InvariantCulture)));

    public bool Equals(Duid other) => Bytes.AsSpan().SequenceEqual(other.Bytes.AsSpan());

    public override bool Equals(object? obj) => obj is Duid other && Equals(other);

    public override int GetHashCode()
    {
        var hash = new HashCode();
        hash.AddBytes(Bytes.AsSpan());
        return hash.ToHashCode();
    }

    public static bool operator ==(Duid left, Duid right) => left.Equals(right);

    public static bool operator !=(Duid left, Duid right) => !left.Equals(right);
}

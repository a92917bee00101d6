using System.Buffers.Binary;
using System.Collections;
using System.Collections.Immutable;
using System.Text;
using NetBoot.Wire.Net;

namespace NetBoot.Wire.Dhcp6;

/// <summary>The options of a message (or of an IA_NA, IAADDR, vendor-options area), in wire order, every instance kept.
/// Immutable; typed accessors return null (or empty) when the option is absent or its data is malformed, and the raw
/// option stays available through <see cref="TryGet"/> for rendering.</summary>
public sealed class Dhcp6OptionList : IReadOnlyList<Dhcp6Option>, IEquatable<Dhcp6OptionList>
{
    public static readonly Dhcp6OptionList Empty = new([]);

    private readonly ImmutableArray<Dhcp6Option> _options;

    public Dhcp6OptionList(ImmutableArray<Dhcp6Option> options) => _options = options.IsDefault ? [] : options;

    public Dhcp6OptionList(IEnumerable<Dhcp6Option> options) : this([.. options])
    {
    }

    public int Count => _options.Length;

    public Dhcp6Option this[int index] => _options[index];

    public ImmutableArray<Dhcp6Option> Items => _options;

    /// <summary>Bytes these options take on the wire.</summary>
    public int EncodedLength
    {
        get
        {
            var length = 0;
            foreach (var option in _options)
            {
                length += option.EncodedLength;
            }
            return length;
        }
    }

    public bool Contains(Dhcp6OptionCode code) => IndexOf(code) >= 0;

    /// <summary>The first instance of <paramref name="code"/>.</summary>
    public bool TryGet(Dhcp6OptionCode code, out Dhcp6Option option)
    {
        var index = IndexOf(code);
        option = index >= 0 ? _options[index] : default;
        return index >= 0;
    }

    public IEnumerable<Dhcp6Option> GetAll(Dhcp6OptionCode code) => _options.Where(o => o.Code == code);

    /// <summary>Appends an instance (several of one code are allowed).</summary>
    public Dhcp6OptionList Add(Dhcp6Option option) => new(_options.Add(option));

    /// <summary>Replaces every instance of that code with this one, at the first one's position, or appends it.</summary>
    public Dhcp6OptionList With(Dhcp6Option option)
    {
        var index = IndexOf(option.Code);
        return index < 0 ? Add(option) : new(Without(option.Code)._options.Insert(index, option));
    }

    public Dhcp6OptionList Without(Dhcp6OptionCode code) =>
        Contains(code) ? new([.. _options.Where(o => o.Code != code)]) : this;

    /// <summary>Option 1.</summary>
    public Duid? ClientId => ReadDuid(Dhcp6OptionCode.ClientId);

    /// <summary>Option 2.</summary>
    public Duid? ServerId => ReadDuid(Dhcp6OptionCode.ServerId);

    /// <summary>Every well-formed option 3; malformed instances are left out.</summary>
    public ImmutableArray<Dhcp6IaNa> IdentityAssociations => ReadAll<Dhcp6IaNa>(Dhcp6OptionCode.IaNa, Dhcp6IaNa.TryRead);

    /// <summary>Every well-formed option 5 (inside an IA_NA).</summary>
    public ImmutableArray<Dhcp6IaAddress> Addresses => ReadAll<Dhcp6IaAddress>(Dhcp6OptionCode.IaAddress, Dhcp6IaAddress.TryRead);

    /// <summary>Option 13.</summary>
    public Dhcp6StatusCode? StatusCode => Read<Dhcp6StatusCode>(Dhcp6OptionCode.StatusCode, Dhcp6StatusCode.TryRead);

    /// <summary>Option 6: the codes in order; empty when absent (an odd length drops the last byte).</summary>
    public ImmutableArray<Dhcp6OptionCode> OptionRequests =>
        TryGet(Dhcp6OptionCode.OptionRequest, out var o) ? [.. ReadUInt16List(o.Span).Select(c => (Dhcp6OptionCode)c)] : [];

    /// <summary>Option 7.</summary>
    public byte? Preference => TryGet(Dhcp6OptionCode.Preference, out var o) && o.Span.Length == 1 ? o.Span[0] : null;

    /// <summary>Option 8 (RFC 8415 §21.9: hundredths of a second; 0xffff means "at least that").</summary>
    public TimeSpan? ElapsedTime =>
        TryGet(Dhcp6OptionCode.ElapsedTime, out var o) && o.Span.Length == 2
            ? TimeSpan.FromMilliseconds(BinaryPrimitives.ReadUInt16BigEndian(o.Span) * 10.0)
            : null;

    /// <summary>Option 14 present.</summary>
    public bool HasRapidCommit => Contains(Dhcp6OptionCode.RapidCommit);

    /// <summary>Option 15's items.</summary>
    public ImmutableArray<ImmutableArray<byte>> UserClasses =>
        TryGet(Dhcp6OptionCode.UserClass, out var o) && Dhcp6OpaqueItems.TryRead(o.Span, out var items) ? items : [];

    /// <summary>Every well-formed option 16 (one per enterprise).</summary>
    public ImmutableArray<Dhcp6VendorClass> VendorClasses => ReadAll<Dhcp6VendorClass>(Dhcp6OptionCode.VendorClass, Dhcp6VendorClass.TryRead);

    /// <summary>Every well-formed option 17.</summary>
    public ImmutableArray<Dhcp6VendorOptions> VendorOptions => ReadAll<Dhcp6VendorOptions>(Dhcp6OptionCode.VendorOptions, Dhcp6VendorOptions.TryRead);

    /// <summary>Option 18, opaque.</summary>
    public ImmutableArray<byte>? InterfaceId => TryGet(Dhcp6OptionCode.InterfaceId, out var o) ? o.Data : null;

    /// <summary>Option 23; empty when absent or not a multiple of 16 bytes.</summary>
    public ImmutableArray<IPv6Address> DnsServers => ReadAddresses(Dhcp6OptionCode.DnsServers);

    /// <summary>Option 59 (RFC 5970 §3.1), UTF-8.</summary>
    public string? BootfileUrl => TryGet(Dhcp6OptionCode.BootfileUrl, out var o) ? Encoding.UTF8.GetString(o.Span) : null;

    /// <summary>Option 60's parameters (RFC 5970 §3.2), UTF-8.</summary>
    public ImmutableArray<string> BootfileParameters =>
        TryGet(Dhcp6OptionCode.BootfileParam, out var o) && Dhcp6OpaqueItems.TryRead(o.Span, out var items)
            ? [.. items.Select(i => Encoding.UTF8.GetString(i.AsSpan()))]
            : [];

    /// <summary>Option 61 (RFC 5970 §3.3): architecture types, the client's preferred first.</summary>
    public ImmutableArray<ushort> ClientArchitectures =>
        TryGet(Dhcp6OptionCode.ClientArchitectureType, out var o) ? ReadUInt16List(o.Span) : [];

    /// <summary>Option 62 (RFC 5970 §3.4).</summary>
    public Dhcp6NetworkInterface? NetworkInterface =>
        TryGet(Dhcp6OptionCode.NetworkInterfaceIdentifier, out var o) && o.Span.Length == 3
            ? new Dhcp6NetworkInterface(o.Span[0], o.Span[1], o.Span[2])
            : null;

    private delegate bool Reader<T>(ReadOnlySpan<byte> data, out T value);

    private Duid? ReadDuid(Dhcp6OptionCode code) => TryGet(code, out var o) && Duid.TryRead(o.Span, out var duid) ? duid : null;

    private T? Read<T>(Dhcp6OptionCode code, Reader<T> reader) where T : struct =>
        TryGet(code, out var o) && reader(o.Span, out var value) ? value : null;

    private ImmutableArray<T> ReadAll<T>(Dhcp6OptionCode code, Reader<T> reader)
    {
        var builder = ImmutableArray.CreateBuilder<T>();
        foreach (var option in _options)
        {
            if (option.Code == code && reader(option.Span, out var value))
            {
                builder.Add(value);
            }
        }
        return builder.ToImmutable();
    }

    private ImmutableArray<IPv6Address> ReadAddresses(Dhcp6OptionCode code)
    {
        if (!TryGet(code, out var o) || o.Span.Length % IPv6Address.Length != 0)
        {
            return [];
        }
        var builder = ImmutableArray.CreateBuilder<IPv6Address>(o.Span.Length / IPv6Address.Length);
        for (var i = 0; i < o.Span.Length; i += IPv6Address.Length)
        {
            builder.Add(IPv6Address.FromBytes(o.Span[i..]));
        }
        return builder.MoveToImmutable();
    }

    internal static ImmutableArray<ushort> ReadUInt16List(ReadOnlySpan<byte> data)
    {
        var builder = ImmutableArray.CreateBuilder<ushort>(data.Length / 2);
        for (var i = 0; i + 1 < data.Length; i += 2)
        {
            builder.Add(BinaryPrimitives.ReadUInt16BigEndian(data[i..]));
        }
        return builder.MoveToImmutable();
    }

    private int IndexOf(Dhcp6OptionCode code)
    {
        for (var i = 0; i < _options.Length; i++)
        {
            if (_options[i].Code == code)
            {
                return i;
            }
        }
        return -1;
    }

    public IEnumerator<Dhcp6Option> GetEnumerator() => ((IEnumerable<Dhcp6Option>)_options).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    public bool Equals(Dhcp6OptionList? other) => other is not null && _options.SequenceEqual(other._options);

    public override bool Equals(object? obj) => Equals(obj as Dhcp6OptionList);

    public override int GetHashCode() => _options.Length;
}

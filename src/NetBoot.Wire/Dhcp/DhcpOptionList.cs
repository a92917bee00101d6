using System.Buffers.Binary;
using System.Collections;
using System.Collections.Immutable;
using System.Text;
using NetBoot.Wire.Net;

namespace NetBoot.Wire.Dhcp;

/// <summary>The options of a message, in wire order, one entry per code (instances already
/// concatenated per RFC 3396). Immutable; build a new list with <see cref="With"/>/<see cref="Without"/>.</summary>
public sealed class DhcpOptionList : IReadOnlyList<DhcpOption>, IEquatable<DhcpOptionList>
{
    public static readonly DhcpOptionList Empty = new([]);

    private readonly ImmutableArray<DhcpOption> _options;

    public DhcpOptionList(ImmutableArray<DhcpOption> options) => _options = options.IsDefault ? [] : options;

    public DhcpOptionList(IEnumerable<DhcpOption> options) : this([.. options])
    {
    }

    public int Count => _options.Length;

    public DhcpOption this[int index] => _options[index];

    public ImmutableArray<DhcpOption> Items => _options;

    public bool Contains(DhcpOptionCode code) => IndexOf(code) >= 0;

    public bool TryGet(DhcpOptionCode code, out ImmutableArray<byte> data)
    {
        var index = IndexOf(code);
        data = index >= 0 ? _options[index].Data : default;
        return index >= 0;
    }

    /// <summary>Replaces the option of that code in place, or appends it.</summary>
    public DhcpOptionList With(DhcpOption option)
    {
        var index = IndexOf(option.Code);
        return new DhcpOptionList(index >= 0 ? _options.SetItem(index, option) : _options.Add(option));
    }

    public DhcpOptionList With(DhcpOptionCode code, ReadOnlySpan<byte> data) => With(DhcpOption.Create(code, data));

    public DhcpOptionList Without(DhcpOptionCode code)
    {
        var index = IndexOf(code);
        return index >= 0 ? new DhcpOptionList(_options.RemoveAt(index)) : this;
    }

    public DhcpMessageType? MessageType =>
        TryGet(DhcpOptionCode.DhcpMessageType, out var d) && d.Length >= 1 ? (DhcpMessageType)d[0] : null;

    public bool TryGetByte(DhcpOptionCode code, out byte value)
    {
        value = 0;
        if (!TryGet(code, out var d) || d.Length < 1)
        {
            return false;
        }
        value = d[0];
        return true;
    }

    public bool TryGetUInt16(DhcpOptionCode code, out ushort value)
    {
        value = 0;
        if (!TryGet(code, out var d) || d.Length < 2)
        {
            return false;
        }
        value = BinaryPrimitives.ReadUInt16BigEndian(d.AsSpan());
        return true;
    }

    public bool TryGetUInt32(DhcpOptionCode code, out uint value)
    {
        value = 0;
        if (!TryGet(code, out var d) || d.Length < 4)
        {
            return false;
        }
        value = BinaryPrimitives.ReadUInt32BigEndian(d.AsSpan());
        return true;
    }

    public bool TryGetAddress(DhcpOptionCode code, out IPv4Address address)
    {
        address = IPv4Address.Any;
        if (!TryGet(code, out var d) || d.Length < 4)
        {
            return false;
        }
        address = IPv4Address.FromBytes(d.AsSpan());
        return true;
    }

    /// <summary>The option as text (Latin-1, so every byte maps to one char), cut at the first NUL.</summary>
    public bool TryGetString(DhcpOptionCode code, out string value)
    {
        value = string.Empty;
        if (!TryGet(code, out var d))
        {
            return false;
        }
        var span = d.AsSpan();
        var nul = span.IndexOf((byte)0);
        value = Encoding.Latin1.GetString(nul >= 0 ? span[..nul] : span);
        return true;
    }

    /// <summary>Option 55, or empty when the client sent none.</summary>
    public ImmutableArray<DhcpOptionCode> ParameterRequestList =>
        TryGet(DhcpOptionCode.ParameterRequestList, out var d) ? [.. d.Select(b => (DhcpOptionCode)b)] : [];

    /// <summary>Option 93 (RFC 4578 §2.1): a list of 16-bit architecture types, first one preferred.</summary>
    public ImmutableArray<ushort> ClientArchitectures
    {
        get
        {
            if (!TryGet(DhcpOptionCode.ClientSystemArchitecture, out var d))
            {
                return [];
            }
            var builder = ImmutableArray.CreateBuilder<ushort>(d.Length / 2);
            for (var i = 0; i + 1 < d.Length; i += 2)
            {
                builder.Add(BinaryPrimitives.ReadUInt16BigEndian(d.AsSpan(i, 2)));
            }
            return builder.ToImmutable();
        }
    }

    private int IndexOf(DhcpOptionCode code)
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

    public IEnumerator<DhcpOption> GetEnumerator() => ((IEnumerable<DhcpOption>)_options).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    public bool Equals(DhcpOptionList? other) => other is not null && _options.SequenceEqual(other._options);

    public override bool Equals(object? obj) => Equals(obj as DhcpOptionList);

    public override int GetHashCode() => _options.Length;
}

using System.Collections.Immutable;

namespace NetBoot.Wire.Dhcp;

/// <summary>Scans option areas (<c>code | len | data</c>, PAD and END single bytes) and concatenates repeated codes
/// (RFC 3396), keeping each code at the position of its first instance.</summary>
internal sealed class OptionCollector
{
    private readonly List<(DhcpOptionCode Code, List<byte> Data)> _options = [];
    private readonly int[] _indexByCode = CreateIndex();
    private bool _ignoreOverload;

    /// <summary>Reads one area up to END or its last byte. A missing END is accepted (see the decoder's remarks).</summary>
    public DhcpDecodeError Scan(ReadOnlySpan<byte> area)
    {
        var i = 0;
        while (i < area.Length)
        {
            var code = (DhcpOptionCode)area[i];
            if (code == DhcpOptionCode.End)
            {
                return DhcpDecodeError.None;
            }
            if (code == DhcpOptionCode.Pad)
            {
                i++;
                continue;
            }
            // RFC 2132 §2: every other option has a length octet, then that many data octets.
            if (i + 1 >= area.Length || i + 2 + area[i + 1] > area.Length)
            {
                return DhcpDecodeError.TruncatedOption;
            }
            Add(code, area.Slice(i + 2, area[i + 1]));
            i += 2 + area[i + 1];
        }
        return DhcpDecodeError.None;
    }

    /// <summary>Removes the option and returns its concatenated value.</summary>
    public bool TryTake(DhcpOptionCode code, out ImmutableArray<byte> value)
    {
        var index = _indexByCode[(byte)code];
        if (index < 0)
        {
            value = default;
            return false;
        }
        value = [.. _options[index].Data];
        _options[index] = (code, []);
        return true;
    }

    /// <summary>RFC 2131 §4.1: option 52 belongs in the options area; instances inside <c>file</c>/<c>sname</c> are ignored.</summary>
    public void StopHonouringOverload() => _ignoreOverload = true;

    public DhcpOptionList ToOptionList()
    {
        var builder = ImmutableArray.CreateBuilder<DhcpOption>(_options.Count);
        foreach (var (code, data) in _options)
        {
            if (code == DhcpOptionCode.OptionOverload)
            {
                continue;
            }
            builder.Add(new DhcpOption(code, [.. data]));
        }
        return new DhcpOptionList(builder.ToImmutable());
    }

    private void Add(DhcpOptionCode code, ReadOnlySpan<byte> data)
    {
        if (code == DhcpOptionCode.OptionOverload && _ignoreOverload)
        {
            return;
        }
        var index = _indexByCode[(byte)code];
        if (index < 0)
        {
            _indexByCode[(byte)code] = _options.Count;
            _options.Add((code, [.. data]));
            return;
        }
        _options[index].Data.AddRange(data);
    }

    private static int[] CreateIndex()
    {
        var index = new int[256];
        Array.Fill(index, -1);
        return index;
    }
}

using System.Buffers.Binary;
using NetBoot.Configuration.Model;
using NetBoot.Wire.Dhcp;

namespace NetBoot.Engine.Dhcp;

/// <summary><c>dhcp-match</c> (dnsmasq <c>match_bytes</c>): no value → the option is present (at least one byte);
/// hex with wildcards → left-anchored masked compare; an integer → the option is an array of elements of the value's
/// width and one element must equal it; a string → substring.</summary>
public static class OptionMatcher
{
    public static bool Matches(DhcpMatchConfig match, DhcpOptionList options)
    {
        if (match.VendorIdentifyingEnterprise is { } enterprise)
        {
            return MatchesVendorIdentifyingClass(match, enterprise, options);
        }
        return options.TryGet((DhcpOptionCode)match.OptionCode, out var data) && data.Length >= 1
            && ValueMatches(match.Value, data.AsSpan());
    }

    public static bool ValueMatches(DhcpMatchValue? value, ReadOnlySpan<byte> data)
    {
        if (value is null || value.Bytes.IsDefaultOrEmpty)
        {
            return true;
        }
        var pattern = value.Bytes.AsSpan();
        if (pattern.Length > data.Length)
        {
            return false;
        }
        return value.Kind switch
        {
            DhcpMatchKind.HexPattern => MaskedPrefixMatches(value, data),
            DhcpMatchKind.Substring => data.IndexOf(pattern) >= 0,
            _ => ElementMatches(pattern, data),
        };
    }

    /// <summary>Option 93 and friends are arrays: step by the value's width (<c>client-arch,7</c> compares 2-byte
    /// elements), so a 7 in the low byte of one element and the high byte of the next does not match.</summary>
    private static bool ElementMatches(ReadOnlySpan<byte> pattern, ReadOnlySpan<byte> data)
    {
        for (var i = 0; i + pattern.Length <= data.Length; i += pattern.Length)
        {
            if (data.Slice(i, pattern.Length).SequenceEqual(pattern))
            {
                return true;
            }
        }
        return false;
    }

    private static bool MaskedPrefixMatches(DhcpMatchValue value, ReadOnlySpan<byte> data)
    {
        for (var i = 0; i < value.Bytes.Length; i++)
        {
            var wildcard = i < value.Wildcards.Length && value.Wildcards[i];
            if (!wildcard && value.Bytes[i] != data[i])
            {
                return false;
            }
        }
        return true;
    }

    /// <summary>RFC 3925 §3: option 124 is <c>enterprise(4) | len(1) | (len(1) | data)…</c> per vendor; dnsmasq
    /// matches the value against each class-data item of the wanted enterprise.</summary>
    private static bool MatchesVendorIdentifyingClass(DhcpMatchConfig match, uint enterprise, DhcpOptionList options)
    {
        if (!options.TryGet(DhcpOptionCode.VendorIdentifyingVendorClass, out var option) || option.Length < 5)
        {
            return false;
        }
        var data = option.AsSpan();
        var offset = 0;
        while (offset + 5 <= data.Length)
        {
            var length = data[offset + 4];
            var end = offset + 5 + length;
            if (end > data.Length)
            {
                return false;
            }
            if (BinaryPrimitives.ReadUInt32BigEndian(data[offset..]) == enterprise && AnyItemMatches(match.Value, data[(offset + 5)..end]))
            {
                return true;
            }
            offset = end;
        }
        return false;
    }

    private static bool AnyItemMatches(DhcpMatchValue? value, ReadOnlySpan<byte> items)
    {
        var i = 0;
        while (i < items.Length)
        {
            var length = items[i];
            if (i + 1 + length > items.Length)
            {
                return false;
            }
            if (ValueMatches(value, items.Slice(i + 1, length)))
            {
                return true;
            }
            i += 1 + length;
        }
        return false;
    }
}

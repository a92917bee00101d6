using System.Buffers.Binary;
using System.Collections.Immutable;

namespace NetBoot.Wire.Dhcp6;

/// <summary>Reads one option area (RFC 8415 §21.1: code, length, data, repeated to the end of the area), bounded in
/// count so a hostile datagram of zero-length options costs no more than a legitimate one.</summary>
internal static class Dhcp6OptionScanner
{
    public static Dhcp6DecodeError Scan(ReadOnlySpan<byte> area, out Dhcp6OptionList options)
    {
        options = Dhcp6OptionList.Empty;
        var builder = ImmutableArray.CreateBuilder<Dhcp6Option>();
        while (!area.IsEmpty)
        {
            if (area.Length < Dhcp6Option.HeaderLength)
            {
                return Dhcp6DecodeError.TruncatedOption;
            }
            var length = BinaryPrimitives.ReadUInt16BigEndian(area[2..]);
            if (area.Length - Dhcp6Option.HeaderLength < length)
            {
                return Dhcp6DecodeError.TruncatedOption;
            }
            if (builder.Count == Dhcp6MessageDecoder.MaximumOptionCount)
            {
                return Dhcp6DecodeError.TooManyOptions;
            }
            var code = (Dhcp6OptionCode)BinaryPrimitives.ReadUInt16BigEndian(area);
            builder.Add(Dhcp6Option.Create(code, area.Slice(Dhcp6Option.HeaderLength, length)));
            area = area[(Dhcp6Option.HeaderLength + length)..];
        }
        options = new Dhcp6OptionList(builder.ToImmutable());
        return Dhcp6DecodeError.None;
    }

    /// <summary>Writes the options at the start of <paramref name="destination"/>; returns the bytes written.</summary>
    public static int Write(Dhcp6OptionList options, Span<byte> destination)
    {
        var offset = 0;
        // ImmutableArray's struct enumerator: encoding allocates nothing (Dhcp6MessageEncoderAllocationTests).
        foreach (var option in options.Items)
        {
            offset += WriteOne(option.Code, option.Span, destination[offset..]);
        }
        return offset;
    }

    public static int WriteOne(Dhcp6OptionCode code, ReadOnlySpan<byte> data, Span<byte> destination)
    {
        if (data.Length > Dhcp6Option.MaximumDataLength)
        {
            throw new ArgumentException($"Option {(ushort)code} has {data.Length} bytes; DHCPv6 allows at most 65535", nameof(data));
        }
        BinaryPrimitives.WriteUInt16BigEndian(destination, (ushort)code);
        BinaryPrimitives.WriteUInt16BigEndian(destination[2..], (ushort)data.Length);
        data.CopyTo(destination[Dhcp6Option.HeaderLength..]);
        return Dhcp6Option.HeaderLength + data.Length;
    }
}

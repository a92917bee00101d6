using System.Buffers.Binary;
using System.Collections.Immutable;
using System.Text;
using NetBoot.Wire.Net;

namespace NetBoot.Wire.Dhcp6;

/// <summary>Lifetimes and T1/T2 are 32-bit seconds on the wire; 0xffffffff means infinity (RFC 8415 §7.7).</summary>
public static class Dhcp6Lifetime
{
    public static readonly TimeSpan Infinite = TimeSpan.FromSeconds(uint.MaxValue);

    public static TimeSpan FromSeconds(uint seconds) => TimeSpan.FromSeconds(seconds);

    public static uint ToSeconds(TimeSpan lifetime) =>
        lifetime <= TimeSpan.Zero ? 0 : lifetime >= Infinite ? uint.MaxValue : (uint)lifetime.TotalSeconds;
}

/// <summary>Option 3, IA_NA (RFC 8415 §21.4): IAID, T1, T2 and the IA_NA-options (IAADDR 5, Status Code 13).</summary>
public readonly record struct Dhcp6IaNa(uint Iaid, TimeSpan T1, TimeSpan T2, Dhcp6OptionList Options)
{
    private const int FixedLength = 12;

    public ImmutableArray<Dhcp6IaAddress> Addresses => (Options ?? Dhcp6OptionList.Empty).Addresses;

    public Dhcp6StatusCode? Status => (Options ?? Dhcp6OptionList.Empty).StatusCode;

    public static bool TryRead(ReadOnlySpan<byte> data, out Dhcp6IaNa value)
    {
        value = default;
        if (data.Length < FixedLength || Dhcp6OptionScanner.Scan(data[FixedLength..], out var options) != Dhcp6DecodeError.None)
        {
            return false;
        }
        value = new Dhcp6IaNa(
            BinaryPrimitives.ReadUInt32BigEndian(data),
            Dhcp6Lifetime.FromSeconds(BinaryPrimitives.ReadUInt32BigEndian(data[4..])),
            Dhcp6Lifetime.FromSeconds(BinaryPrimitives.ReadUInt32BigEndian(data[8..])),
            options);
        return true;
    }

    public Dhcp6Option ToOption()
    {
        var options = Options ?? Dhcp6OptionList.Empty;
        var data = new byte[FixedLength + options.EncodedLength];
        BinaryPrimitives.WriteUInt32BigEndian(data, Iaid);
        BinaryPrimitives.WriteUInt32BigEndian(data.AsSpan(4), Dhcp6Lifetime.ToSeconds(T1));
        BinaryPrimitives.WriteUInt32BigEndian(data.AsSpan(8), Dhcp6Lifetime.ToSeconds(T2));
        Dhcp6OptionScanner.Write(options, data.AsSpan(FixedLength));
        return new Dhcp6Option(Dhcp6OptionCode.IaNa, [.. data]);
    }
}

/// <summary>Option 5, IAADDR (RFC 8415 §21.6): address, preferred and valid lifetimes, IAaddr-options (Status Code).</summary>
public readonly record struct Dhcp6IaAddress(IPv6Address Address, TimeSpan PreferredLifetime, TimeSpan ValidLifetime, Dhcp6OptionList Options)
{
    private const int FixedLength = 24;

    public Dhcp6StatusCode? Status => (Options ?? Dhcp6OptionList.Empty).StatusCode;

    public static bool TryRead(ReadOnlySpan<byte> data, out Dhcp6IaAddress value)
    {
        value = default;
        if (data.Length < FixedLength || Dhcp6OptionScanner.Scan(data[FixedLength..], out var options) != Dhcp6DecodeError.None)
        {
            return false;
        }
        value = new Dhcp6IaAddress(
            IPv6Address.FromBytes(data),
            Dhcp6Lifetime.FromSeconds(BinaryPrimitives.ReadUInt32BigEndian(data[16..])),
            Dhcp6Lifetime.FromSeconds(BinaryPrimitives.ReadUInt32BigEndian(data[20..])),
            options);
        return true;
    }

    public Dhcp6Option ToOption()
    {
        var options = Options ?? Dhcp6OptionList.Empty;
        var data = new byte[FixedLength + options.EncodedLength];
        Address.WriteTo(data);
        BinaryPrimitives.WriteUInt32BigEndian(data.AsSpan(16), Dhcp6Lifetime.ToSeconds(PreferredLifetime));
        BinaryPrimitives.WriteUInt32BigEndian(data.AsSpan(20), Dhcp6Lifetime.ToSeconds(ValidLifetime));
        Dhcp6OptionScanner.Write(options, data.AsSpan(FixedLength));
        return new Dhcp6Option(Dhcp6OptionCode.IaAddress, [.. data]);
    }
}

/// <summary>Option 13 (RFC 8415 §21.13): a status code and a UTF-8 message.</summary>
public readonly record struct Dhcp6StatusCode(Dhcp6Status Code, string Message)
{
    public static bool TryRead(ReadOnlySpan<byte> data, out Dhcp6StatusCode value)
    {
        value = default;
        if (data.Length < 2)
        {
            return false;
        }
        value = new Dhcp6StatusCode((Dhcp6Status)BinaryPrimitives.ReadUInt16BigEndian(data), Encoding.UTF8.GetString(data[2..]));
        return true;
    }

    public Dhcp6Option ToOption()
    {
        var message = Message ?? string.Empty;
        var data = new byte[2 + Encoding.UTF8.GetByteCount(message)];
        BinaryPrimitives.WriteUInt16BigEndian(data, (ushort)Code);
        Encoding.UTF8.GetBytes(message, data.AsSpan(2));
        return new Dhcp6Option(Dhcp6OptionCode.StatusCode, [.. data]);
    }
}

/// <summary>The item list of options 15, 16 and 60: each item a 16-bit length then that many bytes (RFC 8415 §21.15).</summary>
public static class Dhcp6OpaqueItems
{
    /// <summary>Bound on items per option, for the same reason as <see cref="Dhcp6MessageDecoder.MaximumOptionCount"/>.</summary>
    public const int MaximumItemCount = 256;

    public static bool TryRead(ReadOnlySpan<byte> data, out ImmutableArray<ImmutableArray<byte>> items)
    {
        items = [];
        var builder = ImmutableArray.CreateBuilder<ImmutableArray<byte>>();
        while (!data.IsEmpty)
        {
            if (data.Length < 2 || builder.Count == MaximumItemCount)
            {
                return false;
            }
            var length = BinaryPrimitives.ReadUInt16BigEndian(data);
            if (data.Length - 2 < length)
            {
                return false;
            }
            builder.Add([.. data.Slice(2, length)]);
            data = data[(2 + length)..];
        }
        items = builder.ToImmutable();
        return true;
    }

    public static int EncodedLength(IEnumerable<ImmutableArray<byte>> items) => items.Sum(i => 2 + i.Length);

    public static int Write(IEnumerable<ImmutableArray<byte>> items, Span<byte> destination)
    {
        var offset = 0;
        foreach (var item in items)
        {
            BinaryPrimitives.WriteUInt16BigEndian(destination[offset..], checked((ushort)item.Length));
            item.AsSpan().CopyTo(destination[(offset + 2)..]);
            offset += 2 + item.Length;
        }
        return offset;
    }

    /// <summary>Option 60 from text parameters (UTF-8), as RFC 5970 §3.2 lays them out.</summary>
    public static Dhcp6Option BootfileParameters(IEnumerable<string> parameters)
    {
        ImmutableArray<byte>[] items = [.. parameters.Select(p => ImmutableArray.Create(Encoding.UTF8.GetBytes(p)))];
        var data = new byte[EncodedLength(items)];
        Write(items, data);
        return new Dhcp6Option(Dhcp6OptionCode.BootfileParam, [.. data]);
    }
}

/// <summary>Option 16 (RFC 8415 §21.16): an enterprise number and its vendor-class-data items.</summary>
public readonly record struct Dhcp6VendorClass(uint EnterpriseNumber, ImmutableArray<ImmutableArray<byte>> Items)
{
    public static bool TryRead(ReadOnlySpan<byte> data, out Dhcp6VendorClass value)
    {
        value = default;
        if (data.Length < 4 || !Dhcp6OpaqueItems.TryRead(data[4..], out var items))
        {
            return false;
        }
        value = new Dhcp6VendorClass(BinaryPrimitives.ReadUInt32BigEndian(data), items);
        return true;
    }

    public Dhcp6Option ToOption()
    {
        var items = Items.IsDefault ? [] : Items;
        var data = new byte[4 + Dhcp6OpaqueItems.EncodedLength(items)];
        BinaryPrimitives.WriteUInt32BigEndian(data, EnterpriseNumber);
        Dhcp6OpaqueItems.Write(items, data.AsSpan(4));
        return new Dhcp6Option(Dhcp6OptionCode.VendorClass, [.. data]);
    }
}

/// <summary>Option 17 (RFC 8415 §21.17): an enterprise number and sub-options in the same TLV form as options; their
/// codes belong to the vendor, so they are kept as numbers cast to <see cref="Dhcp6OptionCode"/>.</summary>
public readonly record struct Dhcp6VendorOptions(uint EnterpriseNumber, Dhcp6OptionList Options)
{
    public static bool TryRead(ReadOnlySpan<byte> data, out Dhcp6VendorOptions value)
    {
        value = default;
        if (data.Length < 4 || Dhcp6OptionScanner.Scan(data[4..], out var options) != Dhcp6DecodeError.None)
        {
            return false;
        }
        value = new Dhcp6VendorOptions(BinaryPrimitives.ReadUInt32BigEndian(data), options);
        return true;
    }

    public Dhcp6Option ToOption()
    {
        var options = Options ?? Dhcp6OptionList.Empty;
        var data = new byte[4 + options.EncodedLength];
        BinaryPrimitives.WriteUInt32BigEndian(data, EnterpriseNumber);
        Dhcp6OptionScanner.Write(options, data.AsSpan(4));
        return new Dhcp6Option(Dhcp6OptionCode.VendorOptions, [.. data]);
    }
}

/// <summary>Option 62 (RFC 5970 §3.4, the PXE UNDI triple): interface type (1 = UNDI), major and minor revision.</summary>
public readonly record struct Dhcp6NetworkInterface(byte Type, byte Major, byte Minor)
{
    public Dhcp6Option ToOption() => Dhcp6Option.Create(Dhcp6OptionCode.NetworkInterfaceIdentifier, [Type, Major, Minor]);
}

/// <summary>Builders for the options whose value is a plain list or text.</summary>
public static class Dhcp6Options
{
    public static Dhcp6Option OptionRequest(params ReadOnlySpan<Dhcp6OptionCode> codes)
    {
        var data = new byte[codes.Length * 2];
        for (var i = 0; i < codes.Length; i++)
        {
            BinaryPrimitives.WriteUInt16BigEndian(data.AsSpan(i * 2), (ushort)codes[i]);
        }
        return new Dhcp6Option(Dhcp6OptionCode.OptionRequest, [.. data]);
    }

    /// <summary>Option 8; clamped to 0xffff hundredths (RFC 8415 §21.9).</summary>
    public static Dhcp6Option ElapsedTime(TimeSpan elapsed)
    {
        var hundredths = (ushort)Math.Clamp(elapsed.TotalMilliseconds / 10, 0, ushort.MaxValue);
        return Dhcp6Option.Create(Dhcp6OptionCode.ElapsedTime, [(byte)(hundredths >> 8), (byte)hundredths]);
    }

    public static Dhcp6Option Preference(byte preference) => Dhcp6Option.Create(Dhcp6OptionCode.Preference, [preference]);

    public static Dhcp6Option RapidCommit() => Dhcp6Option.Empty(Dhcp6OptionCode.RapidCommit);

    /// <summary>A list of IPv6 addresses (options 22, 23, 31, …).</summary>
    public static Dhcp6Option Addresses(Dhcp6OptionCode code, IEnumerable<IPv6Address> addresses)
    {
        IPv6Address[] list = [.. addresses];
        var data = new byte[list.Length * IPv6Address.Length];
        for (var i = 0; i < list.Length; i++)
        {
            list[i].WriteTo(data.AsSpan(i * IPv6Address.Length));
        }
        return new Dhcp6Option(code, [.. data]);
    }

    /// <summary>Option 59 (RFC 5970 §3.1): the URL's UTF-8 bytes, no NUL.</summary>
    public static Dhcp6Option BootfileUrl(string url) => new(Dhcp6OptionCode.BootfileUrl, [.. Encoding.UTF8.GetBytes(url)]);

    /// <summary>Option 61 (RFC 5970 §3.3).</summary>
    public static Dhcp6Option ClientArchitectures(params ReadOnlySpan<ushort> types)
    {
        var data = new byte[types.Length * 2];
        for (var i = 0; i < types.Length; i++)
        {
            BinaryPrimitives.WriteUInt16BigEndian(data.AsSpan(i * 2), types[i]);
        }
        return new Dhcp6Option(Dhcp6OptionCode.ClientArchitectureType, [.. data]);
    }
}

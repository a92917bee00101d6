using System.Buffers.Binary;
using System.Collections.Immutable;
using System.Text;
using NetBoot.Wire.Net;

namespace NetBoot.Wire.Pxe;

public enum PxeDecodeError
{
    None,
    /// <summary>A sub-option's length runs past the end of option 43.</summary>
    TruncatedSubOption,
    /// <summary>A typed sub-option has a length its format does not allow.</summary>
    BadSubOptionLength,
}

/// <summary>Codec for option 43 when it carries PXE sub-options (PXE 2.1 §2.2.5): <c>code | len | data</c>
/// repeated, ended by 255. Raw sub-options keep order and repeats; typed builders and readers sit on top.</summary>
public static class PxeVendorOptions
{
    /// <summary>Encodes the sub-options followed by the END (255) sub-option.</summary>
    public static ImmutableArray<byte> Encode(IEnumerable<PxeSubOption> subOptions)
    {
        ArgumentNullException.ThrowIfNull(subOptions);
        var bytes = ImmutableArray.CreateBuilder<byte>();
        foreach (var sub in subOptions)
        {
            if (sub.Data.Length > 255)
            {
                throw new ArgumentException($"PXE sub-option {(byte)sub.Code} is {sub.Data.Length} bytes; at most 255 fit", nameof(subOptions));
            }
            bytes.Add((byte)sub.Code);
            bytes.Add((byte)sub.Data.Length);
            bytes.AddRange(sub.Data);
        }
        bytes.Add((byte)PxeSubOptionCode.End);
        return bytes.ToImmutable();
    }

    /// <summary>Decodes sub-options up to END or the end of data. PAD (0) bytes are skipped.</summary>
    public static bool TryDecode(ReadOnlySpan<byte> data, out ImmutableArray<PxeSubOption> subOptions, out PxeDecodeError error)
    {
        var list = ImmutableArray.CreateBuilder<PxeSubOption>();
        var i = 0;
        while (i < data.Length)
        {
            var code = (PxeSubOptionCode)data[i];
            if (code == PxeSubOptionCode.End)
            {
                break;
            }
            if (code == PxeSubOptionCode.Pad)
            {
                i++;
                continue;
            }
            if (i + 1 >= data.Length || i + 2 + data[i + 1] > data.Length)
            {
                subOptions = list.ToImmutable();
                error = PxeDecodeError.TruncatedSubOption;
                return false;
            }
            var length = data[i + 1];
            list.Add(new PxeSubOption(code, [.. data.Slice(i + 2, length)]));
            i += 2 + length;
        }
        subOptions = list.ToImmutable();
        error = PxeDecodeError.None;
        return true;
    }

    public static PxeSubOption DiscoveryControl(PxeDiscoveryControl control) =>
        new(PxeSubOptionCode.DiscoveryControl, [(byte)control]);

    /// <summary>Sub-option 8: <c>type(2) | count(1) | IPv4 × count</c> per server.</summary>
    public static PxeSubOption BootServers(IEnumerable<PxeBootServer> servers)
    {
        ArgumentNullException.ThrowIfNull(servers);
        var bytes = ImmutableArray.CreateBuilder<byte>();
        Span<byte> four = stackalloc byte[4];
        foreach (var server in servers)
        {
            AddUInt16(bytes, server.Type);
            bytes.Add((byte)server.Addresses.Length);
            foreach (var address in server.Addresses)
            {
                address.WriteTo(four);
                bytes.AddRange(four);
            }
        }
        return new PxeSubOption(PxeSubOptionCode.BootServers, bytes.ToImmutable());
    }

    /// <summary>Sub-option 9: <c>type(2) | len(1) | description</c> per entry.</summary>
    public static PxeSubOption BootMenu(IEnumerable<PxeMenuEntry> entries)
    {
        ArgumentNullException.ThrowIfNull(entries);
        var bytes = ImmutableArray.CreateBuilder<byte>();
        foreach (var entry in entries)
        {
            var text = Encoding.Latin1.GetBytes(entry.Description);
            AddUInt16(bytes, entry.Type);
            bytes.Add((byte)Math.Min(text.Length, 255));
            bytes.AddRange(text.AsSpan(0, Math.Min(text.Length, 255)));
        }
        return new PxeSubOption(PxeSubOptionCode.BootMenu, bytes.ToImmutable());
    }

    /// <summary>Sub-option 10: <c>timeout(1) | prompt</c> (no NUL).</summary>
    public static PxeSubOption MenuPrompt(PxeMenuPrompt prompt)
    {
        ArgumentNullException.ThrowIfNull(prompt);
        var text = Encoding.Latin1.GetBytes(prompt.Text);
        return new PxeSubOption(PxeSubOptionCode.MenuPrompt, [prompt.Timeout, .. text]);
    }

    /// <summary>Sub-option 71: <c>type(2) | layer(2)</c>.</summary>
    public static PxeSubOption BootItem(PxeBootItem item)
    {
        var bytes = new byte[4];
        BinaryPrimitives.WriteUInt16BigEndian(bytes, item.Type);
        BinaryPrimitives.WriteUInt16BigEndian(bytes.AsSpan(2), item.Layer);
        return new PxeSubOption(PxeSubOptionCode.BootItem, ImmutableArray.Create(bytes));
    }

    /// <summary>The first sub-option 71 of exactly 4 bytes, if any.</summary>
    public static bool TryGetBootItem(ImmutableArray<PxeSubOption> subOptions, out PxeBootItem item)
    {
        foreach (var sub in subOptions)
        {
            if (sub.Code == PxeSubOptionCode.BootItem && sub.Data.Length == 4)
            {
                var span = sub.Data.AsSpan();
                item = new PxeBootItem(BinaryPrimitives.ReadUInt16BigEndian(span), BinaryPrimitives.ReadUInt16BigEndian(span[2..]));
                return true;
            }
        }
        item = default;
        return false;
    }

    public static bool TryReadBootMenu(ReadOnlySpan<byte> data, out ImmutableArray<PxeMenuEntry> entries)
    {
        var list = ImmutableArray.CreateBuilder<PxeMenuEntry>();
        var i = 0;
        while (i + 3 <= data.Length)
        {
            var type = BinaryPrimitives.ReadUInt16BigEndian(data[i..]);
            var length = data[i + 2];
            if (i + 3 + length > data.Length)
            {
                entries = list.ToImmutable();
                return false;
            }
            list.Add(new PxeMenuEntry(type, Encoding.Latin1.GetString(data.Slice(i + 3, length))));
            i += 3 + length;
        }
        entries = list.ToImmutable();
        return i == data.Length;
    }

    public static bool TryReadBootServers(ReadOnlySpan<byte> data, out ImmutableArray<PxeBootServer> servers)
    {
        var list = ImmutableArray.CreateBuilder<PxeBootServer>();
        var i = 0;
        while (i + 3 <= data.Length)
        {
            var type = BinaryPrimitives.ReadUInt16BigEndian(data[i..]);
            var count = data[i + 2];
            if (i + 3 + (4 * count) > data.Length)
            {
                servers = list.ToImmutable();
                return false;
            }
            var addresses = ImmutableArray.CreateBuilder<IPv4Address>(count);
            for (var k = 0; k < count; k++)
            {
                addresses.Add(IPv4Address.FromBytes(data.Slice(i + 3 + (4 * k), 4)));
            }
            list.Add(new PxeBootServer(type, addresses.MoveToImmutable()));
            i += 3 + (4 * count);
        }
        servers = list.ToImmutable();
        return i == data.Length;
    }

    public static bool TryReadMenuPrompt(ReadOnlySpan<byte> data, out PxeMenuPrompt? prompt)
    {
        prompt = data.Length >= 1 ? new PxeMenuPrompt(data[0], Encoding.Latin1.GetString(data[1..])) : null;
        return prompt is not null;
    }

    private static void AddUInt16(ImmutableArray<byte>.Builder bytes, ushort value)
    {
        bytes.Add((byte)(value >> 8));
        bytes.Add((byte)value);
    }
}

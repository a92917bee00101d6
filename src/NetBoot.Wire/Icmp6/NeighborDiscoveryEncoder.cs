using System.Buffers.Binary;
using NetBoot.Wire.Net;

namespace NetBoot.Wire.Icmp6;

/// <summary>Encodes Router Advertisements and Solicitations into the caller's buffer, without allocating. Options go in
/// a fixed order (source link-layer address, MTU, prefixes, RDNSS, DNSSL, others), each padded to 8 octets (RFC 4861
/// §4.6). The checksum is left 0: a raw ICMPv6 socket fills it (RFC 3542 §3.1), or call
/// <see cref="Icmp6Checksum.Write"/>.</summary>
public static class NeighborDiscoveryEncoder
{
    public static int GetEncodedLength(RouterAdvertisement advertisement)
    {
        ArgumentNullException.ThrowIfNull(advertisement);
        var length = NeighborDiscoveryDecoder.RouterAdvertisementLength + LinkLayerLength(advertisement.SourceLinkLayerAddress.Length);
        length += advertisement.Mtu is null ? 0 : 8;
        length += advertisement.Prefixes.Length * 32;
        length += advertisement.DnsServers.Sum(d => 8 + (d.Servers.Length * IPv6Address.Length));
        length += advertisement.SearchLists.Sum(SearchListLength);
        length += advertisement.OtherOptions.Sum(o => Pad(2 + o.Data.Length));
        return length;
    }

    public static int GetEncodedLength(RouterSolicitation solicitation)
    {
        ArgumentNullException.ThrowIfNull(solicitation);
        return NeighborDiscoveryDecoder.RouterSolicitationLength + LinkLayerLength(solicitation.SourceLinkLayerAddress.Length)
            + solicitation.OtherOptions.Sum(o => Pad(2 + o.Data.Length));
    }

    /// <summary>False when <paramref name="destination"/> is too small.</summary>
    /// <exception cref="ArgumentException">An option longer than 2040 bytes (the 8-bit length field), or a bad search domain.</exception>
    public static bool TryEncode(RouterAdvertisement advertisement, Span<byte> destination, out int written)
    {
        written = GetEncodedLength(advertisement);
        if (written > destination.Length)
        {
            written = 0;
            return false;
        }
        var message = destination[..written];
        message.Clear();
        message[0] = (byte)Icmp6Type.RouterAdvertisement;
        message[4] = advertisement.CurrentHopLimit;
        message[5] = (byte)((advertisement.IsManaged ? 0x80 : 0) | (advertisement.IsOtherConfiguration ? 0x40 : 0)
            | (((byte)advertisement.Preference & 3) << 3) | (advertisement.OtherFlags & 0x27));
        BinaryPrimitives.WriteUInt16BigEndian(message[6..], (ushort)Math.Clamp(advertisement.RouterLifetime.TotalSeconds, 0, ushort.MaxValue));
        BinaryPrimitives.WriteUInt32BigEndian(message[8..], Milliseconds(advertisement.ReachableTime));
        BinaryPrimitives.WriteUInt32BigEndian(message[12..], Milliseconds(advertisement.RetransmitTimer));
        var offset = NeighborDiscoveryDecoder.RouterAdvertisementLength;
        offset += WriteLinkLayer(advertisement.SourceLinkLayerAddress.AsSpan(), message[offset..]);
        if (advertisement.Mtu is { } mtu)
        {
            // RFC 4861 §4.6.4: type 5, length 1, reserved (2), MTU (4).
            message[offset] = (byte)NeighborDiscoveryOptionType.Mtu;
            message[offset + 1] = 1;
            BinaryPrimitives.WriteUInt32BigEndian(message[(offset + 4)..], mtu);
            offset += 8;
        }
        foreach (var prefix in advertisement.Prefixes)
        {
            offset += WritePrefix(prefix, message[offset..]);
        }
        foreach (var servers in advertisement.DnsServers)
        {
            offset += WriteDnsServers(servers, message[offset..]);
        }
        foreach (var search in advertisement.SearchLists)
        {
            offset += WriteSearchList(search, message[offset..]);
        }
        WriteOthers(advertisement.OtherOptions, message[offset..]);
        return true;
    }

    public static bool TryEncode(RouterSolicitation solicitation, Span<byte> destination, out int written)
    {
        written = GetEncodedLength(solicitation);
        if (written > destination.Length)
        {
            written = 0;
            return false;
        }
        var message = destination[..written];
        message.Clear();
        message[0] = (byte)Icmp6Type.RouterSolicitation;
        var offset = NeighborDiscoveryDecoder.RouterSolicitationLength;
        offset += WriteLinkLayer(solicitation.SourceLinkLayerAddress.AsSpan(), message[offset..]);
        WriteOthers(solicitation.OtherOptions, message[offset..]);
        return true;
    }

    public static byte[] Encode(RouterAdvertisement advertisement)
    {
        var bytes = new byte[GetEncodedLength(advertisement)];
        TryEncode(advertisement, bytes, out _);
        return bytes;
    }

    public static byte[] Encode(RouterSolicitation solicitation)
    {
        var bytes = new byte[GetEncodedLength(solicitation)];
        TryEncode(solicitation, bytes, out _);
        return bytes;
    }

    /// <summary>RFC 8106 §5.2: the DNSSL length is at least 2 (16 octets), even for one short name.</summary>
    private static int SearchListLength(DnsSearchListOption option) => Math.Max(16, Pad(8 + option.Domains.Sum(DnsWireName.EncodedLength)));

    private static int Pad(int length) => (length + 7) & ~7;

    private static int LinkLayerLength(int addressLength) => addressLength == 0 ? 0 : Pad(2 + addressLength);

    private static uint Milliseconds(TimeSpan time) => (uint)Math.Clamp(time.TotalMilliseconds, 0, uint.MaxValue);

    private static uint Seconds(TimeSpan time) => (uint)Math.Clamp(time.TotalSeconds, 0, uint.MaxValue);

    private static int WriteHeader(NeighborDiscoveryOptionType type, int paddedLength, Span<byte> destination)
    {
        if (paddedLength / 8 > byte.MaxValue)
        {
            throw new ArgumentException($"Neighbor Discovery option {(byte)type} needs {paddedLength} bytes; at most 2040 fit", nameof(paddedLength));
        }
        destination[0] = (byte)type;
        destination[1] = (byte)(paddedLength / 8);
        return paddedLength;
    }

    private static int WriteLinkLayer(ReadOnlySpan<byte> address, Span<byte> destination)
    {
        if (address.IsEmpty)
        {
            return 0;
        }
        var length = WriteHeader(NeighborDiscoveryOptionType.SourceLinkLayerAddress, LinkLayerLength(address.Length), destination);
        address.CopyTo(destination[2..]);
        return length;
    }

    /// <summary>RFC 4861 §4.6.2.</summary>
    private static int WritePrefix(PrefixInformation prefix, Span<byte> destination)
    {
        WriteHeader(NeighborDiscoveryOptionType.PrefixInformation, 32, destination);
        destination[2] = prefix.PrefixLength;
        destination[3] = (byte)((prefix.IsOnLink ? 0x80 : 0) | (prefix.IsAutonomous ? 0x40 : 0) | (prefix.OtherFlags & 0x3F));
        BinaryPrimitives.WriteUInt32BigEndian(destination[4..], Seconds(prefix.ValidLifetime));
        BinaryPrimitives.WriteUInt32BigEndian(destination[8..], Seconds(prefix.PreferredLifetime));
        prefix.Prefix.WriteTo(destination[16..]);
        return 32;
    }

    /// <summary>RFC 8106 §5.1: at least one address (length 3).</summary>
    private static int WriteDnsServers(RecursiveDnsServerOption option, Span<byte> destination)
    {
        if (option.Servers.IsDefaultOrEmpty)
        {
            throw new ArgumentException("An RDNSS option needs at least one address (RFC 8106 §5.1)", nameof(option));
        }
        var length = WriteHeader(NeighborDiscoveryOptionType.RecursiveDnsServer, 8 + (option.Servers.Length * IPv6Address.Length), destination);
        BinaryPrimitives.WriteUInt32BigEndian(destination[4..], Seconds(option.Lifetime));
        for (var i = 0; i < option.Servers.Length; i++)
        {
            option.Servers[i].WriteTo(destination[(8 + (i * IPv6Address.Length))..]);
        }
        return length;
    }

    /// <summary>RFC 8106 §5.2: names follow the lifetime; zero padding to 8 octets.</summary>
    private static int WriteSearchList(DnsSearchListOption option, Span<byte> destination)
    {
        var length = WriteHeader(NeighborDiscoveryOptionType.DnsSearchList, SearchListLength(option), destination);
        BinaryPrimitives.WriteUInt32BigEndian(destination[4..], Seconds(option.Lifetime));
        var offset = 8;
        foreach (var domain in option.Domains)
        {
            offset += DnsWireName.Write(domain, destination[offset..]);
        }
        return length;
    }

    private static void WriteOthers(IEnumerable<NeighborDiscoveryOption> options, Span<byte> destination)
    {
        var offset = 0;
        foreach (var option in options)
        {
            var length = WriteHeader(option.Type, Pad(2 + option.Data.Length), destination[offset..]);
            option.Data.AsSpan().CopyTo(destination[(offset + 2)..]);
            offset += length;
        }
    }
}

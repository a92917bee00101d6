using System.Buffers.Binary;
using System.Collections.Immutable;
using System.Diagnostics.CodeAnalysis;
using NetBoot.Wire.Net;

namespace NetBoot.Wire.Icmp6;

/// <summary>Decodes Router Solicitations and Advertisements from the ICMPv6 message (the IPv6 payload). The checksum
/// needs the IPv6 addresses and is checked apart, with <see cref="Icmp6Checksum.IsValid"/>; the hop limit 255 rule
/// (RFC 4861 §6.1) is the receiver's, from the IP header.</summary>
public static class NeighborDiscoveryDecoder
{
    /// <summary>Bound on options per message; a 1500-byte message holds at most 186 anyway.</summary>
    public const int MaximumOptionCount = 256;

    public const int RouterSolicitationLength = 8;
    public const int RouterAdvertisementLength = 16;

    public static bool TryDecodeRouterSolicitation(ReadOnlySpan<byte> message, [NotNullWhen(true)] out RouterSolicitation? solicitation, out Icmp6DecodeError error)
    {
        solicitation = null;
        error = CheckHeader(message, Icmp6Type.RouterSolicitation, RouterSolicitationLength);
        if (error != Icmp6DecodeError.None)
        {
            return false;
        }
        var options = new OptionSet();
        error = options.Read(message[RouterSolicitationLength..]);
        if (error != Icmp6DecodeError.None)
        {
            return false;
        }
        solicitation = new RouterSolicitation { SourceLinkLayerAddress = options.SourceLinkLayerAddress, OtherOptions = options.Others.ToImmutable() };
        return true;
    }

    /// <summary>RFC 4861 §4.2: type, code, checksum, Cur Hop Limit, M|O|Prf flags, Router Lifetime, Reachable Time,
    /// Retrans Timer, options.</summary>
    public static bool TryDecodeRouterAdvertisement(ReadOnlySpan<byte> message, [NotNullWhen(true)] out RouterAdvertisement? advertisement, out Icmp6DecodeError error)
    {
        advertisement = null;
        error = CheckHeader(message, Icmp6Type.RouterAdvertisement, RouterAdvertisementLength);
        if (error != Icmp6DecodeError.None)
        {
            return false;
        }
        var options = new OptionSet();
        error = options.Read(message[RouterAdvertisementLength..]);
        if (error != Icmp6DecodeError.None)
        {
            return false;
        }
        var flags = message[5];
        advertisement = new RouterAdvertisement
        {
            CurrentHopLimit = message[4],
            IsManaged = (flags & 0x80) != 0,
            IsOtherConfiguration = (flags & 0x40) != 0,
            Preference = (RouterPreference)((flags >> 3) & 3),
            OtherFlags = (byte)(flags & 0x27),
            RouterLifetime = TimeSpan.FromSeconds(BinaryPrimitives.ReadUInt16BigEndian(message[6..])),
            ReachableTime = TimeSpan.FromMilliseconds(BinaryPrimitives.ReadUInt32BigEndian(message[8..])),
            RetransmitTimer = TimeSpan.FromMilliseconds(BinaryPrimitives.ReadUInt32BigEndian(message[12..])),
            SourceLinkLayerAddress = options.SourceLinkLayerAddress,
            Mtu = options.Mtu,
            Prefixes = options.Prefixes.ToImmutable(),
            DnsServers = options.DnsServers.ToImmutable(),
            SearchLists = options.SearchLists.ToImmutable(),
            OtherOptions = options.Others.ToImmutable(),
        };
        return true;
    }

    private static Icmp6DecodeError CheckHeader(ReadOnlySpan<byte> message, Icmp6Type type, int fixedLength)
    {
        if (message.Length < fixedLength)
        {
            return Icmp6DecodeError.TooShort;
        }
        if (message[0] != (byte)type)
        {
            return Icmp6DecodeError.WrongType;
        }
        return message[1] != 0 ? Icmp6DecodeError.BadCode : Icmp6DecodeError.None;
    }

    /// <summary>The options of one message, sorted by kind as they are read.</summary>
    private sealed class OptionSet
    {
        public ImmutableArray<byte> SourceLinkLayerAddress { get; private set; } = [];

        public uint? Mtu { get; private set; }

        public ImmutableArray<PrefixInformation>.Builder Prefixes { get; } = ImmutableArray.CreateBuilder<PrefixInformation>();

        public ImmutableArray<RecursiveDnsServerOption>.Builder DnsServers { get; } = ImmutableArray.CreateBuilder<RecursiveDnsServerOption>();

        public ImmutableArray<DnsSearchListOption>.Builder SearchLists { get; } = ImmutableArray.CreateBuilder<DnsSearchListOption>();

        public ImmutableArray<NeighborDiscoveryOption>.Builder Others { get; } = ImmutableArray.CreateBuilder<NeighborDiscoveryOption>();

        /// <summary>RFC 4861 §4.6: type (1), length in units of 8 octets (1), value; length 0 invalidates the packet.</summary>
        public Icmp6DecodeError Read(ReadOnlySpan<byte> area)
        {
            var count = 0;
            while (!area.IsEmpty)
            {
                if (area.Length < 2)
                {
                    return Icmp6DecodeError.TruncatedOption;
                }
                var length = area[1] * 8;
                if (length == 0)
                {
                    return Icmp6DecodeError.ZeroLengthOption;
                }
                if (length > area.Length)
                {
                    return Icmp6DecodeError.TruncatedOption;
                }
                if (++count > MaximumOptionCount)
                {
                    return Icmp6DecodeError.TooManyOptions;
                }
                if (!Take((NeighborDiscoveryOptionType)area[0], area[2..length]))
                {
                    return Icmp6DecodeError.MalformedOption;
                }
                area = area[length..];
            }
            return Icmp6DecodeError.None;
        }

        private bool Take(NeighborDiscoveryOptionType type, ReadOnlySpan<byte> value)
        {
            switch (type)
            {
                case NeighborDiscoveryOptionType.SourceLinkLayerAddress when SourceLinkLayerAddress.IsEmpty:
                    SourceLinkLayerAddress = [.. value];
                    return true;
                case NeighborDiscoveryOptionType.Mtu when Mtu is null:
                    Mtu = value.Length == 6 ? BinaryPrimitives.ReadUInt32BigEndian(value[2..]) : null;
                    return Mtu is not null;
                case NeighborDiscoveryOptionType.PrefixInformation:
                    return TryAdd(Prefixes, value, TryReadPrefix);
                case NeighborDiscoveryOptionType.RecursiveDnsServer:
                    return TryAdd(DnsServers, value, TryReadDnsServers);
                case NeighborDiscoveryOptionType.DnsSearchList:
                    return TryAdd(SearchLists, value, TryReadSearchList);
                default:
                    Others.Add(new NeighborDiscoveryOption(type, [.. value]));
                    return true;
            }
        }

        private delegate bool Reader<T>(ReadOnlySpan<byte> value, out T result);

        private static bool TryAdd<T>(ImmutableArray<T>.Builder builder, ReadOnlySpan<byte> value, Reader<T> reader)
        {
            if (!reader(value, out var result))
            {
                return false;
            }
            builder.Add(result);
            return true;
        }
    }

    /// <summary>RFC 4861 §4.6.2: length 4; prefix length, L|A flags, valid, preferred, reserved, prefix.</summary>
    private static bool TryReadPrefix(ReadOnlySpan<byte> value, out PrefixInformation prefix)
    {
        prefix = default;
        if (value.Length != 30 || value[0] > 128)
        {
            return false;
        }
        prefix = new PrefixInformation(
            IPv6Address.FromBytes(value[14..]),
            value[0],
            IsOnLink: (value[1] & 0x80) != 0,
            IsAutonomous: (value[1] & 0x40) != 0,
            ValidLifetime: TimeSpan.FromSeconds(BinaryPrimitives.ReadUInt32BigEndian(value[2..])),
            PreferredLifetime: TimeSpan.FromSeconds(BinaryPrimitives.ReadUInt32BigEndian(value[6..])),
            OtherFlags: (byte)(value[1] & 0x3F));
        return true;
    }

    /// <summary>RFC 8106 §5.1: length 3, 5, 7, …; reserved (2), lifetime (4), addresses.</summary>
    private static bool TryReadDnsServers(ReadOnlySpan<byte> value, out RecursiveDnsServerOption option)
    {
        option = default;
        if (value.Length < 22 || (value.Length - 6) % IPv6Address.Length != 0)
        {
            return false;
        }
        var servers = ImmutableArray.CreateBuilder<IPv6Address>((value.Length - 6) / IPv6Address.Length);
        for (var i = 6; i < value.Length; i += IPv6Address.Length)
        {
            servers.Add(IPv6Address.FromBytes(value[i..]));
        }
        option = new RecursiveDnsServerOption(TimeSpan.FromSeconds(BinaryPrimitives.ReadUInt32BigEndian(value[2..])), servers.MoveToImmutable());
        return true;
    }

    /// <summary>RFC 8106 §5.2: length ≥ 2; reserved (2), lifetime (4), uncompressed names (RFC 1035 §3.1), zero padding.</summary>
    private static bool TryReadSearchList(ReadOnlySpan<byte> value, out DnsSearchListOption option)
    {
        option = default;
        if (value.Length < 14)
        {
            return false;
        }
        var domains = ImmutableArray.CreateBuilder<string>();
        var names = value[6..];
        while (!names.IsEmpty && names[0] != 0)
        {
            if (!DnsWireName.TryRead(names, out var name, out var consumed))
            {
                return false;
            }
            domains.Add(name);
            names = names[consumed..];
        }
        option = new DnsSearchListOption(TimeSpan.FromSeconds(BinaryPrimitives.ReadUInt32BigEndian(value[2..])), domains.ToImmutable());
        return true;
    }
}

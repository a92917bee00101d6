using NetBoot.Wire.Icmp6;
using NetBoot.Wire.Net;

namespace NetBoot.Wire.Tests.Icmp6;

public sealed class RouterAdvertisementCodecTests
{
    // An RA as dnsmasq sends for "dhcp-range=::,constructor:eth0,ra-stateless": M|O set, lifetime 1800 s, source
    // link-layer address, MTU 1500, prefix 2001:db8:1::/64 with L and A. Checksum 0x8bed from fe80::5054:ff:fec0:ff01 to
    // ff02::1 computed independently (Python, RFC 1071).
    private static readonly byte[] Advertisement = Convert.FromHexString(
        "86008bed40c007080000000000000000" + "0101525400c0ff01" + "05010000000005dc"
        + "030440c000015180000038400000000020010db8000100000000000000000000");

    private static readonly IPv6Address Router = Parse("fe80::5054:ff:fec0:ff01");
    private static readonly IPv6Address AllNodes = Parse("ff02::1");

    private static IPv6Address Parse(string text) => IPv6Address.TryParse(text, out var a) ? a : throw new ArgumentException(text);

    private static RouterAdvertisement Decode(byte[] bytes)
    {
        Assert.True(NeighborDiscoveryDecoder.TryDecodeRouterAdvertisement(bytes, out var ra, out var error), error.ToString());
        return ra;
    }

    [Fact]
    public void Header_flags_and_options_are_read_at_their_rfc_4861_offsets()
    {
        var ra = Decode(Advertisement);

        Assert.Equal(64, ra.CurrentHopLimit);
        Assert.True(ra.IsManaged);
        Assert.True(ra.IsOtherConfiguration);
        Assert.Equal(RouterPreference.Medium, ra.Preference);
        Assert.Equal(TimeSpan.FromSeconds(1800), ra.RouterLifetime);
        Assert.Equal(TimeSpan.Zero, ra.ReachableTime);
        Assert.Equal(new byte[] { 0x52, 0x54, 0, 0xc0, 0xff, 1 }, ra.SourceLinkLayerAddress.ToArray());
        Assert.Equal(1500u, ra.Mtu);
        var prefix = Assert.Single(ra.Prefixes);
        Assert.Equal(new PrefixInformation(Parse("2001:db8:1::"), 64, IsOnLink: true, IsAutonomous: true, TimeSpan.FromDays(1), TimeSpan.FromHours(4)), prefix);
    }

    [Fact]
    public void Checksum_matches_an_independent_computation_and_detects_a_flipped_bit()
    {
        Assert.Equal(0x8bed, Icmp6Checksum.Compute(Router, AllNodes, Advertisement));
        Assert.True(Icmp6Checksum.IsValid(Router, AllNodes, Advertisement));
        var damaged = (byte[])Advertisement.Clone();
        damaged[^1] ^= 1;
        Assert.False(Icmp6Checksum.IsValid(Router, AllNodes, damaged));
        Assert.False(Icmp6Checksum.IsValid(AllNodes, Router, Advertisement.AsSpan(0, Advertisement.Length - 1)));
    }

    [Fact]
    public void Encoding_the_decoded_advertisement_gives_the_same_bytes_once_the_checksum_is_written()
    {
        var bytes = NeighborDiscoveryEncoder.Encode(Decode(Advertisement));
        Assert.Equal(0, bytes[2] | bytes[3]);
        Icmp6Checksum.Write(Router, AllNodes, bytes);
        Assert.Equal(Advertisement, bytes);
    }

    [Fact]
    public void Rdnss_dnssl_and_preference_round_trip()
    {
        var ra = new RouterAdvertisement
        {
            IsOtherConfiguration = true,
            Preference = RouterPreference.High,
            RouterLifetime = TimeSpan.FromSeconds(600),
            RetransmitTimer = TimeSpan.FromMilliseconds(1000),
            DnsServers = [new RecursiveDnsServerOption(TimeSpan.FromSeconds(1200), [Parse("2001:db8::53"), Parse("2001:db8::54")])],
            SearchLists = [new DnsSearchListOption(TimeSpan.FromSeconds(1200), ["lab.example", "example.org"])],
            OtherOptions = [new NeighborDiscoveryOption((NeighborDiscoveryOptionType)24, [48, 0x18, 0, 0, 0, 0x3c, 0x20, 1, 0x0d, 0xb8, 0, 2, 0, 0])],
        };
        var buffer = new byte[256];
        Assert.True(NeighborDiscoveryEncoder.TryEncode(ra, buffer, out var written));
        Assert.Equal(0, written % 8);

        var decoded = Decode(buffer[..written]);

        Assert.Equal(ra, decoded);
        Assert.Equal(0x08 | 0x40, buffer[5]);
    }

    [Fact]
    public void Router_solicitation_with_a_source_address_round_trips()
    {
        var bytes = Convert.FromHexString("85000000000000000101525400c0ff02");
        Assert.True(NeighborDiscoveryDecoder.TryDecodeRouterSolicitation(bytes, out var rs, out _));
        Assert.Equal(new byte[] { 0x52, 0x54, 0, 0xc0, 0xff, 2 }, rs.SourceLinkLayerAddress.ToArray());
        Assert.Equal(bytes, NeighborDiscoveryEncoder.Encode(rs));
    }

    public static TheoryData<string, Icmp6DecodeError> Malformed => new()
    {
        { "860000004000", Icmp6DecodeError.TooShort },
        { "85000000000000000000000000000000", Icmp6DecodeError.WrongType },
        { "86010000000000000000000000000000", Icmp6DecodeError.BadCode },
        { "86000000000000000000000000000000" + "0100525400c0ff01", Icmp6DecodeError.ZeroLengthOption },
        { "86000000000000000000000000000000" + "0102525400c0ff01", Icmp6DecodeError.TruncatedOption },
        { "86000000000000000000000000000000" + "01", Icmp6DecodeError.TruncatedOption },
        { "86000000000000000000000000000000" + "03050000000000000000000000000000", Icmp6DecodeError.TruncatedOption },
        { "86000000000000000000000000000000" + "03010000000000000", Icmp6DecodeError.MalformedOption },
        { "86000000000000000000000000000000" + "1901000000000000", Icmp6DecodeError.MalformedOption },
        { "86000000000000000000000000000000" + "05020000000005dc0000000000000000", Icmp6DecodeError.MalformedOption },
    };

    [Theory]
    [MemberData(nameof(Malformed))]
    public void Malformed_messages_are_refused_with_their_reason(string hex, Icmp6DecodeError expected)
    {
        var bytes = Convert.FromHexString(hex.Length % 2 == 0 ? hex : hex + "0");
        Assert.False(NeighborDiscoveryDecoder.TryDecodeRouterAdvertisement(bytes, out var ra, out var error));
        Assert.Null(ra);
        Assert.Equal(expected, error);
    }

    [Fact]
    public void Every_truncation_of_a_valid_advertisement_is_refused_or_has_fewer_options()
    {
        for (var length = 0; length < Advertisement.Length; length++)
        {
            if (NeighborDiscoveryDecoder.TryDecodeRouterAdvertisement(Advertisement.AsSpan(0, length), out var ra, out _))
            {
                Assert.True(ra.Prefixes.IsEmpty);
            }
        }
    }

    [Fact]
    public void Dns_search_list_with_a_malformed_name_is_refused()
    {
        var bytes = Convert.FromHexString("86000000000000000000000000000000" + "1f02000000000e10" + "4061620000000000");
        Assert.False(NeighborDiscoveryDecoder.TryDecodeRouterAdvertisement(bytes, out _, out var error));
        Assert.Equal(Icmp6DecodeError.MalformedOption, error);
    }
}

using NetBoot.Configuration.Model;
using NetBoot.Configuration.Parsing;
using NetBoot.Testing;
using NetBoot.Wire.Dhcp6;
using NetBoot.Wire.Icmp6;
using NetBoot.Wire.Net;

namespace NetBoot.Fuzz.Tests;

/// <summary>Real inputs the mutations start from: every DHCP and TFTP datagram of the test captures, and the
/// reference configurations.</summary>
internal static class FuzzSeeds
{
    public static readonly byte[][] DhcpDatagrams =
        [.. CaptureCorpus.AllKeys().SelectMany(CaptureCorpus.DhcpDatagrams).Select(d => d.Payload.ToArray())];

    public static readonly byte[][] TftpDatagrams =
        [.. CaptureCorpus.AllKeys().SelectMany(CaptureCorpus.UdpDatagrams)
            .Where(d => d.SourcePort == 69 || d.DestinationPort == 69 || (d.SourcePort > 1024 && d.DestinationPort > 1024))
            .Select(d => d.Payload.ToArray())];

    /// <summary>The DHCPv6 packets of the captures (Arista zero-touch, OVMF/AAVMF PXEv6 and HTTPv6 SOLICITs), and relay
    /// messages wrapping them once and twice.</summary>
    public static readonly byte[][] Dhcp6Datagrams = Dhcp6WithRelays(
        [.. CaptureCorpus.AllKeys().SelectMany(CaptureCorpus.Dhcp6Datagrams).Select(d => d.Payload.ToArray())]);

    /// <summary>Router Advertisements with every option kind the codec knows, and a Router Solicitation.</summary>
    public static readonly byte[][] NeighborDiscoveryMessages =
    [
        Convert.FromHexString("86008bed40c007080000000000000000" + "0101525400c0ff01" + "05010000000005dc"
            + "030440c000015180000038400000000020010db8000100000000000000000000"),
        NeighborDiscoveryEncoder.Encode(new RouterAdvertisement
        {
            IsManaged = true,
            Preference = RouterPreference.Low,
            RouterLifetime = TimeSpan.FromSeconds(1800),
            DnsServers = [new RecursiveDnsServerOption(TimeSpan.FromSeconds(600), [IPv6Address.Parse("2001:db8::53")])],
            SearchLists = [new DnsSearchListOption(TimeSpan.FromSeconds(600), ["lab.example", "example.org"])],
            OtherOptions = [new NeighborDiscoveryOption(NeighborDiscoveryOptionType.RouteInformation, [48, 0x18, 0, 0, 0, 0x3c, 0x20, 1, 0x0d, 0xb8, 0, 2, 0, 0])],
        }),
        Convert.FromHexString("85000000000000000101525400c0ff02"),
    ];

    public static readonly string[] ConfigTexts =
        [.. Directory.GetFiles(TestPaths.Examples, "*.conf").Select(File.ReadAllText)];

    private static byte[][] Dhcp6WithRelays(byte[][] messages)
    {
        var once = messages.Take(4).Select(m => Dhcp6MessageEncoder.Encode(Relay(m, 0))).ToArray();
        var twice = once.Take(2).Select(m => Dhcp6MessageEncoder.Encode(Relay(m, 1))).ToArray();
        return [.. messages, .. once, .. twice];
    }

    private static Dhcp6RelayMessage Relay(byte[] inner, byte hops) => new()
    {
        HopCount = hops,
        LinkAddress = IPv6Address.Parse("2001:db8:1::1"),
        PeerAddress = IPv6Address.Parse("fe80::5054:ff:fec0:ff02"),
        Options = Dhcp6OptionList.Empty.Add(Dhcp6Option.Create(Dhcp6OptionCode.InterfaceId, "eth0"u8)),
        Relayed = Dhcp6MessageDecoder.TryDecode(inner, out var packet, out _) ? packet : throw new InvalidOperationException("seed does not decode"),
    };

    public static readonly ServerConfig[] Configs = [.. ConfigTexts.Select(text => DnsmasqConfigReader.Parse(text, "seed.conf").Config!)];
}

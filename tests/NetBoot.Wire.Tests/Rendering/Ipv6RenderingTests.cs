using NetBoot.Testing;
using NetBoot.Wire.Dhcp6;
using NetBoot.Wire.Icmp6;
using NetBoot.Wire.Net;
using NetBoot.Wire.Rendering;

namespace NetBoot.Wire.Tests.Rendering;

/// <summary><c>netboot decode</c> on IPv6: DHCPv6 (also relayed) and Router Solicitations/Advertisements, from frames
/// built here (the corpus holds no RA).</summary>
public sealed class Ipv6RenderingTests
{
    private static readonly IPv6Address Router = IPv6Address.Parse("fe80::5054:ff:fec0:ff01");
    private static readonly IPv6Address AllNodes = IPv6Address.Parse("ff02::1");
    private static readonly IPv6Address AllRouters = IPv6Address.Parse("ff02::2");

    private static string Render(params byte[][] ipPackets)
    {
        var start = new DateTimeOffset(2026, 12, 7, 0, 0, 0, TimeSpan.Zero);
        var frames = ipPackets.Select((p, i) => new CapturedFrameSpec(start.AddSeconds(i), FrameBuilder.Ethernet(p, 0x86DD)));
        var rendering = CaptureRenderer.Render(CaptureWriter.Pcap(1, frames), "v6.pcap");
        Assert.True(rendering.IsReadable);
        return rendering.Text;
    }

    private static byte[] Icmp(IPv6Address source, IPv6Address destination, byte[] message, byte hopLimit = 255)
    {
        Icmp6Checksum.Write(source, destination, message);
        return FrameBuilder.IPv6(source, destination, 58, message, hopLimit);
    }

    [Fact]
    public void Router_advertisement_and_solicitation_are_rendered_with_their_options()
    {
        var ra = NeighborDiscoveryEncoder.Encode(new RouterAdvertisement
        {
            CurrentHopLimit = 64,
            IsManaged = true,
            IsOtherConfiguration = true,
            RouterLifetime = TimeSpan.FromSeconds(1800),
            SourceLinkLayerAddress = [0x52, 0x54, 0, 0xc0, 0xff, 1],
            Mtu = 1500,
            Prefixes = [new PrefixInformation(IPv6Address.Parse("2001:db8:1::"), 64, true, true, TimeSpan.FromDays(1), TimeSpan.FromHours(4))],
            DnsServers = [new RecursiveDnsServerOption(TimeSpan.FromSeconds(600), [IPv6Address.Parse("2001:db8::53")])],
            SearchLists = [new DnsSearchListOption(TimeSpan.FromSeconds(600), ["lab.example"])],
        });
        var rs = NeighborDiscoveryEncoder.Encode(new RouterSolicitation { SourceLinkLayerAddress = [0x52, 0x54, 0, 0xc0, 0xff, 2] });

        var text = Render(Icmp(IPv6Address.Parse("fe80::5054:ff:fec0:ff02"), AllRouters, rs), Icmp(Router, AllNodes, ra));

        Assert.Contains("fe80::5054:ff:fec0:ff02 -> ff02::2  ROUTER-SOLICITATION  source link-layer 52:54:00:c0:ff:02", text);
        Assert.Contains("fe80::5054:ff:fec0:ff01 -> ff02::1  ROUTER-ADVERTISEMENT  flags M (addresses by DHCPv6), O (other configuration by DHCPv6)  router lifetime 1800s", text);
        Assert.Contains("prefix 2001:db8:1::/64  flags LA  valid 86400s (1d)  preferred 14400s (4h)", text);
        Assert.Contains("mtu 1500", text);
        Assert.Contains("rdnss 2001:db8::53  lifetime 600s (10m)", text);
        Assert.Contains("dnssl lab.example  lifetime 600s (10m)", text);
        Assert.Contains("summary 2 frames: 0 DHCP, 0 TFTP, 2 ICMPv6 RS/RA, 0 not shown; 0 damaged", text);
        Assert.DoesNotContain("bad checksum", text);
    }

    [Fact]
    public void Advertisement_with_a_bad_checksum_or_hop_limit_says_so()
    {
        var ra = NeighborDiscoveryEncoder.Encode(new RouterAdvertisement { RouterLifetime = TimeSpan.FromSeconds(600) });
        var packet = Icmp(Router, AllNodes, ra, hopLimit: 64);
        packet[^1] ^= 0xff;

        var text = Render(packet);

        Assert.Contains("[bad checksum]  [hop limit 64, not 255]", text);
    }

    [Fact]
    public void Relayed_reply_shows_the_relay_header_and_the_nested_message()
    {
        var reply = new Dhcp6RelayMessage
        {
            Type = Dhcp6MessageType.RelayReply,
            LinkAddress = IPv6Address.Parse("2001:db8:1::1"),
            PeerAddress = IPv6Address.Parse("fe80::5054:ff:fec0:ff02"),
            Options = Dhcp6OptionList.Empty.Add(Dhcp6Option.Create(Dhcp6OptionCode.InterfaceId, "eth0"u8)),
            Relayed = new Dhcp6Message
            {
                Type = Dhcp6MessageType.Advertise,
                TransactionId = 0xb89bcc,
                Options = new Dhcp6OptionList(
                [
                    Duid.Enterprise(43793, [1, 2]).ToOption(Dhcp6OptionCode.ServerId),
                    Dhcp6Options.BootfileUrl("tftp://[2001:db8::1]/ipxe.efi"),
                    new Dhcp6StatusCode(Dhcp6Status.NoAddrsAvail, "no addresses").ToOption(),
                ]),
            },
        };
        var text = Render(FrameBuilder.IPv6Udp(IPv6Address.Parse("2001:db8::1"), 547, IPv6Address.Parse("2001:db8:1::1"), 547, Dhcp6MessageEncoder.Encode(reply)));

        Assert.Contains("[2001:db8::1]:547 -> [2001:db8:1::1]:547  RELAY-REPL (1 relay) ADVERTISE  xid 0xb89bcc", text);
        Assert.Contains("RELAY-REPL  hop-count 0  link-address 2001:db8:1::1  peer-address fe80::5054:ff:fec0:ff02", text);
        Assert.Contains("18 interface-id           \"eth0\"", text);
        Assert.Contains("2 server-id              00:02:00:00:ab:11:01:02  (DUID-EN enterprise 43793)", text);
        Assert.Contains("59 bootfile-url           \"tftp://[2001:db8::1]/ipxe.efi\"", text);
        Assert.Contains("13 status                 NoAddrsAvail \"no addresses\"", text);
        Assert.Contains("summary 1 frame: 1 DHCP, 0 TFTP, 0 not shown; 0 damaged", text);
    }

    [Fact]
    public void Damaged_dhcpv6_is_counted_with_its_reason()
    {
        var text = Render(FrameBuilder.IPv6Udp(Router, 546, IPv6Address.Parse("ff02::1:2"), 547, [1, 0, 0, 1, 0, 1, 0, 9]));
        Assert.Contains("DHCPv6 damaged: TruncatedOption, 8 bytes", text);
        Assert.Contains("1 damaged", text);
    }
}

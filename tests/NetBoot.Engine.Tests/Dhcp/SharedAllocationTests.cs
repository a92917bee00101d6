using NetBoot.Configuration.Model;
using NetBoot.Engine.Dhcp;
using NetBoot.Engine.Leases;
using NetBoot.Wire.Net;

namespace NetBoot.Engine.Tests.Dhcp;

/// <summary>Several servers on one shared lease table start their search for a free address at different places, so
/// that views lagging each other do not race for the same addresses; a single server keeps dnsmasq's hash.</summary>
public class SharedAllocationTests
{
    private static readonly RangeContext Range = new(new DhcpRangeConfig
    {
        Start = IPv4Address.Parse("10.79.0.10"),
        End = IPv4Address.Parse("10.79.3.250"),
        Source = new SourceLocation("test.conf", 1),
    }, IPv4Address.Parse("255.255.252.0"));

    private static IPv4Address? Allocate(bool shared, string server, byte[] mac) =>
        AddressAllocator.Allocate([Range],
            new AllocationContext(new LeaseTable { IsShared = shared }, new ClientKey("hw:01"), DateTimeOffset.UnixEpoch, new ServerConfig(), IPv4Address.Parse(server)),
            mac, sequential: false);

    [Fact]
    public void A_single_server_starts_at_dnsmasqs_hash_of_the_mac_whatever_its_address()
    {
        byte[] mac = [0x02, 0x4e, 0x42, 0, 0, 7];
        var expected = Range.Range.Start.Value + AddressAllocator.Hash(mac) % (Range.Range.End.Value - Range.Range.Start.Value + 1);

        Assert.Equal(expected, Allocate(false, "10.79.0.1", mac)!.Value.Value);
        Assert.Equal(expected, Allocate(false, "10.79.0.3", mac)!.Value.Value);
    }

    [Fact]
    public void Servers_sharing_a_table_start_at_their_own_place_and_each_stays_stable()
    {
        var differ = Enumerable.Range(0, 50).Count(n =>
        {
            byte[] mac = [0x02, 0x4e, 0x42, 0, 0, (byte)n];
            Assert.Equal(Allocate(true, "10.79.0.1", mac), Allocate(true, "10.79.0.1", mac));
            return Allocate(true, "10.79.0.1", mac) != Allocate(true, "10.79.0.3", mac);
        });

        Assert.Equal(50, differ);
    }
}

using NetBoot.Configuration.Model;
using NetBoot.Engine.Dhcp;
using NetBoot.Engine.Leases;
using NetBoot.Wire.Net;

namespace NetBoot.Engine.Tests.Dhcp;

/// <summary>The allocator skips held addresses through the lease table's bitmap: over random tables (leases offered,
/// bound, declined, expired, renewed, removed; the client's own lease; addresses reserved by <c>dhcp-host</c>; the
/// server's address; clocks read out of order) it must choose exactly what dnsmasq's address-by-address probe chooses.</summary>
public class AllocatorEquivalenceTests
{
    private static readonly DateTimeOffset Epoch = DateTimeOffset.UnixEpoch.AddDays(100);

    /// <summary>A range across a 65 536-address boundary (the bitmap's chunk), in a /15, so .0 and .255 are hosts.</summary>
    private static readonly RangeContext Wide = new(new DhcpRangeConfig
    {
        Start = IPv4Address.Parse("10.80.254.200"),
        End = IPv4Address.Parse("10.81.0.90"),
        Source = new SourceLocation("test.conf", 1),
    }, IPv4Address.Parse("255.254.0.0"));

    /// <summary>A small /24 range whose network and broadcast addresses lie inside it.</summary>
    private static readonly RangeContext Small = new(new DhcpRangeConfig
    {
        Start = IPv4Address.Parse("10.79.0.0"),
        End = IPv4Address.Parse("10.79.0.255"),
        Source = new SourceLocation("test.conf", 2),
    }, IPv4Address.Parse("255.255.255.0"));

    [Theory]
    [InlineData(1, false)]
    [InlineData(2, false)]
    [InlineData(3, true)]
    [InlineData(4, false)]
    [InlineData(5, true)]
    [InlineData(6, false)]
    public void The_bitmap_allocator_chooses_what_the_address_by_address_probe_chooses(int seed, bool sequential)
    {
        var random = new Random(seed);
        var table = new LeaseTable();
        var now = Epoch;
        RangeContext[] ranges = seed % 2 == 0 ? [Small, Wide] : [Wide];
        var addresses = ranges.SelectMany(r => Enumerable.Range(0, (int)(r.Range.End.Value - r.Range.Start.Value + 1))
            .Select(i => new IPv4Address(r.Range.Start.Value + (uint)i))).ToArray();
        var config = Config(random, addresses);
        var server = IPv4Address.Parse("10.79.0.1");
        var compared = 0;

        for (var step = 0; step < 6000; step++)
        {
            switch (random.Next(10))
            {
                case < 5:
                    // Fill: mostly in clusters, as dnsmasq's hash of neighbouring MACs does.
                    var at = addresses[random.Next(addresses.Length)];
                    for (var n = random.Next(1, 40); n > 0; n--)
                    {
                        table.Put(RandomLease(random, new IPv4Address(at.Value + (uint)n), now));
                    }
                    break;
                case 5 when table.Count > 0:
                    table.Remove(table.All.ElementAt(random.Next(table.Count)).Address);
                    break;
                case 6:
                    // Time moves on (leases end), and now and then back a little (threads reading the clock in one order
                    // and deciding in the other).
                    now += random.Next(4) == 0 ? -TimeSpan.FromSeconds(random.Next(1, 30)) : TimeSpan.FromSeconds(random.Next(1, 600));
                    break;
                case 7 when random.Next(20) == 0:
                    config = Config(random, addresses);
                    break;
                default:
                    var client = new ClientKey($"hw:c{random.Next(400)}");
                    byte[] mac = [2, 0, 0, (byte)random.Next(256), (byte)random.Next(256), (byte)random.Next(256)];
                    var context = new AllocationContext(table, client, now, config, server);
                    var expected = Reference(ranges, context with { Leases = new PlainView(table) }, mac, sequential);
                    Assert.Equal(expected, AddressAllocator.Allocate([.. ranges], context, mac, sequential));
                    compared++;
                    break;
            }
        }
        Assert.True(compared > 1000);
    }

    [Fact]
    public void A_nearly_full_range_gives_its_last_free_address_and_a_full_one_none()
    {
        var table = new LeaseTable();
        var size = (int)(Wide.Range.End.Value - Wide.Range.Start.Value + 1);
        var last = new IPv4Address(Wide.Range.Start.Value + (uint)(size / 3));
        for (var i = 0; i < size; i++)
        {
            var address = new IPv4Address(Wide.Range.Start.Value + (uint)i);
            if (address != last)
            {
                table.Put(new Lease(address, new ClientKey($"hw:h{i}"), HardwareAddress.Ethernet([2, 0, 0, 0, (byte)(i >> 8), (byte)i]), [], null, Epoch.AddHours(1), LeaseState.Bound));
            }
        }
        var context = new AllocationContext(table, new ClientKey("hw:new"), Epoch, new ServerConfig(), IPv4Address.Parse("10.80.0.1"));

        Assert.Equal(last, AddressAllocator.Allocate([Wide], context, [2, 1, 2, 3, 4, 5], sequential: false));
        table.Put(new Lease(last, new ClientKey("hw:other"), HardwareAddress.Ethernet([2, 9, 9, 9, 9, 9]), [], null, Epoch.AddHours(1), LeaseState.Bound));
        Assert.Null(AddressAllocator.Allocate([Wide], context, [2, 1, 2, 3, 4, 5], sequential: false));
        // Once the holders' time is up, every address is free again (the sweep has not removed them yet).
        Assert.Equal(new IPv4Address(Wide.Range.Start.Value + AddressAllocator.Hash([2, 1, 2, 3, 4, 5]) % (uint)size),
            AddressAllocator.Allocate([Wide], context with { Now = Epoch.AddHours(2) }, [2, 1, 2, 3, 4, 5], sequential: false));
    }

    [Fact]
    public void A_run_of_held_addresses_is_skipped_without_asking_about_each()
    {
        // 50 000 held addresses from the start of a /14 pool, then one free: sequential allocation starts at the start.
        var range = new RangeContext(new DhcpRangeConfig
        {
            Start = IPv4Address.Parse("10.80.1.1"),
            End = IPv4Address.Parse("10.83.255.250"),
            Source = new SourceLocation("test.conf", 3),
        }, IPv4Address.Parse("255.252.0.0"));
        var table = new LeaseTable();
        for (uint i = 0; i < 50_000; i++)
        {
            table.Put(new Lease(new IPv4Address(range.Range.Start.Value + i), new ClientKey($"hw:h{i}"),
                HardwareAddress.Ethernet([2, 0, 0, (byte)(i >> 16), (byte)(i >> 8), (byte)i]), [], null, Epoch.AddHours(1), LeaseState.Bound));
        }
        var view = new LookupCountingView(table);
        var context = new AllocationContext(view, new ClientKey("hw:new"), Epoch, new ServerConfig(), IPv4Address.Parse("10.80.0.1"));

        Assert.Equal(new IPv4Address(range.Range.Start.Value + 50_000), AddressAllocator.Allocate([range], context, [2, 1, 2, 3, 4, 5], sequential: true));
        Assert.True(view.AddressLookups <= 2, $"{view.AddressLookups} address lookups");
    }

    /// <summary>The table (with its bitmap), counting the allocator's questions about single addresses.</summary>
    private sealed class LookupCountingView(LeaseTable table) : ILeaseView
    {
        public int AddressLookups { get; private set; }

        public Lease? ByClient(ClientKey client) => table.ByClient(client);

        public Lease? ByAddress(IPv4Address address)
        {
            AddressLookups++;
            return table.ByAddress(address);
        }

        public int ActiveCount(DateTimeOffset now) => table.ActiveCount(now);

        public IPv4Address? FirstUnheld(IPv4Address from, IPv4Address to, DateTimeOffset now) => table.FirstUnheld(from, to, now);
    }

    private static ServerConfig Config(Random random, IPv4Address[] addresses) => new()
    {
        Hosts = [.. Enumerable.Range(0, random.Next(4)).Select(i => new DhcpHostConfig
        {
            Address = addresses[random.Next(addresses.Length)],
            IsIgnored = random.Next(3) == 0,
            Source = new SourceLocation("test.conf", 10 + i),
        })],
    };

    private static Lease RandomLease(Random random, IPv4Address address, DateTimeOffset now)
    {
        var client = random.Next(400);
        var state = (LeaseState)random.Next(3);
        var expires = random.Next(10) switch
        {
            0 => DateTimeOffset.MaxValue,
            < 4 => now - TimeSpan.FromSeconds(random.Next(0, 600)),
            _ => now + TimeSpan.FromSeconds(random.Next(1, 3600)),
        };
        var key = state == LeaseState.Declined ? ClientKey.Declined(address) : new ClientKey($"hw:c{client}");
        return new Lease(address, key, HardwareAddress.Ethernet([2, 0, 0, 0, (byte)(client >> 8), (byte)client]), [], null, expires, state);
    }

    /// <summary>dnsmasq's probe as the allocator did it before the bitmap: every address from the hash's place on, in
    /// turn, asking the table about each.</summary>
    private static IPv4Address? Reference(RangeContext[] ranges, AllocationContext context, byte[] mac, bool sequential)
    {
        var hash = sequential ? 0u : AddressAllocator.Hash(mac);
        foreach (var range in ranges.Where(r => r.Range.Mode == DhcpRangeMode.Dynamic))
        {
            var start = range.Range.Start.Value;
            var size = (ulong)range.Range.End.Value - start + 1;
            var offset = hash % size;
            for (ulong i = 0; i < size; i++)
            {
                var candidate = new IPv4Address((uint)(start + ((offset + i) % size)));
                if (context.IsFree(candidate, range))
                {
                    return candidate;
                }
            }
        }
        return null;
    }

    /// <summary>The table without its bitmap (and without full-range notes): <see cref="ILeaseView"/>'s defaults.</summary>
    private sealed class PlainView(LeaseTable table) : ILeaseView
    {
        public Lease? ByClient(ClientKey client) => table.ByClient(client);

        public Lease? ByAddress(IPv4Address address) => table.ByAddress(address);

        public int ActiveCount(DateTimeOffset now) => table.ActiveCount(now);
    }
}

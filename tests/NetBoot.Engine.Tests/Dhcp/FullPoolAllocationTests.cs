using NetBoot.Configuration.Model;
using NetBoot.Engine.Dhcp;
using NetBoot.Engine.Leases;
using NetBoot.Wire.Net;

namespace NetBoot.Engine.Tests.Dhcp;

/// <summary>A full pool under a flood of new clients: the first DISCOVER scans the range and finds nothing; the next
/// ones are answered from the allocator's note without a scan, until the table changes, a holder's time is up, or the
/// configuration or the server's address changes.</summary>
public class FullPoolAllocationTests
{
    private static readonly DateTimeOffset Now = DateTimeOffset.UnixEpoch.AddDays(1);
    private static readonly IPv4Address Server = IPv4Address.Parse("10.79.0.1");
    private static readonly RangeContext Range = new(new DhcpRangeConfig
    {
        Start = IPv4Address.Parse("10.79.0.10"),
        End = IPv4Address.Parse("10.79.0.19"),
        Source = new SourceLocation("test.conf", 1),
    }, IPv4Address.Parse("255.255.255.0"));

    private static readonly ServerConfig Config = new();

    /// <summary>Every address of the range held: ten bound leases, the last of them ends first (at <paramref name="firstEnd"/>).</summary>
    private static CountingView FullTable(DateTimeOffset firstEnd)
    {
        var table = new LeaseTable();
        for (var i = 0; i < 10; i++)
        {
            var expires = i == 9 ? firstEnd : Now.AddHours(1);
            table.Put(new Lease(new IPv4Address(Range.Range.Start.Value + (uint)i), new ClientKey($"hw:held{i}"),
                HardwareAddress.Ethernet([2, 0, 0, 0, 1, (byte)i]), [], null, expires, LeaseState.Bound));
        }
        return new CountingView(table);
    }

    private static IPv4Address? Allocate(ILeaseView view, int client, DateTimeOffset now, ServerConfig? config = null, IPv4Address? server = null) =>
        AddressAllocator.Allocate([Range], new AllocationContext(view, new ClientKey($"hw:new{client}"), now, config ?? Config, server ?? Server),
            [2, 0, 0, 0, 2, (byte)client], sequential: false);

    [Fact]
    public void A_full_range_is_scanned_once_for_a_flood_of_new_clients()
    {
        var view = FullTable(Now.AddMinutes(30));

        Assert.Null(Allocate(view, 1, Now));
        var afterFirst = view.AddressLookups;
        for (var client = 2; client < 100; client++)
        {
            Assert.Null(Allocate(view, client, Now));
        }

        Assert.True(afterFirst >= 10, $"the first DISCOVER scans the range ({afterFirst} lookups)");
        Assert.Equal(afterFirst, view.AddressLookups);
    }

    [Fact]
    public void An_address_released_after_the_note_is_found_at_once()
    {
        var view = FullTable(Now.AddMinutes(30));
        Assert.Null(Allocate(view, 1, Now));

        view.Table.Remove(IPv4Address.Parse("10.79.0.13"));

        Assert.Equal(IPv4Address.Parse("10.79.0.13"), Allocate(view, 2, Now));
    }

    [Fact]
    public void When_the_first_holders_time_is_up_the_range_is_scanned_again()
    {
        var view = FullTable(Now.AddMinutes(30));
        Assert.Null(Allocate(view, 1, Now));
        Assert.Null(Allocate(view, 2, Now.AddMinutes(29)));

        Assert.Equal(IPv4Address.Parse("10.79.0.19"), Allocate(view, 3, Now.AddMinutes(30)));
    }

    [Fact]
    public void A_new_configuration_or_server_address_is_not_answered_from_an_old_note()
    {
        var view = FullTable(Now.AddMinutes(30));
        Assert.Null(Allocate(view, 1, Now));
        var afterFirst = view.AddressLookups;

        Assert.Null(Allocate(view, 2, Now, config: new ServerConfig()));
        Assert.True(view.AddressLookups > afterFirst, "a reloaded configuration scans again");
        var afterReload = view.AddressLookups;
        Assert.Null(Allocate(view, 3, Now, server: IPv4Address.Parse("10.79.0.2")));
        Assert.True(view.AddressLookups > afterReload, "a new server address scans again");
    }

    /// <summary>The table, counting address lookups (what a scan costs).</summary>
    private sealed class CountingView(LeaseTable table) : ILeaseView
    {
        public LeaseTable Table => table;

        public int AddressLookups { get; private set; }

        public Lease? ByClient(ClientKey client) => table.ByClient(client);

        public Lease? ByAddress(IPv4Address address)
        {
            AddressLookups++;
            return table.ByAddress(address);
        }

        public int ActiveCount(DateTimeOffset now) => table.ActiveCount(now);

        public DateTimeOffset? FullUntil(IPv4Address start, IPv4Address end, object config, IPv4Address server) =>
            table.FullUntil(start, end, config, server);

        public void NoteFull(IPv4Address start, IPv4Address end, object config, IPv4Address server, DateTimeOffset until) =>
            table.NoteFull(start, end, config, server, until);
    }
}

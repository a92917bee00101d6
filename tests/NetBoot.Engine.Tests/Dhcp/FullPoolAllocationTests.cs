using NetBoot.Configuration.Model;
using NetBoot.Engine.Dhcp;
using NetBoot.Engine.Leases;
using NetBoot.Wire.Net;

namespace NetBoot.Engine.Tests.Dhcp;

/// <summary>A full pool under a flood of new clients: the first DISCOVER scans the range and finds nothing; the next
/// ones are answered from the allocator's note without a scan, until the table changes, a holder's time is up, or the
/// configuration or the server's address changes. The engine only reads the notes (the view stays read-only): each
/// allocation returns what it found full, and the test keeps the notes as the host does.</summary>
public class FullPoolAllocationTests
{
    /// <summary>The host's notes (<see cref="PoolFullNotes"/>), under configuration generation <see cref="Generation"/>.</summary>
    private PoolFullNotes _notes = PoolFullNotes.None;

    private long Generation { get; set; } = 1;

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

    private IPv4Address? Allocate(ILeaseView view, int client, DateTimeOffset now, IPv4Address? server = null)
    {
        var context = new AllocationContext(view, new ClientKey($"hw:new{client}"), now, Config, server ?? Server) { PoolFull = _notes.For(Generation) };
        var address = AddressAllocator.Allocate([Range], context, [2, 0, 0, 0, 2, (byte)client], sequential: false, out var full);
        _notes = _notes.With(Generation, full);
        return address;
    }

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
    public void A_full_range_is_reported_in_the_outcome_and_the_view_is_not_written()
    {
        var view = FullTable(Now.AddMinutes(30));
        var versionBefore = view.Version;

        var context = new AllocationContext(view, new ClientKey("hw:new1"), Now, Config, Server);
        Assert.Null(AddressAllocator.Allocate([Range], context, [2, 0, 0, 0, 2, 1], sequential: false, out var full));

        var note = Assert.Single(full);
        Assert.Equal(new PoolFull(Range.Range.Start, Range.Range.End, Server, versionBefore!.Value, Now.AddMinutes(30)), note);
        Assert.Equal(versionBefore, view.Version);
    }

    [Fact]
    public void A_view_without_a_version_gets_no_note_and_scans_each_time()
    {
        var counted = FullTable(Now.AddMinutes(30));
        var view = new UnversionedView(counted);

        Assert.Null(Allocate(view, 1, Now));
        var afterFirst = counted.AddressLookups;
        Assert.Null(Allocate(view, 2, Now));

        Assert.True(_notes.Notes.IsEmpty);
        Assert.True(counted.AddressLookups > afterFirst, "without a version a note could outlive a change: none is kept");
    }

    [Fact]
    public void A_new_configuration_or_server_address_is_not_answered_from_an_old_note()
    {
        var view = FullTable(Now.AddMinutes(30));
        Assert.Null(Allocate(view, 1, Now));
        var afterFirst = view.AddressLookups;

        Generation++;
        Assert.Null(Allocate(view, 2, Now));
        Assert.True(view.AddressLookups > afterFirst, "a reloaded configuration (a new generation) scans again");
        var afterReload = view.AddressLookups;
        Assert.Null(Allocate(view, 3, Now, server: IPv4Address.Parse("10.79.0.2")));
        Assert.True(view.AddressLookups > afterReload, "a new server address scans again");
    }

    private sealed class UnversionedView(CountingView inner) : ILeaseView
    {
        public Lease? ByClient(ClientKey client) => inner.ByClient(client);

        public Lease? ByAddress(IPv4Address address) => inner.ByAddress(address);

        public int ActiveCount(DateTimeOffset now) => inner.ActiveCount(now);
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

        public long? Version => table.Version;
    }
}

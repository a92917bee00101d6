using NetBoot.Engine;
using NetBoot.Leases;
using Xunit;
using NetBoot.Engine.Leases;
using NetBoot.Wire.Net;

namespace NetBoot.Testing;

/// <summary>The lease store contract (DESIGN: one suite, both stores; SQLite in NetBoot.Leases.Tests, every unit run,
/// PostgreSQL in NetBoot.Leases.Postgres.Tests): decisions see each other's changes at once,
/// acknowledged leases survive reopening, offers are not persisted, releases and expiry are durable, subscribers hear
/// of changes once they are durable.</summary>
public abstract class LeaseStoreContractTests
{
    public static readonly DateTimeOffset Now = DateTimeOffset.FromUnixTimeMilliseconds(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());

    /// <summary>Opens the store on the same backing database every time it is called.</summary>
    protected abstract Task<ILeaseStore> OpenAsync();

    public static Lease LeaseFor(int n, LeaseState state = LeaseState.Bound, DateTimeOffset? expires = null) => new(
        new IPv4Address(0x0A4D0000u + (uint)n),
        new ClientKey($"hw:01525400{n:x6}"),
        HardwareAddress.Ethernet([0x52, 0x54, 0, (byte)(n >> 16), (byte)(n >> 8), (byte)n]),
        [],
        $"host{n}",
        expires ?? Now + TimeSpan.FromHours(1),
        state);

    public static DhcpOutcome Bind(Lease lease) =>
        new(new NoReply(NoReplyReason.Recorded), new LeaseUpsert(lease, LeaseEvent.Add) { MustBeDurableBeforeReply = true });

    /// <summary>A bind that replaces <paramref name="replaced"/> (another identity of the same machine).</summary>
    public static DhcpOutcome TakeOver(Lease lease, Lease replaced) =>
        new(new NoReply(NoReplyReason.Recorded), new LeaseUpsert(lease, LeaseEvent.Old) { MustBeDurableBeforeReply = true, Replaces = [replaced] });

    [Fact]
    public async Task A_take_over_and_the_lease_it_replaces_elsewhere_survive_reopening_as_one_lease()
    {
        var before = LeaseFor(8);
        var after = LeaseFor(9) with { Client = new ClientKey("id:ff0102"), ClientId = [0xff, 0x01, 0x02] };
        var other = LeaseFor(10);
        var heir = LeaseFor(10) with { Client = new ClientKey("id:0152540000000a"), ClientId = [0x01, 0x52, 0x54, 0, 0, 0, 0x0a] };
        await using (var store = await OpenAsync())
        {
            await store.Execute(_ => Bind(before)).Durable;
            await store.Execute(_ => Bind(other)).Durable;
            await store.Execute(_ => TakeOver(after, before)).Durable;  // moved: the old address goes
            await store.Execute(_ => TakeOver(heir, other)).Durable;    // same address, new identity
        }

        await using var reopened = await OpenAsync();
        Assert.Equal([(after.Address, after.Client), (heir.Address, heir.Client)],
            reopened.Snapshot().Select(l => (l.Address, l.Client)).ToArray());
    }

    public static DhcpOutcome Release(Lease lease) =>
        new(new NoReply(NoReplyReason.Recorded), new LeaseRemoval(lease, LeaseEvent.Del));

    [Fact]
    public async Task Acknowledged_leases_survive_reopening()
    {
        await using (var store = await OpenAsync())
        {
            await store.Execute(_ => Bind(LeaseFor(1))).Durable;
            await store.Execute(_ => Bind(LeaseFor(2) with { Expires = DateTimeOffset.MaxValue })).Durable;
        }

        await using var reopened = await OpenAsync();
        var leases = reopened.Snapshot();
        Assert.Equal([LeaseFor(1).Address, LeaseFor(2).Address], leases.Select(l => l.Address).ToArray());
        Assert.True(leases[1].IsInfinite);
        var expected = LeaseFor(1);
        Assert.Equal((expected.Client, expected.HardwareAddress, expected.HostName, expected.Expires, expected.State),
            (leases[0].Client, leases[0].HardwareAddress, leases[0].HostName, leases[0].Expires, leases[0].State));
        Assert.Empty(leases[0].ClientId);
    }

    [Fact]
    public async Task The_next_decision_sees_the_previous_change_before_it_is_durable()
    {
        await using var store = await OpenAsync();

        var first = store.Execute(_ => Bind(LeaseFor(1)));
        Lease? seen = null;
        store.Execute(view =>
        {
            seen = view.ByAddress(LeaseFor(1).Address);
            return new DhcpOutcome(new NoReply(NoReplyReason.Recorded));
        });
        await first.Durable;

        Assert.Equal(LeaseFor(1), seen);
    }

    [Fact]
    public async Task A_lease_in_any_state_makes_its_client_known_and_the_question_changes_nothing()
    {
        await using var store = await OpenAsync();
        var offered = LeaseFor(4, LeaseState.Offered);
        var expired = LeaseFor(5, expires: Now - TimeSpan.FromMinutes(1));
        store.Execute(_ => Bind(offered));
        await store.Execute(_ => Bind(expired)).Durable;

        Assert.True(store.HasLease(new ClientIdentity(offered.HardwareAddress, [])));
        Assert.True(store.HasLease(new ClientIdentity(expired.HardwareAddress, [])));
        Assert.False(store.HasLease(new ClientIdentity(LeaseFor(6).HardwareAddress, [])));
        Assert.Equal(2, store.Snapshot().Count);
    }

    [Fact]
    public async Task Offers_are_held_in_memory_only()
    {
        await using (var store = await OpenAsync())
        {
            var offer = store.Execute(_ => Bind(LeaseFor(3, LeaseState.Offered)));
            Assert.True(offer.Durable.IsCompletedSuccessfully);
            Assert.Equal(LeaseState.Offered, store.Snapshot().Single().State);
            await store.FlushAsync();
        }

        await using var reopened = await OpenAsync();
        Assert.Empty(reopened.Snapshot());
    }

    [Fact]
    public async Task A_client_holds_one_address_and_a_release_is_durable()
    {
        await using (var store = await OpenAsync())
        {
            await store.Execute(_ => Bind(LeaseFor(4))).Durable;
            // The same client moves to another address: its first lease goes.
            await store.Execute(_ => Bind(LeaseFor(4) with { Address = LeaseFor(5).Address })).Durable;
            await store.Execute(_ => Bind(LeaseFor(6))).Durable;
            await store.Execute(_ => Release(LeaseFor(6))).Durable;
        }

        await using var reopened = await OpenAsync();
        Assert.Equal([LeaseFor(5).Address], reopened.Snapshot().Select(l => l.Address).ToArray());
    }

    [Fact]
    public async Task Expired_leases_are_removed_durably_and_reported()
    {
        await using (var store = await OpenAsync())
        {
            await store.Execute(_ => Bind(LeaseFor(7, expires: Now + TimeSpan.FromMinutes(1)))).Durable;
            await store.Execute(_ => Bind(LeaseFor(8))).Durable;
            var expired = store.Expire(Now + TimeSpan.FromMinutes(2));
            Assert.Equal([LeaseFor(7).Address], expired.Select(l => l.Address).ToArray());
            await store.FlushAsync();
        }

        await using var reopened = await OpenAsync();
        Assert.Equal([LeaseFor(8).Address], reopened.Snapshot().Select(l => l.Address).ToArray());
    }

    [Fact]
    public async Task Subscribers_hear_of_changes_once_durable()
    {
        await using var store = await OpenAsync();
        var changes = store.Subscribe();

        var decision = store.Execute(_ => Bind(LeaseFor(9)));
        await decision.Durable;

        var change = Assert.IsType<LeaseUpsert>(await changes.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Equal(LeaseFor(9), change.Lease);
    }
}

using NetBoot.Engine.Dhcp6;
using NetBoot.Leases;
using NetBoot.Wire.Dhcp6;
using NetBoot.Wire.Net;
using Xunit;

namespace NetBoot.Testing;

/// <summary>The IPv6 lease store contract, for every <see cref="IIpv6LeaseStore"/> (memory and SQLite in
/// NetBoot.Leases.Tests, PostgreSQL in NetBoot.Leases.Postgres.Tests): decisions see each other's changes at once, an
/// IA_NA may hold several addresses and a removal takes only its holder's, expiry reports and removes, the server DUID is
/// made once and replaced when asked. <see cref="PersistentIpv6LeaseStoreContractTests"/> adds what a store on disk
/// owes.</summary>
public abstract class Ipv6LeaseStoreContractTests
{
    public static readonly DateTimeOffset Now = DateTimeOffset.FromUnixTimeMilliseconds(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());

    /// <summary>Opens the store on the same backing database every time it is called (a fresh one per test).</summary>
    protected abstract Task<IIpv6LeaseStore> OpenAsync();

    public static Duid DuidFor(int n) => Duid.LinkLayer(HardwareAddress.Ethernet([0x52, 0x54, 0, (byte)(n >> 16), (byte)(n >> 8), (byte)n]));

    public static IPv6Address AddressFor(int n) => new(IPv6Address.Parse("2001:db8:4d::").Value + (UInt128)n);

    public static Ipv6Lease LeaseFor(int n, uint iaid = 1, Ipv6LeaseState state = Ipv6LeaseState.Bound, DateTimeOffset? expires = null, int? client = null) => new(
        DuidFor(client ?? n), iaid, AddressFor(n), TimeSpan.FromMinutes(30), TimeSpan.FromHours(1), expires ?? Now + TimeSpan.FromHours(1), state);

    public static Dhcp6Outcome Outcome(params Ipv6LeaseChange[] changes) =>
        new(new Dhcp6Drop(Dhcp6DropReason.NotAClientMessage, new Dhcp6Silence(Dhcp6SilenceReason.NoDecision)), [.. changes]);

    public static Dhcp6Outcome Bind(params Ipv6Lease[] leases) => Outcome([.. leases.Select(l => new Ipv6LeaseUpsert(l))]);

    public static Dhcp6Outcome Release(params Ipv6Lease[] leases) => Outcome([.. leases.Select(l => new Ipv6LeaseRemoval(l))]);

    [Fact]
    public async Task A_bind_is_applied_at_once_and_its_durable_task_completes()
    {
        await using var store = await OpenAsync();

        var decision = store.Execute(_ => Bind(LeaseFor(1)));
        await decision.Durable;

        Assert.Single(decision.Outcome.Changes);
        Assert.Equal([LeaseFor(1)], store.Snapshot());
    }

    [Fact]
    public async Task A_deferred_commit_calls_back_once_every_change_decided_before_it_is_durable()
    {
        await using var store = await OpenAsync();
        var batch = Enumerable.Range(1, 16).Select(n => store.ExecuteDeferred(_ => Bind(LeaseFor(n))).Durable).ToArray();
        var settled = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);

        // What the DHCPv6 receive loop does once per batch: its REPLYs leave from this callback.
        store.CommitDeferred(() => settled.SetResult(batch.All(t => t.IsCompletedSuccessfully)));

        Assert.True(await settled.Task);
        Assert.Equal(16, store.Snapshot().Count);
    }

    [Fact]
    public async Task The_next_decision_sees_the_previous_change_before_it_is_durable()
    {
        await using var store = await OpenAsync();

        var first = store.Execute(_ => Bind(LeaseFor(1)));
        Ipv6Lease? seen = null;
        store.Execute(view =>
        {
            seen = view.ByAddress(AddressFor(1));
            return Outcome();
        });
        await first.Durable;

        Assert.Equal(LeaseFor(1), seen);
    }

    [Fact]
    public async Task An_ia_na_holds_several_addresses_and_a_removal_takes_only_its_holders_lease()
    {
        await using var store = await OpenAsync();
        var second = LeaseFor(2, client: 1);
        await store.Execute(_ => Bind(LeaseFor(1), second, LeaseFor(3, iaid: 7, client: 1))).Durable;

        // Another IAID of the same DUID, and another DUID, do not remove the address.
        await store.Execute(_ => Release(LeaseFor(1) with { Iaid = 7 }, second with { Duid = DuidFor(9) })).Durable;
        IReadOnlyList<Ipv6Lease> held = [];
        store.Execute(view =>
        {
            held = [.. view.ByClient(DuidFor(1), 1)];
            return Outcome();
        });
        Assert.Equal([LeaseFor(1), second], held);

        await store.Execute(_ => Release(second)).Durable;
        Assert.Equal([AddressFor(1), AddressFor(3)], store.Snapshot().Select(l => l.Address).ToArray());
    }

    [Fact]
    public async Task Expired_leases_of_every_state_are_removed_and_reported()
    {
        await using var store = await OpenAsync();
        await store.Execute(_ => Bind(LeaseFor(1, expires: Now + TimeSpan.FromMinutes(1)), LeaseFor(2),
            LeaseFor(3, state: Ipv6LeaseState.Declined, expires: Now + TimeSpan.FromMinutes(1)))).Durable;
        store.Execute(_ => Bind(LeaseFor(4, state: Ipv6LeaseState.Offered, expires: Now + TimeSpan.FromMinutes(1))));

        var expired = store.Expire(Now + TimeSpan.FromMinutes(2));
        await store.FlushAsync();

        Assert.Equal([AddressFor(1), AddressFor(3), AddressFor(4)], expired.Select(l => l.Address).Order().ToArray());
        Assert.Equal([AddressFor(2)], store.Snapshot().Select(l => l.Address).ToArray());
    }

    [Fact]
    public async Task The_server_duid_is_made_once_and_replaced_only_when_asked()
    {
        await using var store = await OpenAsync();
        var made = 0;

        var first = store.ServerDuid("server-a", () => { made++; return DuidFor(100); }, replace: false);
        var again = store.ServerDuid("server-a", () => { made++; return DuidFor(101); }, replace: false);
        var other = store.ServerDuid("server-b", () => DuidFor(102), replace: false);
        var replaced = store.ServerDuid("server-a", () => DuidFor(103), replace: true);

        Assert.Equal((DuidFor(100), DuidFor(100), 1), (first, again, made));
        Assert.Equal(DuidFor(102), other);
        Assert.Equal(DuidFor(103), replaced);
        Assert.Equal(DuidFor(103), store.ServerDuid("server-a", () => DuidFor(104), replace: false));
    }
}

/// <summary>What a store on disk owes beyond <see cref="Ipv6LeaseStoreContractTests"/>: once <c>Durable</c> completes, the
/// lease survives reopening, a crash (the first store never disposed) included; offers are not written; removals and
/// expiry are durable; the server DUID and its replacement survive.</summary>
public abstract class PersistentIpv6LeaseStoreContractTests : Ipv6LeaseStoreContractTests
{
    [Fact]
    public async Task Bound_and_declined_leases_survive_reopening_with_every_field()
    {
        var infinite = LeaseFor(2, iaid: uint.MaxValue, expires: DateTimeOffset.MaxValue) with { PreferredLifetime = TimeSpan.MaxValue, ValidLifetime = TimeSpan.MaxValue };
        await using (var store = await OpenAsync())
        {
            await store.Execute(_ => Bind(LeaseFor(1), infinite, LeaseFor(3, state: Ipv6LeaseState.Declined))).Durable;
        }

        await using var reopened = await OpenAsync();
        Assert.Equal([LeaseFor(1), infinite, LeaseFor(3, state: Ipv6LeaseState.Declined)], reopened.Snapshot());
    }

    [Fact]
    public async Task A_batch_committed_by_a_deferred_commit_survives_a_crash()
    {
        var crashed = await OpenAsync();
        var batch = Enumerable.Range(1, 16).Select(n => crashed.ExecuteDeferred(_ => Bind(LeaseFor(n))).Durable).ToArray();
        var committed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        crashed.CommitDeferred(committed.SetResult);
        await committed.Task;
        await Task.WhenAll(batch);

        // Opened again while the first store was never disposed (its process died right after the batch's REPLYs).
        await using (var reopened = await OpenAsync())
        {
            Assert.Equal(Enumerable.Range(1, 16).Select(n => LeaseFor(n)), reopened.Snapshot());
        }
        await crashed.DisposeAsync();
    }

    [Fact]
    public async Task A_durable_lease_survives_a_crash()
    {
        var crashed = await OpenAsync();
        await crashed.Execute(_ => Bind(LeaseFor(1))).Durable;
        await crashed.Execute(_ => Bind(LeaseFor(1) with { Expires = Now + TimeSpan.FromHours(2) })).Durable;

        // Opened again while the first store was never disposed (its process died after the REPLY).
        await using (var reopened = await OpenAsync())
        {
            Assert.Equal([LeaseFor(1) with { Expires = Now + TimeSpan.FromHours(2) }], reopened.Snapshot());
        }
        await crashed.DisposeAsync();
    }

    [Fact]
    public async Task Offers_are_held_in_memory_only()
    {
        await using (var store = await OpenAsync())
        {
            var offer = store.Execute(_ => Bind(LeaseFor(1, state: Ipv6LeaseState.Offered)));
            Assert.True(offer.Durable.IsCompletedSuccessfully);
            Assert.Equal(Ipv6LeaseState.Offered, store.Snapshot().Single().State);
            await store.FlushAsync();
        }

        await using var reopened = await OpenAsync();
        Assert.Empty(reopened.Snapshot());
    }

    [Fact]
    public async Task Releases_and_expiry_are_durable()
    {
        await using (var store = await OpenAsync())
        {
            await store.Execute(_ => Bind(LeaseFor(1), LeaseFor(2), LeaseFor(3, expires: Now + TimeSpan.FromMinutes(1)))).Durable;
            await store.Execute(_ => Release(LeaseFor(1))).Durable;
            Assert.Equal([AddressFor(3)], store.Expire(Now + TimeSpan.FromMinutes(2)).Select(l => l.Address).ToArray());
            await store.FlushAsync();
        }

        await using var reopened = await OpenAsync();
        Assert.Equal([LeaseFor(2)], reopened.Snapshot());
    }

    [Fact]
    public async Task The_server_duid_and_its_replacement_survive_reopening()
    {
        await using (var store = await OpenAsync())
        {
            store.ServerDuid("server-a", () => DuidFor(100), replace: false);
        }
        await using (var store = await OpenAsync())
        {
            Assert.Equal(DuidFor(100), store.ServerDuid("server-a", () => DuidFor(101), replace: false));
            store.ServerDuid("server-a", () => DuidFor(102), replace: true);
        }

        await using var reopened = await OpenAsync();
        Assert.Equal(DuidFor(102), reopened.ServerDuid("server-a", () => DuidFor(103), replace: false));
    }
}

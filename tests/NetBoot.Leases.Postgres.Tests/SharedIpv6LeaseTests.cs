using Microsoft.Extensions.Logging.Abstractions;
using NetBoot.Engine.Dhcp6;
using NetBoot.Testing;
using static NetBoot.Testing.Ipv6LeaseStoreContractTests;

namespace NetBoot.Leases.Postgres.Tests;

/// <summary>The IPv6 lease store contract (<see cref="PersistentIpv6LeaseStoreContractTests"/>) for the shared
/// PostgreSQL store.</summary>
[Trait("Category", "Namespace")]
[Collection(PostgresCollection.Name)]
public sealed class PostgresIpv6LeaseStoreContractTests(PostgresFixture postgres) : PersistentIpv6LeaseStoreContractTests
{
    private readonly string _database = postgres.NewDatabase();

    protected override async Task<IIpv6LeaseStore> OpenAsync() => await postgres.OpenIpv6StoreAsync(_database);
}

/// <summary>What only a shared IPv6 store must do: two servers never make one address durable for two clients, a bind of
/// an address another server's client holds fails (no REPLY) and refreshes the view, other servers' commits reach the
/// view, expiry spares a lease renewed elsewhere, and leasing pauses while the database is out of reach.</summary>
[Trait("Category", "Namespace")]
[Collection(PostgresCollection.Name)]
public sealed class SharedIpv6LeaseTests(PostgresFixture postgres)
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(15);

    private static string Hex(byte[] bytes) => "\\x" + Convert.ToHexStringLower(bytes);

    [Fact]
    public async Task Two_servers_binding_the_same_addresses_to_different_clients_make_each_durable_for_one_only()
    {
        var database = postgres.NewDatabase();
        await using var first = await postgres.OpenIpv6StoreAsync(database);
        await using var second = await postgres.OpenIpv6StoreAsync(database);
        const int Count = 40;

        // Each server decides alone (neither has heard of the other's binds yet): both hand out every address.
        var mine = Enumerable.Range(1, Count).Select(n => first.Execute(_ => Bind(LeaseFor(n, client: 1000 + n)))).ToList();
        var theirs = Enumerable.Range(1, Count).Select(n => second.Execute(_ => Bind(LeaseFor(n, client: 2000 + n)))).ToList();
        var outcomes = await Task.WhenAll(mine.Concat(theirs).Select(async d =>
        {
            try
            {
                await d.Durable;
                return true;
            }
            catch (LeaseConflictException)
            {
                return false;
            }
        }));

        for (var n = 1; n <= Count; n++)
        {
            var (firstWon, secondWon) = (outcomes[n - 1], outcomes[Count + n - 1]);
            Assert.True(firstWon ^ secondWon, $"address {n}: durable for {(firstWon ? "both" : "neither")}");
            var holder = postgres.Server.Sql($"SELECT duid FROM netboot_leases6 WHERE address = '{Hex(AddressFor(n).ToBytes())}'", database);
            Assert.Equal(Hex(DuidFor(firstWon ? 1000 + n : 2000 + n).Bytes.ToArray()), holder);
        }
        Assert.Equal(Count.ToString(System.Globalization.CultureInfo.InvariantCulture), postgres.Server.Sql("SELECT count(*) FROM netboot_leases6", database));
    }

    [Fact]
    public async Task A_bind_of_an_address_another_servers_client_holds_fails_and_refreshes_the_view()
    {
        var database = postgres.NewDatabase();
        await using var store = await postgres.OpenIpv6StoreAsync(database);
        // Another server's commit this one has not heard of (written behind its back, no notification).
        postgres.Server.Sql($"""
            INSERT INTO netboot_leases6 (address, duid, iaid, preferred, valid, expires, state, updated_by)
            VALUES ('{Hex(AddressFor(2).ToBytes())}', '{Hex(DuidFor(99).Bytes.ToArray())}', 5, 0, 0, {(Now + TimeSpan.FromHours(1)).ToUnixTimeMilliseconds()}, 1, 'other')
            """, database);

        var mine = store.Execute(_ => Bind(LeaseFor(2)));

        await Assert.ThrowsAsync<LeaseConflictException>(() => mine.Durable);
        await Eventually(() => store.Snapshot().SingleOrDefault()?.Duid == DuidFor(99));
        Assert.Equal(Hex(DuidFor(99).Bytes.ToArray()), postgres.Server.Sql($"SELECT duid FROM netboot_leases6 WHERE address = '{Hex(AddressFor(2).ToBytes())}'", database));
    }

    [Fact]
    public async Task A_lease_bound_by_one_server_reaches_the_others_view_and_either_can_release_it()
    {
        var database = postgres.NewDatabase();
        await using var first = await postgres.OpenIpv6StoreAsync(database);
        await using var second = await postgres.OpenIpv6StoreAsync(database);

        await first.Execute(_ => Bind(LeaseFor(1))).Durable;
        await Eventually(() => second.Snapshot().Contains(LeaseFor(1)));

        await second.Execute(_ => Release(LeaseFor(1))).Durable;
        await Eventually(() => first.Snapshot().Count == 0);
        Assert.Equal("0", postgres.Server.Sql("SELECT count(*) FROM netboot_leases6", database));
    }

    [Fact]
    public async Task Expiry_spares_a_lease_another_server_renewed()
    {
        var database = postgres.NewDatabase();
        await using var store = await postgres.OpenIpv6StoreAsync(database);
        await store.Execute(_ => Bind(LeaseFor(3, expires: Now + TimeSpan.FromMinutes(1)))).Durable;
        var renewed = (Now + TimeSpan.FromHours(2)).ToUnixTimeMilliseconds();
        postgres.Server.Sql($"UPDATE netboot_leases6 SET expires = {renewed}", database);

        store.Expire(Now + TimeSpan.FromMinutes(5));
        await store.FlushAsync();

        Assert.Equal(renewed.ToString(System.Globalization.CultureInfo.InvariantCulture), postgres.Server.Sql("SELECT expires FROM netboot_leases6", database));
    }

    [Fact]
    public async Task Without_the_database_dhcpv6_leasing_pauses_and_resumes_when_it_is_back()
    {
        var database = postgres.NewDatabase();
        var log = new ListLogger();
        await using var store = await postgres.OpenIpv6StoreAsync(database, log);
        await store.Execute(_ => Bind(LeaseFor(10))).Durable;

        postgres.Server.Stop();
        try
        {
            // The first bind after the outage cannot be made durable: its REPLY must not leave.
            await Assert.ThrowsAnyAsync<Exception>(() => store.Execute(_ => Bind(LeaseFor(11))).Durable);
            Assert.False(store.IsAvailable);
            Assert.Single(log.Lines, l => l.Contains("unavailable for IPv6 leases", StringComparison.Ordinal));
            // Then no ADVERTISE (its hold) and no REPLY that binds, until the database is back.
            for (var n = 0; n < 20; n++)
            {
                AssertPaused(store.Execute(_ => Bind(LeaseFor(13, state: Ipv6LeaseState.Offered))));
                AssertPaused(store.Execute(_ => Bind(LeaseFor(12))));
            }
            Assert.DoesNotContain(store.Snapshot(), l => l.Address == AddressFor(12) || l.Address == AddressFor(13));
            Assert.Single(log.Lines, l => l.StartsWith("DHCP paused", StringComparison.Ordinal));
            // A decision without lease changes or addresses (INFORMATION-REQUEST) goes on.
            var inform = store.Execute(_ => Outcome());
            Assert.IsType<Dhcp6Drop>(inform.Outcome.Decision);
            Assert.Equal(Dhcp6DropReason.NotAClientMessage, ((Dhcp6Drop)inform.Outcome.Decision).Reason);
        }
        finally
        {
            postgres.Server.StartCluster();
        }

        await Eventually(() => store.IsAvailable);
        Assert.Contains(log.Lines, l => l.Contains("reachable again; IPv6 leases reloaded", StringComparison.Ordinal));
        // The reload put the view back to the table: the bind that was never durable is gone.
        Assert.Equal([LeaseFor(10)], store.Snapshot());
        await store.Execute(_ => Bind(LeaseFor(12))).Durable;
        Assert.Equal("2", postgres.Server.Sql("SELECT count(*) FROM netboot_leases6", database));
    }

    [Fact]
    public async Task A_server_started_while_the_database_is_down_waits_for_it_then_loads_the_table_and_stores_its_duid()
    {
        var database = postgres.NewDatabase();
        await using (var other = await postgres.OpenIpv6StoreAsync(database))
        {
            await other.Execute(_ => Bind(LeaseFor(20))).Durable;
        }
        PostgresIpv6LeaseStore store;
        postgres.Server.Stop();
        try
        {
            store = await PostgresIpv6LeaseStore.OpenOrWaitAsync(PostgresConnection.CreateDataSource(postgres.Server.ConnectionString(database)), database,
                NullLogger.Instance, TimeProvider.System, migrate: true, CancellationToken.None);
            Assert.False(store.IsAvailable);
            AssertPaused(store.Execute(_ => Bind(LeaseFor(21))));
            // The server DUID cannot be read: the new one serves now and is stored once the database is back.
            Assert.Equal(DuidFor(300), store.ServerDuid("server-a", () => DuidFor(300), replace: false));
        }
        finally
        {
            postgres.Server.StartCluster();
        }
        await using (store)
        {
            await Eventually(() => store.IsAvailable);
            Assert.Equal([LeaseFor(20)], store.Snapshot());
            await store.Execute(_ => Bind(LeaseFor(21))).Durable;
            await Eventually(() => postgres.Server.Sql("SELECT count(*) FROM netboot_server_duids", database) == "1");
            Assert.Equal(DuidFor(300), store.ServerDuid("server-a", () => DuidFor(301), replace: false));
        }
    }

    private static void AssertPaused(Ipv6LeaseDecision decision)
    {
        Assert.Empty(decision.Outcome.Changes);
        Assert.Equal(Dhcp6DropReason.LeaseStoreUnavailable, Assert.IsType<Dhcp6Drop>(decision.Outcome.Decision).Reason);
        Assert.True(decision.Durable.IsCompletedSuccessfully);
    }

    /// <summary>Polls a condition that another process makes true (a notification, a reconnect), within a bound.</summary>
    private static async Task Eventually(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "condition not met within " + Patience);
            await Task.Delay(50);
        }
    }
}

using NetBoot.Configuration.Model;
using NetBoot.Engine;
using NetBoot.Engine.Leases;
using NetBoot.Wire.Net;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using static NetBoot.Testing.LeaseStoreContractTests;

namespace NetBoot.Leases.Postgres.Tests;

/// <summary>What only a shared store must do: two servers on one database see each other's leases, the table refuses
/// an address another server's client holds (no ACK), expiry spares a lease renewed elsewhere, and an outage fails
/// new leases until the database is back.</summary>
[Trait("Category", "Namespace")]
[Collection(PostgresCollection.Name)]
public sealed class SharedLeaseTests(PostgresFixture postgres)
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(15);

    [Fact]
    public async Task A_lease_bound_by_one_server_reaches_the_others_view_and_either_can_release_it()
    {
        var database = postgres.NewDatabase();
        await using var first = await postgres.OpenStoreAsync(database);
        await using var second = await postgres.OpenStoreAsync(database);

        await first.Execute(_ => Bind(LeaseFor(1))).Durable;
        await Eventually(() => second.Snapshot().Any(l => l.Address == LeaseFor(1).Address));

        await second.Execute(_ => Release(LeaseFor(1))).Durable;
        await Eventually(() => first.Snapshot().Count == 0);
        Assert.Equal("0", postgres.Server.Sql("SELECT count(*) FROM netboot_leases", database));
    }

    [Fact]
    public async Task A_bind_of_an_address_another_client_holds_fails_and_refreshes_the_view()
    {
        var database = postgres.NewDatabase();
        await using var store = await postgres.OpenStoreAsync(database);
        var theirs = LeaseFor(2);
        // Another server's commit that this one has not heard of (written behind its back, no notification).
        postgres.Server.Sql($"""
            INSERT INTO netboot_leases (address, client, htype, hwaddr, client_id, hostname, expires, state, updated_by)
            VALUES ({theirs.Address.Value}, 'hw:01aabbccddeeff', 1, '\xaabbccddeeff', '', NULL, {(Now + TimeSpan.FromHours(1)).ToUnixTimeMilliseconds()}, 1, 'other')
            """, database);

        var mine = store.Execute(_ => Bind(theirs));

        await Assert.ThrowsAsync<LeaseConflictException>(() => mine.Durable);
        await Eventually(() => store.Snapshot().SingleOrDefault()?.Client.Value == "hw:01aabbccddeeff");
        Assert.Equal("hw:01aabbccddeeff", postgres.Server.Sql($"SELECT client FROM netboot_leases WHERE address = {theirs.Address.Value}", database));
    }

    [Fact]
    public async Task A_take_over_by_another_identity_of_the_machine_passes_but_a_real_second_holder_is_still_refused()
    {
        var database = postgres.NewDatabase();
        await using var store = await postgres.OpenStoreAsync(database);
        var address = LeaseFor(4).Address;
        // iPXE's lease (option 61 = 01:MAC), committed by another server this one has not heard of.
        postgres.Server.Sql($"""
            INSERT INTO netboot_leases (address, client, htype, hwaddr, client_id, hostname, expires, state, updated_by)
            VALUES ({address.Value}, 'id:01525400790081', 1, '\x525400790081', '\x01525400790081', NULL, {(Now + TimeSpan.FromHours(1)).ToUnixTimeMilliseconds()}, 1, 'other')
            """, database);
        var ipxe = LeaseFor(4) with { Client = new ClientKey("id:01525400790081"), ClientId = [0x01, 0x52, 0x54, 0x00, 0x79, 0x00, 0x81] };
        var networkd = LeaseFor(4) with { Client = new ClientKey("id:ff9a1b2c3d"), ClientId = [0xff, 0x9a, 0x1b, 0x2c, 0x3d] };
        var stranger = LeaseFor(4) with { Client = new ClientKey("hw:01020000000009") };

        // A write naming another holder than the real one is refused: only the named identity may be replaced.
        var refused = store.Execute(_ => TakeOver(stranger, LeaseFor(5)));
        await Assert.ThrowsAsync<LeaseConflictException>(() => refused.Durable);

        var moved = store.Execute(_ => TakeOver(networkd, ipxe));
        await moved.Durable;

        Assert.Equal("id:ff9a1b2c3d", postgres.Server.Sql($"SELECT client FROM netboot_leases WHERE address = {address.Value}", database));
        Assert.Equal("1", postgres.Server.Sql("SELECT count(*) FROM netboot_leases", database));
    }

    [Fact]
    public async Task A_replaced_lease_on_another_address_is_removed_with_the_write()
    {
        var database = postgres.NewDatabase();
        await using var store = await postgres.OpenStoreAsync(database);
        var before = LeaseFor(6);
        await store.Execute(_ => Bind(before)).Durable;

        // The same machine now sends option 61 and is given another address: its lease under the old key goes.
        var after = LeaseFor(7) with { Client = new ClientKey("id:ff01"), ClientId = [0xff, 0x01] };
        await store.Execute(_ => TakeOver(after, before)).Durable;

        Assert.Equal(after.Address.Value.ToString(System.Globalization.CultureInfo.InvariantCulture), postgres.Server.Sql("SELECT address FROM netboot_leases", database));
        Assert.Equal(after.Address, Assert.Single(store.Snapshot()).Address);
    }

    [Fact]
    public async Task Two_servers_binding_the_same_addresses_to_different_clients_acknowledge_each_address_once()
    {
        var database = postgres.NewDatabase();
        await using var first = await postgres.OpenStoreAsync(database);
        await using var second = await postgres.OpenStoreAsync(database);
        const int Addresses = 200;

        // Each server binds every address to its own client, as two servers with stale views would.
        var attempts = Enumerable.Range(0, Addresses).SelectMany(n => new[]
        {
            first.Execute(_ => Bind(LeaseFor(n))).Durable,
            second.Execute(_ => Bind(LeaseFor(n) with { Client = new ClientKey($"hw:02{n:x12}") })).Durable,
        }).ToArray();
        var outcomes = await Task.WhenAll(attempts.Select(async t =>
        {
            try
            {
                await t;
                return true;
            }
            catch (LeaseConflictException)
            {
                return false;
            }
        }));

        Assert.Equal(Addresses, outcomes.Count(ok => ok));
        Assert.Equal(Addresses.ToString(), postgres.Server.Sql("SELECT count(DISTINCT address) FROM netboot_leases", database));
        for (var n = 0; n < Addresses; n++)
        {
            Assert.True(outcomes[2 * n] ^ outcomes[2 * n + 1], $"address {n}: exactly one server may acknowledge it");
        }
    }

    [Fact]
    public async Task Expiry_spares_a_lease_another_server_renewed()
    {
        var database = postgres.NewDatabase();
        await using var store = await postgres.OpenStoreAsync(database);
        var lease = LeaseFor(3, expires: Now + TimeSpan.FromMinutes(1));
        await store.Execute(_ => Bind(lease)).Durable;
        var renewed = (Now + TimeSpan.FromHours(2)).ToUnixTimeMilliseconds();
        postgres.Server.Sql($"UPDATE netboot_leases SET expires = {renewed} WHERE address = {lease.Address.Value}", database);

        store.Expire(Now + TimeSpan.FromMinutes(5));
        await store.FlushAsync();

        Assert.Equal(renewed.ToString(), postgres.Server.Sql($"SELECT expires FROM netboot_leases WHERE address = {lease.Address.Value}", database));
    }

    [Fact]
    public async Task Without_the_database_leasing_pauses_and_resumes_when_it_is_back()
    {
        var database = postgres.NewDatabase();
        var log = new ListLogger();
        await using var store = await postgres.OpenStoreAsync(database, logger: log);
        await store.Execute(_ => Bind(LeaseFor(10))).Durable;

        postgres.Server.Stop();
        try
        {
            // The notification connection drops at once; the first failed reconnection marks the store unavailable.
            await Eventually(() => !store.IsAvailable);
            Assert.Single(log.Lines, l => l.Contains("unavailable", StringComparison.Ordinal) && l.Contains("reconnecting with backoff", StringComparison.Ordinal));
            // Cut off from the database, the server makes no offer (new clients take another server's) and no ACK.
            for (var n = 0; n < 50; n++)
            {
                AssertPaused(store.Execute(_ => Bind(LeaseFor(13, LeaseState.Offered))));
                AssertPaused(store.Execute(_ => Bind(LeaseFor(11))));
            }
            Assert.DoesNotContain(store.Snapshot(), l => l.Address == LeaseFor(13).Address || l.Address == LeaseFor(11).Address);
            // Rate-limited: one summary line for the 100 refusals, not one per request.
            Assert.Single(log.Lines, l => l.StartsWith("DHCP paused", StringComparison.Ordinal));
            // A decision that needs no lease (proxy DHCP, PXE) is untouched.
            var proxy = store.Execute(_ => new DhcpOutcome(new NoReply(NoReplyReason.NotForUs)));
            Assert.Equal(NoReplyReason.NotForUs, Assert.IsType<NoReply>(proxy.Outcome.Decision).Reason);
        }
        finally
        {
            postgres.Server.StartCluster();
        }

        // The store reconnects by itself (backoff at most 10 s), without any request asking it to.
        await Eventually(() => store.IsAvailable);
        Assert.Contains(log.Lines, l => l.Contains("reachable again", StringComparison.Ordinal));
        await store.Execute(_ => Bind(LeaseFor(12))).Durable;
        Assert.Equal("2", postgres.Server.Sql($"SELECT count(*) FROM netboot_leases WHERE address IN ({LeaseFor(10).Address.Value}, {LeaseFor(12).Address.Value})", database));
    }

    [Fact]
    public async Task A_server_started_while_the_database_is_down_waits_for_it_then_migrates_and_loads_the_table()
    {
        var database = postgres.NewDatabase();
        await using (var other = await postgres.OpenStoreAsync(database))
        {
            await other.Execute(_ => Bind(LeaseFor(20))).Durable;
        }
        postgres.Server.Sql("DROP TABLE netboot_leases; DROP TABLE netboot_schema; DROP FUNCTION netboot_put_lease(bigint, text, smallint, bytea, bytea, text, bigint, smallint, bigint, text); DROP FUNCTION netboot_put_lease(bigint, text, smallint, bytea, bytea, text, bigint, smallint, bigint, text, text[])", database);
        var log = new ListLogger();
        PostgresLeaseStore store;
        postgres.Server.Stop();
        try
        {
            store = await PostgresLeaseStore.OpenOrWaitAsync(PostgresConnection.CreateDataSource(postgres.Server.ConnectionString(database)), database,
                log, TimeProvider.System, migrate: true, CancellationToken.None);
            Assert.False(store.IsAvailable);
            Assert.False(store.IsLoaded);
            Assert.Contains(log.Lines, l => l.Contains("unreachable at start", StringComparison.Ordinal) && l.Contains(database, StringComparison.Ordinal));
            // The view is empty because it was never loaded, not because the pool is free: no offer, no ACK, no NAK.
            AssertPaused(store.Execute(_ => Bind(LeaseFor(21, LeaseState.Offered))));
            AssertPaused(store.Execute(_ => Bind(LeaseFor(21))));
        }
        finally
        {
            postgres.Server.StartCluster();
        }
        await using (store)
        {
            await Eventually(() => store.IsLoaded && store.IsAvailable);
            Assert.Contains(log.Lines, l => l.Contains("schema migrated from version 0", StringComparison.Ordinal));
            await store.Execute(_ => Bind(LeaseFor(21))).Durable;
            Assert.Equal("1", postgres.Server.Sql($"SELECT count(*) FROM netboot_leases WHERE address = {LeaseFor(21).Address.Value}", database));
        }
    }

    [Fact]
    public async Task A_database_that_answers_but_cannot_be_used_still_fails_start_up()
    {
        var database = postgres.NewDatabase();
        await using var dataSource = PostgresConnection.CreateDataSource(postgres.Server.ConnectionString(database));
        // Reachable, but without the schema and not allowed to migrate: waiting would not help, so serve must say so.
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => PostgresLeaseStore.OpenOrWaitAsync(dataSource, database,
            NullLogger.Instance, TimeProvider.System, migrate: false, CancellationToken.None));
        Assert.Contains("netboot db migrate", error.Message, StringComparison.Ordinal);
        await using var missing = PostgresConnection.CreateDataSource(postgres.Server.ConnectionString("no_such_database"));
        await Assert.ThrowsAsync<PostgresException>(() => PostgresLeaseStore.OpenOrWaitAsync(missing, "no_such_database",
            NullLogger.Instance, TimeProvider.System, migrate: true, CancellationToken.None));
    }

    private static void AssertPaused(LeaseDecision decision)
    {
        Assert.Null(decision.Outcome.Change);
        Assert.Equal(NoReplyReason.LeaseStoreUnavailable, Assert.IsType<NoReply>(decision.Outcome.Decision).Reason);
        Assert.True(decision.Durable.IsCompletedSuccessfully);
    }

    [Fact]
    public async Task Migration_is_versioned_idempotent_and_required()
    {
        var database = postgres.NewDatabase();
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => postgres.OpenStoreAsync(database, migrate: false));
        Assert.Contains("netboot db migrate", error.Message, StringComparison.Ordinal);

        await using var dataSource = PostgresConnection.CreateDataSource(postgres.Server.ConnectionString(database));
        Assert.Equal((0, PostgresSchema.CurrentVersion), await PostgresSchema.MigrateAsync(dataSource, CancellationToken.None));
        Assert.Equal((PostgresSchema.CurrentVersion, PostgresSchema.CurrentVersion), await PostgresSchema.MigrateAsync(dataSource, CancellationToken.None));
        await using var store = await postgres.OpenStoreAsync(database, migrate: false);
        Assert.Empty(store.Snapshot());
    }

    [Fact]
    public async Task The_table_refuses_a_second_lease_for_one_address_or_one_client()
    {
        var database = postgres.NewDatabase();
        await using (await postgres.OpenStoreAsync(database))
        {
        }
        const string Insert = "INSERT INTO netboot_leases (address, client, htype, hwaddr, client_id, expires, state, updated_by) VALUES ";
        postgres.Server.Sql(Insert + "(1, 'a', 1, '', '', 0, 1, 't')", database);

        Assert.Throws<InvalidOperationException>(() => postgres.Server.Sql(Insert + "(1, 'b', 1, '', '', 0, 1, 't')", database));
        Assert.Throws<InvalidOperationException>(() => postgres.Server.Sql(Insert + "(2, 'a', 1, '', '', 0, 1, 't')", database));
    }

    private static Task Eventually(Func<bool> condition) => Eventually(() => Task.FromResult(condition()));

    /// <summary>Polls a condition that another process makes true (a notification, a reconnect), within a bound.</summary>
    private static async Task Eventually(Func<Task<bool>> condition)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "condition not met within " + Patience);
            await Task.Delay(50);
        }
    }
}

/// <summary>Keeps every formatted line, for tests that assert what an administrator would read.</summary>
internal sealed class ListLogger : ILogger
{
    private readonly System.Collections.Concurrent.ConcurrentQueue<string> _lines = new();

    public IReadOnlyList<string> Lines => [.. _lines];

    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
        _lines.Enqueue(formatter(state, exception));
}

[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class PasswordTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("netboot-pw-").FullName;

    private static readonly LeaseDatabaseConfig Config = new(LeaseDatabaseKind.Postgres, Host: "db", User: "netboot", Database: "netboot");

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void The_environment_gives_the_password_NetBoot_variable_first()
    {
        var environment = new Dictionary<string, string> { ["PGPASSWORD"] = "libpq", [PostgresConnection.PasswordVariable] = "mine" };
        Assert.Equal("mine", PostgresConnection.ResolvePassword(Config, environment.GetValueOrDefault, out var error));
        Assert.Null(error);
        environment.Remove(PostgresConnection.PasswordVariable);
        Assert.Equal("libpq", PostgresConnection.ResolvePassword(Config, environment.GetValueOrDefault, out _));
    }

    [Theory]
    [InlineData(UnixFileMode.GroupRead)]
    [InlineData(UnixFileMode.OtherRead)]
    [InlineData(UnixFileMode.GroupWrite)]
    [InlineData(UnixFileMode.OtherExecute)]
    public void A_password_file_open_to_group_or_others_is_refused_with_the_fix(UnixFileMode extra)
    {
        var file = PasswordFile(UnixFileMode.UserRead | UnixFileMode.UserWrite | extra);

        Assert.Null(PostgresConnection.ResolvePassword(Config with { PasswordFile = file }, _ => null, out var error));
        Assert.StartsWith(file + ":", error, StringComparison.Ordinal);
        Assert.Contains($"run chmod 600 {file}", error, StringComparison.Ordinal);
    }

    [Fact]
    public void A_password_file_of_mode_600_owned_by_the_running_user_is_read()
    {
        var file = PasswordFile(UnixFileMode.UserRead | UnixFileMode.UserWrite);

        Assert.Equal("secret", PostgresConnection.ResolvePassword(Config with { PasswordFile = file }, _ => null, out var error));
        Assert.Null(error);
        // Through a symbolic link too (the file it names is checked, as opening it would follow the link).
        var link = Path.Combine(_directory, "link");
        File.CreateSymbolicLink(link, file);
        Assert.Equal("secret", PostgresConnection.ResolvePassword(Config with { PasswordFile = link }, _ => null, out error));
        Assert.Null(error);
    }

    [Fact]
    public void A_missing_password_file_or_a_folder_is_refused_with_its_name()
    {
        var missing = Path.Combine(_directory, "missing");
        Assert.Null(PostgresConnection.ResolvePassword(Config with { PasswordFile = missing }, _ => null, out var error));
        Assert.StartsWith(missing + ": cannot read the password file", error, StringComparison.Ordinal);

        File.SetUnixFileMode(_directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        Assert.Null(PostgresConnection.ResolvePassword(Config with { PasswordFile = _directory }, _ => null, out error));
        Assert.Contains("not a regular file", error, StringComparison.Ordinal);
    }

    /// <summary>As root (CI runs this project as root): a file of another user is refused even with mode 600, since that
    /// user could change the password NetBoot presents.</summary>
    [Fact]
    [Trait("Category", "Namespace")]
    public void A_password_file_owned_by_another_user_is_refused_with_the_fix()
    {
        Assert.True(Environment.UserName == "root", "this test needs root (it gives the file to another user)");
        var file = PasswordFile(UnixFileMode.UserRead | UnixFileMode.UserWrite);
        NetBoot.Testing.Shell.Run("chown", "65534", file);

        Assert.Null(PostgresConnection.ResolvePassword(Config with { PasswordFile = file }, _ => null, out var error));
        Assert.Contains("owned by uid 65534", error, StringComparison.Ordinal);
        Assert.Contains($"run chown 0 {file}", error, StringComparison.Ordinal);

        NetBoot.Testing.Shell.Run("chown", "0", file);
        Assert.Equal("secret", PostgresConnection.ResolvePassword(Config with { PasswordFile = file }, _ => null, out error));
    }

    private string PasswordFile(UnixFileMode mode)
    {
        var file = Path.Combine(_directory, "db.password");
        File.WriteAllText(file, "secret\n");
        File.SetUnixFileMode(file, mode);
        return file;
    }
}

using Microsoft.Data.Sqlite;
using NetBoot.Engine;
using NetBoot.Engine.Leases;
using NetBoot.Testing;
using NetBoot.Wire.Net;

namespace NetBoot.Leases.Tests;

/// <summary>The IPv6 tables in the DHCPv4 lease file: a version-1 file gains them (schema version 3) and keeps its DHCPv4
/// leases, and both stores then share the file, each with its own connection.</summary>
public sealed class SqliteIpv6LeaseStoreTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("netboot-leases6-").FullName;

    private string DatabasePath => Path.Combine(_directory, "leases.sqlite");

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    /// <summary>Schema version 1 as SqliteLeaseSchema wrote it at d398cb1 (version 0's table, then step 0 → 1), verbatim.</summary>
    private const string VersionOne = """
        PRAGMA journal_mode=WAL;
        PRAGMA synchronous=FULL;
        CREATE TABLE IF NOT EXISTS leases (
            address INTEGER PRIMARY KEY,
            client TEXT NOT NULL,
            htype INTEGER NOT NULL,
            hwaddr BLOB NOT NULL,
            client_id BLOB NOT NULL,
            hostname TEXT,
            expires INTEGER NOT NULL,
            state INTEGER NOT NULL);
        DELETE FROM leases WHERE address NOT IN (SELECT max(address) FROM leases GROUP BY client);
        DROP INDEX IF EXISTS leases_client;
        CREATE UNIQUE INDEX leases_one_per_client ON leases (client);
        PRAGMA user_version = 1;
        """;

    private void Run(string sql)
    {
        using var connection = new SqliteConnection($"Data Source={DatabasePath};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    private long Scalar(string sql)
    {
        using var connection = new SqliteConnection($"Data Source={DatabasePath};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return (long)command.ExecuteScalar()!;
    }

    [Fact]
    public async Task A_version_1_file_gains_the_ipv6_tables_and_keeps_its_dhcpv4_leases()
    {
        var expires = new DateTimeOffset(2026, 12, 7, 12, 0, 0, TimeSpan.Zero).ToUnixTimeMilliseconds();
        Run(VersionOne + $"INSERT INTO leases VALUES ({0xC0A84301u}, 'hw:01525400000001', 1, x'525400000001', x'', 'host1', {expires}, 1);");

        await using (var store = SqliteIpv6LeaseStore.Open(DatabasePath))
        {
            Assert.Empty(store.Snapshot());
            await store.Execute(_ => Ipv6LeaseStoreContractTests.Bind(Ipv6LeaseStoreContractTests.LeaseFor(1))).Durable;
        }

        Assert.Equal(3, Scalar("PRAGMA user_version"));
        Assert.Equal(SqliteLeaseSchema.CurrentVersion, Scalar("PRAGMA user_version"));
        Assert.Equal([new IPv4Address(0xC0A84301u)], SqliteLeaseStore.Read(DatabasePath).Select(l => l.Address).ToArray());
        Assert.Equal([Ipv6LeaseStoreContractTests.LeaseFor(1)], SqliteIpv6LeaseStore.Read(DatabasePath));
        // One address, one holder: the database itself refuses a second row.
        var error = Assert.Throws<SqliteException>(() =>
            Run($"INSERT INTO leases6 VALUES (x'{Convert.ToHexString(Ipv6LeaseStoreContractTests.AddressFor(1).ToBytes())}', x'0003000102', 1, 0, 0, 0, 1)"));
        Assert.Contains("UNIQUE constraint failed: leases6.address", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Both_stores_write_the_one_file_through_their_own_connections()
    {
        var v4 = new Lease(new IPv4Address(0xC0A84302u), new ClientKey("hw:01525400000002"), HardwareAddress.Ethernet([0x52, 0x54, 0, 0, 0, 2]),
            [], "host2", Ipv6LeaseStoreContractTests.Now + TimeSpan.FromHours(1), LeaseState.Bound);
        await using (var dhcp4 = SqliteLeaseStore.Open(DatabasePath))
        await using (var dhcp6 = SqliteIpv6LeaseStore.Open(DatabasePath))
        {
            var bind4 = dhcp4.Execute(_ => new DhcpOutcome(new NoReply(NoReplyReason.Recorded), new LeaseUpsert(v4, LeaseEvent.Add)));
            var bind6 = dhcp6.Execute(_ => Ipv6LeaseStoreContractTests.Bind(Ipv6LeaseStoreContractTests.LeaseFor(2)));
            await Task.WhenAll(bind4.Durable, bind6.Durable);
        }

        Assert.Equal([v4.Address], SqliteLeaseStore.Read(DatabasePath).Select(l => l.Address).ToArray());
        Assert.Equal([Ipv6LeaseStoreContractTests.LeaseFor(2)], SqliteIpv6LeaseStore.Read(DatabasePath));
    }

    [Fact]
    public async Task The_two_stores_creating_one_file_together_both_open_it_at_version_3()
    {
        // Each migrates under BEGIN IMMEDIATE and reads the version again: whichever waits skips the steps done (step
        // 0 → 1 creates an index and would fail if run twice).
        var dhcp4 = Task.Run(() => SqliteLeaseStore.Open(DatabasePath));
        var dhcp6 = Task.Run(() => SqliteIpv6LeaseStore.Open(DatabasePath));
        await using (await dhcp4)
        await using (await dhcp6)
        {
            Assert.Equal(3, Scalar("PRAGMA user_version"));
        }
    }

    [Fact]
    public async Task A_store_that_read_the_version_before_another_migrated_the_file_runs_no_step_twice()
    {
        // The interleaving the lock is for, made certain: this connection read version 0, then waited at BEGIN IMMEDIATE
        // while the other store's connection brought the file to the current version. Step 0 → 1 creates an index and
        // would fail if it ran again.
        await using (SqliteLeaseStore.Open(DatabasePath))
        {
        }
        using var late = new SqliteConnection($"Data Source={DatabasePath}");
        late.Open();

        Assert.Equal(0, SqliteLeaseSchema.Migrate(late, DatabasePath, from: 0));
        Assert.Equal(SqliteLeaseSchema.CurrentVersion, SqliteLeaseSchema.Version(late));
    }

    [Fact]
    public async Task A_commit_that_fails_fails_the_durable_task_and_the_writer_goes_on_once_it_can()
    {
        await using var store = SqliteIpv6LeaseStore.Open(DatabasePath);
        // Behind the store's back: the table is gone, so the next commit fails.
        Run("ALTER TABLE leases6 RENAME TO leases6_away");

        var lost = store.Execute(_ => Ipv6LeaseStoreContractTests.Bind(Ipv6LeaseStoreContractTests.LeaseFor(1)));

        // Not durable: the REPLY waiting on it must not be sent.
        await Assert.ThrowsAsync<SqliteException>(() => lost.Durable);
        Run("ALTER TABLE leases6_away RENAME TO leases6");
        await store.Execute(_ => Ipv6LeaseStoreContractTests.Bind(Ipv6LeaseStoreContractTests.LeaseFor(2))).Durable;
        Assert.Equal([Ipv6LeaseStoreContractTests.LeaseFor(2)], SqliteIpv6LeaseStore.Read(DatabasePath));
    }

    [Fact]
    public async Task A_deferred_commit_that_fails_fails_every_durable_task_of_the_batch_and_still_calls_back()
    {
        await using var store = SqliteIpv6LeaseStore.Open(DatabasePath);
        Run("ALTER TABLE leases6 RENAME TO leases6_away");
        var batch = Enumerable.Range(1, 4)
            .Select(n => store.ExecuteDeferred(_ => Ipv6LeaseStoreContractTests.Bind(Ipv6LeaseStoreContractTests.LeaseFor(n))).Durable).ToArray();
        var committed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        store.CommitDeferred(committed.SetResult);
        await committed.Task;

        // The loop sends no REPLY of this batch.
        Assert.All(batch, t => Assert.True(t.IsFaulted));
        Assert.All(batch, t => Assert.IsType<SqliteException>(t.Exception!.InnerException));
    }

    [Fact]
    public void A_file_without_ipv6_tables_reads_as_no_ipv6_leases()
    {
        Run(VersionOne);

        Assert.Empty(SqliteIpv6LeaseStore.Read(DatabasePath));
    }
}

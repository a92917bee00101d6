using Microsoft.Data.Sqlite;
using NetBoot.Engine;
using NetBoot.Engine.Leases;
using NetBoot.Wire.Net;

namespace NetBoot.Leases.Tests;

/// <summary>The SQLite lease file's schema: a file written by the first schema (no version, no constraint on the client
/// column) or by version 1 (the client as hex text) is upgraded in place when opened, and the database itself then
/// refuses a second row of one client.</summary>
public sealed class SqliteLeaseSchemaTests : IDisposable
{
    private static readonly DateTimeOffset Expires = new(2026, 12, 7, 12, 0, 0, TimeSpan.Zero);
    private readonly string _directory = Directory.CreateTempSubdirectory("netboot-schema-").FullName;

    private string DatabasePath => Path.Combine(_directory, "leases.sqlite");

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    /// <summary>The schema SQL the store ran before version 1 (SqliteLeaseStore.Open at 466f244), verbatim.</summary>
    private const string FirstSchema = """
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
        DROP INDEX IF EXISTS leases_client;
        """;

    /// <summary>What version 1 ran after <see cref="FirstSchema"/> (SqliteLeaseSchema at d398cb1), verbatim.</summary>
    private const string Version1Step = """
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

    private static Lease LeaseFor(uint host, string client) => new(
        new IPv4Address(0xC0A84300u + host), new ClientKey(client), HardwareAddress.Ethernet([0x52, 0x54, 0, 0, 0, (byte)host]),
        [], $"host{host}", Expires, LeaseState.Bound);

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

    private static string Row(Lease lease) =>
        $"({lease.Address.Value}, '{lease.Client.Value}', 1, x'52540000000{lease.Address.Value & 0xF:x}', x'', '{lease.HostName}', {lease.Expires.ToUnixTimeMilliseconds()}, 1)";

    [Fact]
    public async Task A_lease_file_of_the_first_schema_is_upgraded_in_place_and_keeps_its_leases()
    {
        var kept = LeaseFor(1, "hw:01525400000001");
        var moved = LeaseFor(9, "hw:01525400000002");
        Run(FirstSchema + $"INSERT INTO leases VALUES {Row(kept)}, {Row(LeaseFor(2, "hw:01525400000002"))}, {Row(moved)};");
        Assert.Equal(0, Scalar("PRAGMA user_version"));

        await using (var store = SqliteLeaseStore.Open(DatabasePath))
        {
            // The client with two rows (an older writer's leftover) keeps the one at the highest address.
            Assert.Equal([kept.Address, moved.Address], store.Snapshot().Select(l => l.Address).ToArray());
            await store.Execute(_ => new DhcpOutcome(new NoReply(NoReplyReason.Recorded),
                new LeaseUpsert(kept with { Address = LeaseFor(5, kept.Client.Value).Address }, LeaseEvent.Add))).Durable;
        }

        Assert.Equal(SqliteLeaseSchema.CurrentVersion, Scalar("PRAGMA user_version"));
        Assert.Equal([(LeaseFor(5, "").Address, kept.Client), (moved.Address, moved.Client)],
            SqliteLeaseStore.Read(DatabasePath).Select(l => (l.Address, l.Client)).ToArray());
        var error = Assert.Throws<SqliteException>(() => Run($"INSERT INTO leases VALUES {Version2Row(LeaseFor(7, moved.Client.Value))}"));
        Assert.Contains("UNIQUE constraint failed: leases.client", error.Message, StringComparison.Ordinal);
    }

    /// <summary>A row as version 2 stores it: the client key <c>hw:…</c> as the BLOB <c>'h'</c> (0x68) and its bytes.</summary>
    private static string Version2Row(Lease lease) =>
        Row(lease).Replace($"'{lease.Client.Value}'", $"x'68{lease.Client.Value[3..]}'", StringComparison.Ordinal);

    [Fact]
    public async Task A_version_1_lease_file_is_upgraded_in_place_with_the_client_stored_as_a_blob_and_reads_the_same_keys()
    {
        var byHardware = LeaseFor(1, "hw:01525400000001");
        var byClientId = LeaseFor(2, "id:ff00112233") with { ClientId = [0xff, 0x00, 0x11, 0x22, 0x33] };
        var declined = LeaseFor(3, "declined:192.168.67.3") with { State = LeaseState.Declined };
        var oddText = LeaseFor(4, "hw:ABC");
        // Rows as a version-1 NetBoot wrote them (oddText: a key no version wrote, kept as text).
        Run(FirstSchema + Version1Step + $"INSERT INTO leases VALUES {Row(byHardware)}, {Row(oddText)};"
            + $"INSERT INTO leases VALUES ({byClientId.Address.Value}, '{byClientId.Client.Value}', 1, x'525400000002', x'ff00112233', 'host2', {Expires.ToUnixTimeMilliseconds()}, 1);"
            + $"INSERT INTO leases VALUES ({declined.Address.Value}, '{declined.Client.Value}', 1, x'525400000003', x'', 'host3', {Expires.ToUnixTimeMilliseconds()}, 2);");
        Assert.Equal(1, Scalar("PRAGMA user_version"));

        await using (var store = SqliteLeaseStore.Open(DatabasePath))
        {
            Assert.Equal([byHardware.Client, byClientId.Client, declined.Client, oddText.Client],
                store.Snapshot().Select(l => l.Client).ToArray());
        }

        Assert.Equal(SqliteLeaseSchema.CurrentVersion, Scalar("PRAGMA user_version"));
        Assert.Equal(0, Scalar("SELECT count(*) FROM leases WHERE typeof(client) <> 'blob'"));
        Assert.Equal(1, Scalar($"SELECT count(*) FROM leases WHERE client = x'6801525400000001' AND address = {byHardware.Address.Value}"));
        Assert.Equal(1, Scalar($"SELECT count(*) FROM leases WHERE client = x'69ff00112233' AND address = {byClientId.Address.Value}"));
        Assert.Equal([(byHardware.Address, byHardware.Client, LeaseState.Bound), (byClientId.Address, byClientId.Client, LeaseState.Bound),
                (declined.Address, declined.Client, LeaseState.Declined), (oddText.Address, oddText.Client, LeaseState.Bound)],
            SqliteLeaseStore.Read(DatabasePath).Select(l => (l.Address, l.Client, l.State)).ToArray());
        var error = Assert.Throws<SqliteException>(() => Run($"INSERT INTO leases VALUES {Version2Row(LeaseFor(9, byHardware.Client.Value))}"));
        Assert.Contains("UNIQUE constraint failed: leases.client", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_new_lease_file_has_the_current_schema_and_refuses_a_second_row_of_one_client()
    {
        await using (SqliteLeaseStore.Open(DatabasePath))
        {
        }

        Assert.Equal(SqliteLeaseSchema.CurrentVersion, Scalar("PRAGMA user_version"));
        Run($"INSERT INTO leases VALUES {Version2Row(LeaseFor(1, "hw:01525400000001"))}");
        var error = Assert.Throws<SqliteException>(() => Run($"INSERT INTO leases VALUES {Version2Row(LeaseFor(2, "hw:01525400000001"))}"));
        Assert.Contains("UNIQUE constraint failed: leases.client", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_lease_file_newer_than_this_netboot_is_refused_with_what_to_do()
    {
        Run(FirstSchema + "PRAGMA user_version = 99;");

        var error = Assert.Throws<InvalidOperationException>(() => SqliteLeaseStore.Open(DatabasePath));

        Assert.Contains(DatabasePath, error.Message, StringComparison.Ordinal);
        Assert.Contains("schema version 99", error.Message, StringComparison.Ordinal);
        Assert.Contains("upgrade NetBoot", error.Message, StringComparison.Ordinal);
    }
}

using Microsoft.Data.Sqlite;

namespace NetBoot.Leases;

/// <summary>The SQLite lease database's schema and its migrations, numbered by <c>PRAGMA user_version</c>. Version 0 is
/// the table as first shipped (a file written before migrations existed says 0); each later version is one step run in
/// one transaction, so an existing lease file is upgraded in place when it is opened.</summary>
internal static class SqliteLeaseSchema
{
    /// <summary>The version this NetBoot writes and reads.</summary>
    public const int CurrentVersion = 3;

    private const string Version0 = """
        CREATE TABLE IF NOT EXISTS leases (
            address INTEGER PRIMARY KEY,
            client TEXT NOT NULL,
            htype INTEGER NOT NULL,
            hwaddr BLOB NOT NULL,
            client_id BLOB NOT NULL,
            hostname TEXT,
            expires INTEGER NOT NULL,
            state INTEGER NOT NULL);
        """;

    /// <summary>The steps from version <c>n</c> to <c>n + 1</c>, at index <c>n</c>; each runs inside the transaction that
    /// also sets the new version.</summary>
    private static readonly Action<SqliteCommand>[] Steps = [MigrateTo1, MigrateTo2, MigrateTo3];

    /// <summary>0 → 1: a client holds one address, as the PostgreSQL schema's netboot_leases_one_per_client says. Version 0
    /// kept that by hand (an index on the client column was dropped for its write cost), and an older writer could leave
    /// a second row of one client: the row with the highest address stays, the one the store kept when it loaded such a
    /// file.</summary>
    private static void MigrateTo1(SqliteCommand command)
    {
        command.CommandText = Version0 + """
            DELETE FROM leases WHERE address NOT IN (SELECT max(address) FROM leases GROUP BY client);
            DROP INDEX IF EXISTS leases_client;
            CREATE UNIQUE INDEX leases_one_per_client ON leases (client);
            """;
        command.ExecuteNonQuery();
    }

    /// <summary>1 → 2: the client column holds the key as a BLOB (<see cref="SqliteClientKey"/>), not hex text, so the
    /// unique index's entries are less than half as long and a commit dirties fewer of its pages. The table is rebuilt
    /// (SQLite cannot change a column's type), touching only <c>leases</c> and its index; the keys are converted here,
    /// by the code that reads them, so a file upgraded and a file written by version 2 hold the same bytes.</summary>
    private static void MigrateTo2(SqliteCommand command)
    {
        command.CommandText = """
            CREATE TABLE leases_v2 (
                address INTEGER PRIMARY KEY,
                client BLOB NOT NULL,
                htype INTEGER NOT NULL,
                hwaddr BLOB NOT NULL,
                client_id BLOB NOT NULL,
                hostname TEXT,
                expires INTEGER NOT NULL,
                state INTEGER NOT NULL);
            INSERT INTO leases_v2 SELECT address, CAST(client AS BLOB), htype, hwaddr, client_id, hostname, expires, state FROM leases;
            """;
        command.ExecuteNonQuery();
        command.CommandText = "SELECT address, client FROM leases";
        var keys = new List<(long Address, string Client)>();
        using (var reader = command.ExecuteReader())
        {
            while (reader.Read())
            {
                keys.Add((reader.GetInt64(0), reader.GetString(1)));
            }
        }
        command.CommandText = "UPDATE leases_v2 SET client = $client WHERE address = $address";
        var address = command.Parameters.Add("$address", SqliteType.Integer);
        var client = command.Parameters.Add("$client", SqliteType.Blob);
        foreach (var key in keys)
        {
            address.Value = key.Address;
            client.Value = SqliteClientKey.Encode(new Engine.Leases.ClientKey(key.Client));
            command.ExecuteNonQuery();
        }
        command.Parameters.Clear();
        command.CommandText = """
            DROP TABLE leases;
            ALTER TABLE leases_v2 RENAME TO leases;
            CREATE UNIQUE INDEX leases_one_per_client ON leases (client);
            """;
        command.ExecuteNonQuery();
    }

    /// <summary>2 → 3: the DHCPv6 tables (<see cref="Ipv6Tables"/>); it reads and changes nothing of DHCPv4's.</summary>
    private static void MigrateTo3(SqliteCommand command)
    {
        command.CommandText = Ipv6Tables;
        command.ExecuteNonQuery();
    }

    /// <summary>Version 3's step: the IA_NA leases and the server DUIDs (<see cref="SqliteIpv6LeaseStore"/>). It creates
    /// only its own tables and reads none.</summary>
    /// <remarks>The address (16 bytes, network order, so rows sort as addresses) is the primary key: one holder per
    /// address, which also makes (duid, iaid, address) unique. No index on (duid, iaid): lookups are in memory, and an
    /// index would cost every commit a write. Lifetimes are milliseconds; expires is Unix milliseconds, with
    /// 9223372036854775807 for infinite; state is <c>Ipv6LeaseState</c> (1 bound, 2 declined; offers are not stored).</remarks>
    internal const string Ipv6Tables = """
        CREATE TABLE IF NOT EXISTS leases6 (
            address BLOB PRIMARY KEY CHECK (length(address) = 16),
            duid BLOB NOT NULL,
            iaid INTEGER NOT NULL,
            preferred INTEGER NOT NULL,
            valid INTEGER NOT NULL,
            expires INTEGER NOT NULL,
            state INTEGER NOT NULL) WITHOUT ROWID;
        CREATE TABLE IF NOT EXISTS server_duids (
            server TEXT PRIMARY KEY,
            duid BLOB NOT NULL);
        """;

    /// <summary>Creates the table in an empty file and brings an older one to <see cref="CurrentVersion"/>; the version
    /// it had. Throws when the file is newer than this NetBoot.</summary>
    public static int Migrate(SqliteConnection connection, string path) => Migrate(connection, path, Version(connection));

    /// <summary><see cref="Migrate(SqliteConnection, string)"/> from the version <paramref name="from"/> read before any lock
    /// was taken (by then another connection may have migrated the file further).</summary>
    internal static int Migrate(SqliteConnection connection, string path, int from)
    {
        ArgumentNullException.ThrowIfNull(connection);
        if (from > CurrentVersion)
        {
            throw new InvalidOperationException(
                $"the lease database {path} has schema version {from}, newer than this NetBoot knows ({CurrentVersion}): upgrade NetBoot, or move the file aside to start with an empty one");
        }
        for (var version = from; version < CurrentVersion; version++)
        {
            // BEGIN IMMEDIATE, then read the version again: the DHCPv4 and DHCPv6 stores open their own connections to
            // this file, and the one that waited for the other's migration must not run the step twice.
            using var transaction = connection.BeginTransaction();
            if (Version(connection, transaction) > version)
            {
                continue;
            }
            using var command = connection.CreateCommand();
            command.Transaction = transaction;
            Steps[version](command);
            command.Parameters.Clear();
            command.CommandText = $"PRAGMA user_version = {version + 1};";
            command.ExecuteNonQuery();
            transaction.Commit();
        }
        return from;
    }

    public static int Version(SqliteConnection connection, SqliteTransaction? transaction = null)
    {
        ArgumentNullException.ThrowIfNull(connection);
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = "PRAGMA user_version";
        return Convert.ToInt32(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
    }
}

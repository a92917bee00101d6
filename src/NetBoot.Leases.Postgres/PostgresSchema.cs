using Npgsql;

namespace NetBoot.Leases.Postgres;

/// <summary>The lease schema, versioned: <c>netboot_schema.version</c> says which of <see cref="Migrations"/> ran.
/// <c>netboot db migrate</c> (and <c>serve</c>, unless told not to) applies the missing ones in one transaction under an
/// advisory lock, so two servers starting together do not race.</summary>
public static class PostgresSchema
{
    /// <summary>Any constant: the advisory lock that serialises migrations across servers.</summary>
    private const long MigrationLock = 0x4E6574426F6F74;

    /// <summary>Migration N brings the schema from version N to N + 1. Append only; never edit a released one.</summary>
    public static readonly IReadOnlyList<string> Migrations =
    [
        """
        CREATE TABLE netboot_leases (
            address bigint PRIMARY KEY,          -- IPv4 as an unsigned 32-bit number: one address, one lease
            client text NOT NULL,                -- ClientKey: id:<option 61> or hw:<htype><chaddr>
            htype smallint NOT NULL,
            hwaddr bytea NOT NULL,
            client_id bytea NOT NULL,
            hostname text,
            expires bigint NOT NULL,             -- Unix milliseconds; 9223372036854775807 = infinite
            state smallint NOT NULL,             -- 1 bound, 2 declined (offers are not stored)
            updated_by text NOT NULL,
            CONSTRAINT netboot_leases_one_per_client UNIQUE (client));

        -- Binds p_client to p_address unless another client holds it unexpired; false on conflict (the caller sends
        -- no ACK). The address row is locked first, so two servers binding one address serialise here, and the
        -- primary key and the client constraint stay the last line of defence.
        CREATE FUNCTION netboot_put_lease(p_address bigint, p_client text, p_htype smallint, p_hwaddr bytea,
            p_client_id bytea, p_hostname text, p_expires bigint, p_state smallint, p_now bigint, p_origin text)
        RETURNS boolean LANGUAGE plpgsql AS $$
        DECLARE
            holder text;
            holder_expires bigint;
        BEGIN
            SELECT client, expires INTO holder, holder_expires FROM netboot_leases WHERE address = p_address FOR UPDATE;
            IF FOUND AND holder <> p_client AND holder_expires > p_now THEN
                RETURN false;
            END IF;
            DELETE FROM netboot_leases WHERE client = p_client AND address <> p_address;
            INSERT INTO netboot_leases (address, client, htype, hwaddr, client_id, hostname, expires, state, updated_by)
            VALUES (p_address, p_client, p_htype, p_hwaddr, p_client_id, p_hostname, p_expires, p_state, p_origin)
            ON CONFLICT (address) DO UPDATE SET client = EXCLUDED.client, htype = EXCLUDED.htype, hwaddr = EXCLUDED.hwaddr,
                client_id = EXCLUDED.client_id, hostname = EXCLUDED.hostname, expires = EXCLUDED.expires,
                state = EXCLUDED.state, updated_by = EXCLUDED.updated_by
            WHERE netboot_leases.client = EXCLUDED.client OR netboot_leases.expires <= p_now;
            RETURN FOUND;
        END $$;
        """,
        """
        -- Client identity (docs/client-identity.md): a write may replace the leases of other identities of the same
        -- machine, named by the server in p_replaces (a reservation taken over by the next boot stage, or a lease whose
        -- client started sending option 61). Any other unexpired holder still refuses it. An overload, so that servers
        -- not yet upgraded keep calling the ten-argument function during a rolling upgrade.
        CREATE FUNCTION netboot_put_lease(p_address bigint, p_client text, p_htype smallint, p_hwaddr bytea,
            p_client_id bytea, p_hostname text, p_expires bigint, p_state smallint, p_now bigint, p_origin text,
            p_replaces text[])
        RETURNS boolean LANGUAGE plpgsql AS $$
        DECLARE
            holder text;
            holder_expires bigint;
        BEGIN
            SELECT client, expires INTO holder, holder_expires FROM netboot_leases WHERE address = p_address FOR UPDATE;
            IF FOUND AND holder <> p_client AND NOT (holder = ANY(p_replaces)) AND holder_expires > p_now THEN
                RETURN false;
            END IF;
            DELETE FROM netboot_leases WHERE (client = p_client OR client = ANY(p_replaces)) AND address <> p_address;
            INSERT INTO netboot_leases (address, client, htype, hwaddr, client_id, hostname, expires, state, updated_by)
            VALUES (p_address, p_client, p_htype, p_hwaddr, p_client_id, p_hostname, p_expires, p_state, p_origin)
            ON CONFLICT (address) DO UPDATE SET client = EXCLUDED.client, htype = EXCLUDED.htype, hwaddr = EXCLUDED.hwaddr,
                client_id = EXCLUDED.client_id, hostname = EXCLUDED.hostname, expires = EXCLUDED.expires,
                state = EXCLUDED.state, updated_by = EXCLUDED.updated_by
            WHERE netboot_leases.client = EXCLUDED.client OR netboot_leases.client = ANY(p_replaces)
                OR netboot_leases.expires <= p_now;
            RETURN FOUND;
        END $$;
        """,
        """
        -- DHCPv6 (IA_NA) leases, shared like netboot_leases: the address (16 bytes, network order) is the key, so one
        -- DUID+IAID holds it across every server; a write takes it only from its own holder or an expired one
        -- (PostgresIpv6LeaseStore's INSERT ... ON CONFLICT ... WHERE). IF NOT EXISTS: a database whose netboot_schema was
        -- dropped and migrated again keeps its IPv6 leases.
        CREATE TABLE IF NOT EXISTS netboot_leases6 (
            address bytea PRIMARY KEY CHECK (octet_length(address) = 16),
            duid bytea NOT NULL,
            iaid bigint NOT NULL,
            preferred bigint NOT NULL,           -- milliseconds; 9223372036854775807 = infinite
            valid bigint NOT NULL,
            expires bigint NOT NULL,             -- Unix milliseconds; 9223372036854775807 = infinite
            state smallint NOT NULL,             -- 1 bound, 2 declined (offers are not stored)
            updated_by text NOT NULL);
        -- Each server's DUID (RFC 8415 §11), by server name, so that clients find the same server after a restart.
        CREATE TABLE IF NOT EXISTS netboot_server_duids (
            server text PRIMARY KEY,
            duid bytea NOT NULL);
        """,
    ];

    public static int CurrentVersion => Migrations.Count;

    /// <summary>The schema version of the database (0 when NetBoot never migrated it).</summary>
    public static async Task<int> VersionAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(connection);
        await using var command = new NpgsqlCommand("SELECT to_regclass('netboot_schema') IS NOT NULL", connection);
        if (!(bool)(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!)
        {
            return 0;
        }
        command.CommandText = "SELECT max(version) FROM netboot_schema";
        return await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is int version ? version : 0;
    }

    /// <summary>Applies the missing migrations; returns the versions (from, to). Throws <see cref="InvalidOperationException"/>
    /// when the database is newer than this NetBoot.</summary>
    public static async Task<(int From, int To)> MigrateAsync(NpgsqlDataSource dataSource, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(dataSource);
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await using (var command = new NpgsqlCommand(
            $"SELECT pg_advisory_xact_lock({MigrationLock}); CREATE TABLE IF NOT EXISTS netboot_schema (version integer NOT NULL, applied timestamptz NOT NULL DEFAULT now())",
            connection, transaction))
        {
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
        var from = await VersionAsync(connection, cancellationToken).ConfigureAwait(false);
        if (from > CurrentVersion)
        {
            throw new InvalidOperationException($"the lease database has schema version {from}, newer than this NetBoot knows ({CurrentVersion}): upgrade NetBoot");
        }
        for (var version = from; version < CurrentVersion; version++)
        {
            await using var step = new NpgsqlCommand(Migrations[version] + $"\nINSERT INTO netboot_schema (version) VALUES ({version + 1});", connection, transaction);
            await step.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return (from, CurrentVersion);
    }
}

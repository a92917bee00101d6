using NetBoot.Engine.Leases;
using NetBoot.Wire.Net;
using Npgsql;

namespace NetBoot.Leases.Postgres;

/// <summary>Rows of <c>netboot_leases</c> as <see cref="Lease"/>s.</summary>
internal static class PostgresLeaseRows
{
    public const string Columns = "address, client, htype, hwaddr, client_id, hostname, expires, state";

    /// <summary>Runs <paramref name="command"/> (a SELECT of <see cref="Columns"/>) and reads its rows.</summary>
    public static async Task<List<Lease>> ReadAsync(NpgsqlCommand command, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(command);
        var leases = new List<Lease>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            var expires = reader.GetInt64(6);
            leases.Add(new Lease(
                new IPv4Address((uint)reader.GetInt64(0)),
                new ClientKey(reader.GetString(1)),
                new HardwareAddress((byte)reader.GetInt16(2), (byte[])reader[3]),
                [.. (byte[])reader[4]],
                reader.IsDBNull(5) ? null : reader.GetString(5),
                expires == long.MaxValue ? DateTimeOffset.MaxValue : DateTimeOffset.FromUnixTimeMilliseconds(expires),
                (LeaseState)reader.GetInt16(7)));
        }
        return leases;
    }
}

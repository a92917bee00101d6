using System.Runtime.InteropServices;
using Microsoft.Data.Sqlite;
using NetBoot.Engine.Leases;

namespace NetBoot.Leases;

/// <summary>The statements a commit runs, prepared once and reused with their parameters (only the committing thread
/// uses them, under the store's commit lock).</summary>
/// <remarks>A write is an UPSERT on the address that updates the row in place only when the same client holds it (a
/// renewal, the common write): the row is rewritten where it is and the UNIQUE(client) index is not touched, where
/// <c>INSERT OR REPLACE</c> deleted and re-inserted both the row and its index entry. A new address, or the client's
/// row elsewhere (a move), goes by <c>OR REPLACE</c> on the client constraint. When another client's row holds the
/// address the UPSERT changes nothing (SQLite checks the address first and the <c>WHERE</c> refuses the update), and the
/// plain <c>INSERT OR REPLACE</c> writes it, replacing whatever row holds the address or the client.</remarks>
internal sealed class SqliteLeaseStatements : IDisposable
{
    private const string Columns = "(address, client, htype, hwaddr, client_id, hostname, expires, state)";
    private const string Values = "($address, $client, $htype, $hwaddr, $client_id, $hostname, $expires, $state)";

    private readonly SqliteCommand _upsert;
    private readonly SqliteCommand _replace;
    private readonly SqliteCommand _delete;
    private readonly SqliteParameter _deleteAddress, _deleteClient;

    public SqliteLeaseStatements(SqliteConnection connection)
    {
        _upsert = LeaseCommand(connection, $"""
            INSERT OR REPLACE INTO leases {Columns} VALUES {Values}
            ON CONFLICT (address) DO UPDATE SET htype = excluded.htype, hwaddr = excluded.hwaddr, client_id = excluded.client_id,
                hostname = excluded.hostname, expires = excluded.expires, state = excluded.state
            WHERE client = excluded.client
            """);
        _replace = LeaseCommand(connection, $"INSERT OR REPLACE INTO leases {Columns} VALUES {Values}");
        _delete = connection.CreateCommand();
        _delete.CommandText = "DELETE FROM leases WHERE address = $address AND client = $client";
        _deleteAddress = _delete.Parameters.Add("$address", SqliteType.Integer);
        _deleteClient = _delete.Parameters.Add("$client", SqliteType.Blob);
        _delete.Prepare();
    }

    /// <summary>A prepared command with the eight lease parameters, in <see cref="Columns"/> order.</summary>
    private static SqliteCommand LeaseCommand(SqliteConnection connection, string sql)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        command.Parameters.Add("$address", SqliteType.Integer);
        command.Parameters.Add("$client", SqliteType.Blob);
        command.Parameters.Add("$htype", SqliteType.Integer);
        command.Parameters.Add("$hwaddr", SqliteType.Blob);
        command.Parameters.Add("$client_id", SqliteType.Blob);
        command.Parameters.Add("$hostname", SqliteType.Text);
        command.Parameters.Add("$expires", SqliteType.Integer);
        command.Parameters.Add("$state", SqliteType.Integer);
        command.Prepare();
        return command;
    }

    /// <summary>Microsoft.Data.Sqlite runs a command inside a transaction only when the command names it.</summary>
    public void Enlist(SqliteTransaction transaction)
    {
        _upsert.Transaction = transaction;
        _replace.Transaction = transaction;
        _delete.Transaction = transaction;
    }

    /// <summary>Writes <paramref name="lease"/>'s row, replacing whatever row holds its address or its client.</summary>
    public void Upsert(Lease lease)
    {
        Bind(_upsert.Parameters, lease);
        if (_upsert.ExecuteNonQuery() == 0)
        {
            // Another client's row holds the address.
            for (var i = 0; i < _upsert.Parameters.Count; i++)
            {
                _replace.Parameters[i].Value = _upsert.Parameters[i].Value;
            }
            _replace.ExecuteNonQuery();
        }
    }

    private static void Bind(SqliteParameterCollection parameters, Lease lease)
    {
        parameters[0].Value = (long)lease.Address.Value;
        parameters[1].Value = SqliteClientKey.Encode(lease.Client);
        parameters[2].Value = (int)lease.HardwareAddress.HardwareType;
        parameters[3].Value = ImmutableCollectionsMarshal.AsArray(lease.HardwareAddress.Bytes) ?? [];
        parameters[4].Value = ImmutableCollectionsMarshal.AsArray(lease.ClientId) ?? [];
        parameters[5].Value = (object?)lease.HostName ?? DBNull.Value;
        parameters[6].Value = lease.IsInfinite ? long.MaxValue : lease.Expires.ToUnixTimeMilliseconds();
        parameters[7].Value = (int)lease.State;
    }

    /// <summary>Deletes <paramref name="lease"/>'s row if its client still holds the address.</summary>
    public void Delete(Lease lease)
    {
        _deleteAddress.Value = (long)lease.Address.Value;
        _deleteClient.Value = SqliteClientKey.Encode(lease.Client);
        _delete.ExecuteNonQuery();
    }

    public void Dispose()
    {
        _upsert.Dispose();
        _replace.Dispose();
        _delete.Dispose();
    }
}

using System.Runtime.InteropServices;
using Microsoft.Data.Sqlite;
using NetBoot.Engine.Leases;

namespace NetBoot.Leases;

/// <summary>The two statements a commit runs, prepared once and reused with their parameters (only the committing
/// thread uses them, under the store's commit lock).</summary>
internal sealed class SqliteLeaseStatements : IDisposable
{
    private readonly SqliteCommand _upsert;
    private readonly SqliteParameter _address, _client, _htype, _hwaddr, _clientId, _hostname, _expires, _state;
    private readonly SqliteCommand _delete;
    private readonly SqliteParameter _deleteAddress, _deleteClient;

    public SqliteLeaseStatements(SqliteConnection connection)
    {
        _upsert = connection.CreateCommand();
        _upsert.CommandText = """
            INSERT OR REPLACE INTO leases (address, client, htype, hwaddr, client_id, hostname, expires, state)
            VALUES ($address, $client, $htype, $hwaddr, $client_id, $hostname, $expires, $state)
            """;
        _address = _upsert.Parameters.Add("$address", SqliteType.Integer);
        _client = _upsert.Parameters.Add("$client", SqliteType.Text);
        _htype = _upsert.Parameters.Add("$htype", SqliteType.Integer);
        _hwaddr = _upsert.Parameters.Add("$hwaddr", SqliteType.Blob);
        _clientId = _upsert.Parameters.Add("$client_id", SqliteType.Blob);
        _hostname = _upsert.Parameters.Add("$hostname", SqliteType.Text);
        _expires = _upsert.Parameters.Add("$expires", SqliteType.Integer);
        _state = _upsert.Parameters.Add("$state", SqliteType.Integer);
        _delete = connection.CreateCommand();
        _delete.CommandText = "DELETE FROM leases WHERE address = $address AND client = $client";
        _deleteAddress = _delete.Parameters.Add("$address", SqliteType.Integer);
        _deleteClient = _delete.Parameters.Add("$client", SqliteType.Text);
        _upsert.Prepare();
        _delete.Prepare();
    }

    /// <summary>Microsoft.Data.Sqlite runs a command inside a transaction only when the command names it.</summary>
    public void Enlist(SqliteTransaction transaction)
    {
        _upsert.Transaction = transaction;
        _delete.Transaction = transaction;
    }

    /// <summary>Writes <paramref name="lease"/>'s row, replacing whatever row holds its address or its client.</summary>
    public void Upsert(Lease lease)
    {
        _address.Value = (long)lease.Address.Value;
        _client.Value = lease.Client.Value;
        _htype.Value = (int)lease.HardwareAddress.HardwareType;
        _hwaddr.Value = ImmutableCollectionsMarshal.AsArray(lease.HardwareAddress.Bytes) ?? [];
        _clientId.Value = ImmutableCollectionsMarshal.AsArray(lease.ClientId) ?? [];
        _hostname.Value = (object?)lease.HostName ?? DBNull.Value;
        _expires.Value = lease.IsInfinite ? long.MaxValue : lease.Expires.ToUnixTimeMilliseconds();
        _state.Value = (int)lease.State;
        _upsert.ExecuteNonQuery();
    }

    /// <summary>Deletes <paramref name="lease"/>'s row if its client still holds the address.</summary>
    public void Delete(Lease lease)
    {
        _deleteAddress.Value = (long)lease.Address.Value;
        _deleteClient.Value = lease.Client.Value;
        _delete.ExecuteNonQuery();
    }

    public void Dispose()
    {
        _upsert.Dispose();
        _delete.Dispose();
    }
}

using System.Runtime.InteropServices;
using Microsoft.Data.Sqlite;
using NetBoot.Engine.Dhcp6;
using NetBoot.Wire.Dhcp6;
using NetBoot.Wire.Net;

namespace NetBoot.Leases;

/// <summary>The statements an IPv6 commit runs, prepared once and reused with their parameters (only the committing
/// thread uses them, under the store's commit lock), and the row format of <c>leases6</c>.</summary>
internal sealed class SqliteIpv6LeaseStatements : IDisposable
{
    public const string Columns = "address, duid, iaid, preferred, valid, expires, state";

    private readonly SqliteCommand _upsert;
    private readonly SqliteParameter _address, _duid, _iaid, _preferred, _valid, _expires, _state;
    private readonly SqliteCommand _delete;
    private readonly SqliteParameter _deleteAddress, _deleteDuid, _deleteIaid;

    public SqliteIpv6LeaseStatements(SqliteConnection connection)
    {
        _upsert = connection.CreateCommand();
        _upsert.CommandText = $"INSERT OR REPLACE INTO leases6 ({Columns}) VALUES ($address, $duid, $iaid, $preferred, $valid, $expires, $state)";
        _address = _upsert.Parameters.Add("$address", SqliteType.Blob);
        _duid = _upsert.Parameters.Add("$duid", SqliteType.Blob);
        _iaid = _upsert.Parameters.Add("$iaid", SqliteType.Integer);
        _preferred = _upsert.Parameters.Add("$preferred", SqliteType.Integer);
        _valid = _upsert.Parameters.Add("$valid", SqliteType.Integer);
        _expires = _upsert.Parameters.Add("$expires", SqliteType.Integer);
        _state = _upsert.Parameters.Add("$state", SqliteType.Integer);
        _delete = connection.CreateCommand();
        _delete.CommandText = "DELETE FROM leases6 WHERE address = $address AND duid = $duid AND iaid = $iaid";
        _deleteAddress = _delete.Parameters.Add("$address", SqliteType.Blob);
        _deleteDuid = _delete.Parameters.Add("$duid", SqliteType.Blob);
        _deleteIaid = _delete.Parameters.Add("$iaid", SqliteType.Integer);
        _upsert.Prepare();
        _delete.Prepare();
    }

    /// <summary>Microsoft.Data.Sqlite runs a command inside a transaction only when the command names it.</summary>
    public void Enlist(SqliteTransaction transaction)
    {
        _upsert.Transaction = transaction;
        _delete.Transaction = transaction;
    }

    /// <summary>Writes <paramref name="lease"/>'s row, replacing whatever row holds its address.</summary>
    public void Upsert(Ipv6Lease lease)
    {
        _address.Value = lease.Address.ToBytes();
        _duid.Value = DuidBytes(lease.Duid);
        _iaid.Value = (long)lease.Iaid;
        _preferred.Value = Milliseconds(lease.PreferredLifetime);
        _valid.Value = Milliseconds(lease.ValidLifetime);
        _expires.Value = ToUnixMilliseconds(lease.Expires);
        _state.Value = (int)lease.State;
        _upsert.ExecuteNonQuery();
    }

    /// <summary>Deletes <paramref name="lease"/>'s row if its DUID and IAID still hold the address.</summary>
    public void Delete(Ipv6Lease lease)
    {
        _deleteAddress.Value = lease.Address.ToBytes();
        _deleteDuid.Value = DuidBytes(lease.Duid);
        _deleteIaid.Value = (long)lease.Iaid;
        _delete.ExecuteNonQuery();
    }

    public static byte[] DuidBytes(Duid duid) => ImmutableCollectionsMarshal.AsArray(duid.Bytes) ?? [];

    private static long Milliseconds(TimeSpan span) => span == TimeSpan.MaxValue ? long.MaxValue : (long)span.TotalMilliseconds;

    private static TimeSpan FromMilliseconds(long value) => value == long.MaxValue ? TimeSpan.MaxValue : TimeSpan.FromMilliseconds(value);

    public static long ToUnixMilliseconds(DateTimeOffset time) => time == DateTimeOffset.MaxValue ? long.MaxValue : time.ToUnixTimeMilliseconds();

    /// <summary>Every row of <c>leases6</c>; <paramref name="path"/> names the file when a row cannot be read.</summary>
    public static List<Ipv6Lease> ReadAll(SqliteConnection connection, string path)
    {
        using var command = connection.CreateCommand();
        command.CommandText = $"SELECT {Columns} FROM leases6 ORDER BY address";
        using var reader = command.ExecuteReader();
        var leases = new List<Ipv6Lease>();
        while (reader.Read())
        {
            var address = (byte[])reader[0];
            if (address.Length != IPv6Address.Length || !Duid.TryRead((byte[])reader[1], out var duid))
            {
                throw new LeaseDatabaseCorruptException(path, $"a row of leases6 holds an address of {address.Length} bytes or an invalid DUID");
            }
            var expires = reader.GetInt64(5);
            leases.Add(new Ipv6Lease(
                duid,
                (uint)reader.GetInt64(2),
                IPv6Address.FromBytes(address),
                FromMilliseconds(reader.GetInt64(3)),
                FromMilliseconds(reader.GetInt64(4)),
                expires == long.MaxValue ? DateTimeOffset.MaxValue : DateTimeOffset.FromUnixTimeMilliseconds(expires),
                (Ipv6LeaseState)reader.GetInt32(6)));
        }
        return leases;
    }

    public void Dispose()
    {
        _upsert.Dispose();
        _delete.Dispose();
    }
}

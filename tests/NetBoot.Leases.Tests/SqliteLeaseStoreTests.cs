using NetBoot.Engine;
using NetBoot.Engine.Leases;
using NetBoot.Wire.Net;

namespace NetBoot.Leases.Tests;

/// <summary>The lease store contract, on the SQLite store: decisions see each other's changes at once, changes are
/// durable when their task completes, a reopened store has every durable lease, offers are not persisted.</summary>
public sealed class SqliteLeaseStoreTests : IDisposable
{
    private static readonly DateTimeOffset Now = new(2026, 11, 25, 12, 0, 0, TimeSpan.Zero);
    private readonly string _directory = Directory.CreateTempSubdirectory("netboot-leases-").FullName;

    private string DatabasePath => Path.Combine(_directory, "leases.db");

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private static Lease LeaseFor(int n, LeaseState state = LeaseState.Bound, DateTimeOffset? expires = null) => new(
        new IPv4Address(0xC0A84300u + (uint)n),
        new ClientKey($"hw:01525400000{n:x3}"),
        HardwareAddress.Ethernet([0x52, 0x54, 0, 0, (byte)(n >> 8), (byte)n]),
        [],
        $"host{n}",
        expires ?? Now + TimeSpan.FromHours(1),
        state);

    private static DhcpOutcome Bind(Lease lease) =>
        new(new NoReply(NoReplyReason.Recorded), new LeaseUpsert(lease, LeaseEvent.Add) { MustBeDurableBeforeReply = true });

    [Fact]
    public async Task Acknowledged_leases_survive_reopening()
    {
        await using (var store = SqliteLeaseStore.Open(DatabasePath))
        {
            await store.Execute(_ => Bind(LeaseFor(1))).Durable;
            await store.Execute(_ => Bind(LeaseFor(2) with { Expires = DateTimeOffset.MaxValue })).Durable;
        }

        await using var reopened = SqliteLeaseStore.Open(DatabasePath);
        var leases = reopened.Snapshot();
        Assert.Equal([LeaseFor(1).Address, LeaseFor(2).Address], leases.Select(l => l.Address).ToArray());
        Assert.True(leases[1].IsInfinite);
        Assert.Equal("host1", leases[0].HostName);
        Assert.Equal(LeaseFor(1).HardwareAddress, leases[0].HardwareAddress);
        Assert.Equal(LeaseFor(1).Expires, leases[0].Expires);
    }

    [Fact]
    public async Task The_next_decision_sees_the_previous_change_before_it_is_durable()
    {
        await using var store = SqliteLeaseStore.Open(DatabasePath);

        var first = store.Execute(_ => Bind(LeaseFor(1)));
        Lease? seen = null;
        store.Execute(view =>
        {
            seen = view.ByAddress(LeaseFor(1).Address);
            return new DhcpOutcome(new NoReply(NoReplyReason.Recorded));
        });

        Assert.Equal(LeaseFor(1), seen);
        await first.Durable;
    }

    [Fact]
    public async Task Many_concurrent_changes_are_all_durable_by_group_commit()
    {
        await using (var store = SqliteLeaseStore.Open(DatabasePath))
        {
            var writes = Enumerable.Range(1, 500).Select(n => Task.Run(() => store.Execute(_ => Bind(LeaseFor(n))).Durable));
            await Task.WhenAll(writes);
        }

        Assert.Equal(500, SqliteLeaseStore.Read(DatabasePath).Count);
    }

    [Fact]
    public async Task A_deferred_batch_is_committed_together_and_its_callback_runs_once_all_are_durable()
    {
        await using (var store = SqliteLeaseStore.Open(DatabasePath))
        {
            var batch = Enumerable.Range(1, 64).Select(n => store.ExecuteDeferred(_ => Bind(LeaseFor(n))).Durable).ToArray();
            var sent = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);

            store.CommitDeferred(() => sent.SetResult(batch.All(t => t.IsCompletedSuccessfully)));

            Assert.True(await sent.Task);
            Assert.Equal(64, SqliteLeaseStore.Read(DatabasePath).Count);
        }
    }

    [Fact]
    public async Task Expiry_and_deferred_changes_reach_the_database_in_decision_order()
    {
        // A lease expires (removal queued) and the same client binds again on the same address right after: the database
        // must end with the new lease, not with the removal applied last.
        await using (var store = SqliteLeaseStore.Open(DatabasePath))
        {
            await store.Execute(_ => Bind(LeaseFor(1, expires: Now - TimeSpan.FromMinutes(1)))).Durable;
            store.Expire(Now);
            var rebound = store.ExecuteDeferred(_ => Bind(LeaseFor(1))).Durable;
            store.CommitDeferred(() => { });
            await rebound;
        }

        var stored = Assert.Single(SqliteLeaseStore.Read(DatabasePath));
        Assert.Equal(LeaseFor(1).Expires, stored.Expires);
    }

    [Fact]
    public async Task Offers_are_held_in_memory_only_and_removals_are_persisted()
    {
        await using (var store = SqliteLeaseStore.Open(DatabasePath))
        {
            await store.Execute(_ => new DhcpOutcome(new NoReply(NoReplyReason.Recorded), new LeaseUpsert(LeaseFor(1, LeaseState.Offered), LeaseEvent.None))).Durable;
            await store.Execute(_ => Bind(LeaseFor(2))).Durable;
            await store.Execute(_ => Bind(LeaseFor(3))).Durable;
            await store.Execute(_ => new DhcpOutcome(new NoReply(NoReplyReason.Recorded), new LeaseRemoval(LeaseFor(3), LeaseEvent.Del))).Durable;
            Assert.Equal(2, store.Snapshot().Count);
        }

        Assert.Equal([LeaseFor(2).Address], SqliteLeaseStore.Read(DatabasePath).Select(l => l.Address).ToArray());
    }

    [Fact]
    public async Task A_client_moving_to_another_address_keeps_one_lease()
    {
        await using (var store = SqliteLeaseStore.Open(DatabasePath))
        {
            await store.Execute(_ => Bind(LeaseFor(1))).Durable;
            await store.Execute(_ => Bind(LeaseFor(1) with { Address = LeaseFor(9).Address })).Durable;
        }

        Assert.Equal([LeaseFor(9).Address], SqliteLeaseStore.Read(DatabasePath).Select(l => l.Address).ToArray());
    }

    [Fact]
    public async Task A_renewal_rewrites_the_clients_row_in_place()
    {
        var renewed = LeaseFor(1) with { HostName = "renamed", Expires = Now + TimeSpan.FromHours(5) };
        await using (var store = SqliteLeaseStore.Open(DatabasePath))
        {
            await store.Execute(_ => Bind(LeaseFor(1))).Durable;
            await store.Execute(_ => Bind(LeaseFor(2))).Durable;
            await store.Execute(_ => Bind(renewed)).Durable;
        }

        Assert.Equal([renewed, LeaseFor(2)], SqliteLeaseStore.Read(DatabasePath), LeaseComparer);
    }

    [Fact]
    public async Task A_client_moving_onto_an_address_another_client_holds_leaves_one_row_of_it_there()
    {
        // The database has the client on address 1 and another client on address 2; the write names neither row (an
        // offer moved the client in memory only, the other lease was displaced without a Replaces entry).
        var moved = LeaseFor(1) with { Address = LeaseFor(2).Address };
        await using (var store = SqliteLeaseStore.Open(DatabasePath))
        {
            await store.Execute(_ => Bind(LeaseFor(1))).Durable;
            await store.Execute(_ => Bind(LeaseFor(2))).Durable;
            await store.Execute(_ => Bind(moved)).Durable;
            Assert.Equal([moved], store.Snapshot(), LeaseComparer);
        }

        Assert.Equal([moved], SqliteLeaseStore.Read(DatabasePath), LeaseComparer);
    }

    [Fact]
    public async Task Expire_removes_bound_leases_past_their_time_and_reports_them()
    {
        await using (var store = SqliteLeaseStore.Open(DatabasePath))
        {
            await store.Execute(_ => Bind(LeaseFor(1, expires: Now - TimeSpan.FromSeconds(1)))).Durable;
            await store.Execute(_ => Bind(LeaseFor(2))).Durable;

            var expired = store.Expire(Now);
            await store.FlushAsync();

            Assert.Equal([LeaseFor(1).Address], expired.Select(l => l.Address).ToArray());
        }
        Assert.Single(SqliteLeaseStore.Read(DatabasePath));
    }

    [Fact]
    public async Task Subscribers_see_durable_changes_in_order()
    {
        await using var store = SqliteLeaseStore.Open(DatabasePath);
        var changes = store.Subscribe();

        await store.Execute(_ => Bind(LeaseFor(1))).Durable;
        await store.Execute(_ => Bind(LeaseFor(2))).Durable;

        var first = Assert.IsType<LeaseUpsert>(await changes.ReadAsync());
        var second = Assert.IsType<LeaseUpsert>(await changes.ReadAsync());
        Assert.Equal(LeaseFor(1).Address, first.Lease.Address);
        Assert.Equal(LeaseFor(2).Address, second.Lease.Address);
    }

    [Fact]
    public void Lease_file_is_in_dnsmasqs_format()
    {
        Lease[] leases =
        [
            LeaseFor(1),
            LeaseFor(2) with { Expires = DateTimeOffset.MaxValue, HostName = null, ClientId = [1, 0x52, 0x54, 0, 0, 0, 2] },
            LeaseFor(3, LeaseState.Offered),
        ];

        var text = DnsmasqLeaseFile.Format(leases, Now);

        Assert.Equal(
            $"{(Now + TimeSpan.FromHours(1)).ToUnixTimeSeconds()} 52:54:00:00:00:01 192.168.67.1 host1 *\n" +
            "0 52:54:00:00:00:02 192.168.67.2 * 01:52:54:00:00:00:02\n",
            text);
    }

    [Fact]
    public async Task A_lease_file_larger_than_the_write_buffer_has_every_line_in_dnsmasqs_format_and_replaces_the_old_one_whole()
    {
        // 3 000 leases (~200 KB, several buffers), some with a non-Ethernet hardware type, a non-ASCII host name or a
        // long client-id; offered and expired ones are left out, as dnsmasq lists only bound leases.
        var leases = Enumerable.Range(1, 3000).Select(n => n % 7 == 0
            ? LeaseFor(n) with { HardwareAddress = new HardwareAddress(6, [0x52, 0x54, 0, 0, (byte)(n >> 8), (byte)n]), HostName = $"hôte-{n}" }
            : n % 11 == 0 ? LeaseFor(n) with { ClientId = [.. Enumerable.Range(0, 200).Select(i => (byte)i)], HostName = null }
            : n % 13 == 0 ? LeaseFor(n, LeaseState.Offered)
            : n % 17 == 0 ? LeaseFor(n, expires: Now - TimeSpan.FromSeconds(1))
            : LeaseFor(n)).ToArray();
        var expected = new System.Text.StringBuilder();
        foreach (var lease in leases.Where(l => l.State == LeaseState.Bound && l.IsActiveAt(Now)))
        {
            var hardware = lease.HardwareAddress.HardwareType == 1 ? "" : $"{lease.HardwareAddress.HardwareType:x2}-";
            hardware += string.Join(':', lease.HardwareAddress.Bytes.Select(b => $"{b:x2}"));
            var id = lease.ClientId.IsDefaultOrEmpty ? "*" : string.Join(':', lease.ClientId.Select(b => $"{b:x2}"));
            expected.Append($"{lease.Expires.ToUnixTimeSeconds()} {hardware} {lease.Address} {lease.HostName ?? "*"} {id}\n");
        }
        var path = Path.Combine(_directory, "dnsmasq.leases");
        await File.WriteAllTextAsync(path, "an older, longer file\n" + new string('x', 300_000));

        await DnsmasqLeaseFile.WriteAsync(path, leases, Now, CancellationToken.None);

        Assert.Equal(expected.ToString(), await File.ReadAllTextAsync(path));
        Assert.False(File.Exists(path + ".tmp"));
    }

    [Fact]
    public async Task A_commit_sqlite_refuses_fails_the_durability_of_its_changes_and_the_next_commit_succeeds()
    {
        // A trigger makes SQLite refuse one address, as a full disk or a read-only mount refuses every write.
        await CreateRefusingDatabaseAsync(LeaseFor(1).Address);
        await using (var store = SqliteLeaseStore.Open(DatabasePath))
        {
            var refused = store.Execute(_ => Bind(LeaseFor(1)));
            var error = await Assert.ThrowsAsync<Microsoft.Data.Sqlite.SqliteException>(() => refused.Durable);
            Assert.Contains("refused by the test", error.Message, StringComparison.Ordinal);

            await store.Execute(_ => Bind(LeaseFor(2))).Durable;
            await store.Execute(_ => Bind(LeaseFor(3) with { HostName = null, ClientId = [1, 2, 3] })).Durable;
        }
        var stored = SqliteLeaseStore.Read(DatabasePath);
        Assert.Equal([LeaseFor(2), LeaseFor(3) with { HostName = null, ClientId = [1, 2, 3] }], stored, LeaseComparer);
    }

    [Fact]
    public async Task After_a_refused_commit_a_client_moving_again_still_keeps_one_row()
    {
        await CreateRefusingDatabaseAsync(LeaseFor(1).Address);
        await using (var store = SqliteLeaseStore.Open(DatabasePath))
        {
            await store.Execute(_ => Bind(LeaseFor(2))).Durable;
            // One commit: the client's move to address 3, then a row SQLite refuses. The whole commit is rolled back, so
            // the client's row is still on address 2.
            var moved = store.ExecuteDeferred(_ => Bind(LeaseFor(2) with { Address = LeaseFor(3).Address }));
            var refused = store.ExecuteDeferred(_ => Bind(LeaseFor(4) with { Address = LeaseFor(1).Address }));
            var committed = new TaskCompletionSource();
            store.CommitDeferred(committed.SetResult);
            await committed.Task;
            await Assert.ThrowsAsync<Microsoft.Data.Sqlite.SqliteException>(() => moved.Durable);
            await Assert.ThrowsAsync<Microsoft.Data.Sqlite.SqliteException>(() => refused.Durable);

            await store.Execute(_ => Bind(LeaseFor(2) with { Address = LeaseFor(5).Address })).Durable;
        }

        Assert.Equal([LeaseFor(5).Address], SqliteLeaseStore.Read(DatabasePath).Select(l => l.Address).ToArray());
    }

    [Fact]
    public async Task A_client_taking_over_an_address_leaves_the_previous_holder_its_next_row()
    {
        var first = LeaseFor(1);
        var second = LeaseFor(2) with { Address = first.Address };
        await using (var store = SqliteLeaseStore.Open(DatabasePath))
        {
            await store.Execute(_ => Bind(first)).Durable;
            await store.Execute(_ => Bind(second)).Durable;
            await store.Execute(_ => Bind(first with { Address = LeaseFor(5).Address })).Durable;
            await store.Execute(_ => Bind(second with { Address = LeaseFor(6).Address })).Durable;
        }

        var rows = SqliteLeaseStore.Read(DatabasePath);
        Assert.Equal([(LeaseFor(5).Address, first.Client), (LeaseFor(6).Address, second.Client)], rows.Select(l => (l.Address, l.Client)).ToArray());
    }

    [Fact]
    public async Task A_second_row_of_one_client_left_by_an_older_writer_is_removed_at_open()
    {
        using (var setup = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={DatabasePath};Pooling=False"))
        {
            setup.Open();
            using var command = setup.CreateCommand();
            // The first schema (version 0), which had no constraint on the client.
            command.CommandText = """
                CREATE TABLE leases (address INTEGER PRIMARY KEY, client TEXT NOT NULL, htype INTEGER NOT NULL,
                    hwaddr BLOB NOT NULL, client_id BLOB NOT NULL, hostname TEXT, expires INTEGER NOT NULL, state INTEGER NOT NULL);
                """;
            command.ExecuteNonQuery();
            command.CommandText = "INSERT INTO leases VALUES ($a1, $c, 1, x'525400000001', x'', NULL, $e, 1), ($a2, $c, 1, x'525400000001', x'', NULL, $e, 1)";
            command.Parameters.AddWithValue("$a1", (long)LeaseFor(1).Address.Value);
            command.Parameters.AddWithValue("$a2", (long)LeaseFor(2).Address.Value);
            command.Parameters.AddWithValue("$c", LeaseFor(1).Client.Value);
            command.Parameters.AddWithValue("$e", (Now + TimeSpan.FromHours(1)).ToUnixTimeMilliseconds());
            command.ExecuteNonQuery();
        }
        await using (var store = SqliteLeaseStore.Open(DatabasePath))
        {
            Assert.Equal([LeaseFor(2).Address], store.Snapshot().Select(l => l.Address).ToArray());
            await store.Execute(_ => Bind(LeaseFor(1) with { Address = LeaseFor(7).Address })).Durable;
        }

        Assert.Equal([LeaseFor(7).Address], SqliteLeaseStore.Read(DatabasePath).Select(l => l.Address).ToArray());
    }

    /// <summary>The store's table as the store creates it, with a trigger that makes SQLite refuse a row on
    /// <paramref name="refused"/> (as a full disk or a read-only mount refuses every write).</summary>
    private async Task CreateRefusingDatabaseAsync(IPv4Address refused)
    {
        await using (SqliteLeaseStore.Open(DatabasePath))
        {
        }
        using var setup = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={DatabasePath};Pooling=False");
        setup.Open();
        using var command = setup.CreateCommand();
        command.CommandText = $"""
            CREATE TRIGGER refuse BEFORE INSERT ON leases WHEN NEW.address = {refused.Value}
                BEGIN SELECT RAISE(ABORT, 'refused by the test'); END;
            """;
        command.ExecuteNonQuery();
    }

    private static readonly IEqualityComparer<Lease> LeaseComparer = EqualityComparer<Lease>.Create(
        (a, b) => a!.Address == b!.Address && a.Client == b.Client && a.HardwareAddress.ToString() == b.HardwareAddress.ToString()
            && a.ClientId.SequenceEqual(b.ClientId) && a.HostName == b.HostName && a.Expires == b.Expires && a.State == b.State,
        l => l.Address.GetHashCode());
}

using NetBoot.Engine;
using NetBoot.Engine.Leases;
using NetBoot.Wire.Net;

namespace NetBoot.Leases.Tests;

/// <summary>A damaged lease database stops start-up with what to do (move it aside); it is never silently replaced.</summary>
public sealed class CorruptDatabaseTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("netboot-leases-").FullName;

    private string DatabasePath => Path.Combine(_directory, "leases.sqlite");

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void A_file_that_is_not_a_database_is_refused_with_what_to_do()
    {
        File.WriteAllBytes(DatabasePath, [.. Enumerable.Range(0, 8192).Select(i => (byte)(i * 7))]);
        var error = Assert.Throws<LeaseDatabaseCorruptException>(() => SqliteLeaseStore.Open(DatabasePath));
        Assert.Contains(DatabasePath, error.Message);
        Assert.Contains("move it aside", error.Message);
        Assert.Equal(8192, new FileInfo(DatabasePath).Length);
    }

    [Fact]
    public async Task A_row_whose_client_key_no_netboot_wrote_is_refused_at_start_up_with_what_to_do()
    {
        await using (SqliteLeaseStore.Open(DatabasePath))
        {
        }
        using (var setup = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={DatabasePath};Pooling=False"))
        {
            setup.Open();
            using var command = setup.CreateCommand();
            command.CommandText = "INSERT INTO leases VALUES (3232252673, x'0001', 1, x'525400000001', x'', NULL, 0, 1)";
            command.ExecuteNonQuery();
        }

        var error = Assert.Throws<LeaseDatabaseCorruptException>(() => SqliteLeaseStore.Open(DatabasePath));

        Assert.Contains(DatabasePath, error.Message);
        Assert.Contains("holds 0001", error.Message);
        Assert.Contains("move it aside", error.Message);
    }

    [Fact]
    public async Task A_damaged_page_is_found_at_start_up()
    {
        await using (var store = SqliteLeaseStore.Open(DatabasePath))
        {
            for (var n = 0; n < 2000; n++)
            {
                var lease = new Lease(new IPv4Address(0x0A000000u + (uint)n), new ClientKey($"hw:01{n:x12}"),
                    HardwareAddress.Ethernet([2, 0, 0, 0, (byte)(n >> 8), (byte)n]), [], $"host-with-a-longer-name-{n}",
                    DateTimeOffset.UnixEpoch.AddYears(60), LeaseState.Bound);
                store.Execute(_ => new DhcpOutcome(new NoReply(NoReplyReason.Recorded), new LeaseUpsert(lease, LeaseEvent.Add)));
            }
            await store.FlushAsync();
        }
        // Closing checkpoints the WAL into the file; then scribble over a page in the middle (an index or table page).
        using (var file = File.OpenWrite(DatabasePath))
        {
            Assert.True(file.Length > 16 * 4096, $"database only {file.Length} bytes");
            file.Position = 8 * 4096;
            file.Write([.. Enumerable.Repeat((byte)0xA5, 4096)]);
        }
        var error = Assert.Throws<LeaseDatabaseCorruptException>(() => SqliteLeaseStore.Open(DatabasePath));
        Assert.Contains("move it aside", error.Message);
    }
}

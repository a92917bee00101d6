namespace NetBoot.Leases.Tests;

public class LeasesProjectTests
{
    [Fact]
    public void Sqlite_provider_loads_its_native_library()
    {
        using var connection = new Microsoft.Data.Sqlite.SqliteConnection("Data Source=:memory:");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "select sqlite_version()";
        Assert.StartsWith("3.", (string)command.ExecuteScalar()!);
    }
}

using Microsoft.Extensions.Logging.Abstractions;
using NetBoot.Testing;

namespace NetBoot.Leases.Postgres.Tests;

/// <summary>One throw-away PostgreSQL cluster for the tests of this assembly; each test takes a fresh database.</summary>
public sealed class PostgresFixture : IDisposable
{
    private int _next;

    public PostgresServer Server { get; } = PostgresServer.Start();

    public string NewDatabase()
    {
        var name = $"leases_{Interlocked.Increment(ref _next)}";
        Server.CreateDatabase(name);
        return name;
    }

    public async Task<PostgresLeaseStore> OpenStoreAsync(string database, bool migrate = true, Microsoft.Extensions.Logging.ILogger? logger = null) =>
        await PostgresLeaseStore.OpenAsync(PostgresConnection.CreateDataSource(Server.ConnectionString(database)), database,
            logger ?? NullLogger.Instance, TimeProvider.System, migrate, CancellationToken.None);

    public async Task<PostgresIpv6LeaseStore> OpenIpv6StoreAsync(string database, Microsoft.Extensions.Logging.ILogger? logger = null) =>
        await PostgresIpv6LeaseStore.OpenAsync(PostgresConnection.CreateDataSource(Server.ConnectionString(database)), database,
            logger ?? NullLogger.Instance, TimeProvider.System, migrate: true, CancellationToken.None);

    public void Dispose() => Server.Dispose();
}

[CollectionDefinition(Name)]
public sealed class PostgresCollection : ICollectionFixture<PostgresFixture>
{
    public const string Name = "PostgreSQL";
}

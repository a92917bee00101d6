using NetBoot.Testing;

namespace NetBoot.Leases.Postgres.Tests;

/// <summary>The lease store contract (<see cref="LeaseStoreContractTests"/>) for the shared PostgreSQL store.</summary>
[Trait("Category", "Namespace")]
[Collection(PostgresCollection.Name)]
public sealed class PostgresLeaseStoreContractTests(PostgresFixture postgres) : LeaseStoreContractTests
{
    private readonly string _database = postgres.NewDatabase();

    protected override async Task<ILeaseStore> OpenAsync() => await postgres.OpenStoreAsync(_database);
}

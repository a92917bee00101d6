using NetBoot.Testing;

namespace NetBoot.Leases.Tests;

/// <summary>The lease store contract (<see cref="LeaseStoreContractTests"/>) for the embedded SQLite store.</summary>
public sealed class SqliteLeaseStoreContractTests : LeaseStoreContractTests, IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("netboot-contract-").FullName;

    protected override Task<ILeaseStore> OpenAsync() => Task.FromResult<ILeaseStore>(SqliteLeaseStore.Open(Path.Combine(_directory, "leases.sqlite")));

    public void Dispose() => Directory.Delete(_directory, recursive: true);
}

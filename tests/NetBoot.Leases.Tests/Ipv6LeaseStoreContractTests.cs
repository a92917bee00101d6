using NetBoot.Testing;

namespace NetBoot.Leases.Tests;

/// <summary>The IPv6 lease store contract (<see cref="Ipv6LeaseStoreContractTests"/>) for the in-memory store
/// (<c>leasefile-ro</c>).</summary>
public sealed class MemoryIpv6LeaseStoreContractTests : Ipv6LeaseStoreContractTests
{
    protected override Task<IIpv6LeaseStore> OpenAsync() => Task.FromResult<IIpv6LeaseStore>(new MemoryIpv6LeaseStore());
}

/// <summary>The persistent IPv6 lease store contract (<see cref="PersistentIpv6LeaseStoreContractTests"/>) for the
/// embedded SQLite store.</summary>
public sealed class SqliteIpv6LeaseStoreContractTests : PersistentIpv6LeaseStoreContractTests, IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("netboot-contract6-").FullName;

    protected override Task<IIpv6LeaseStore> OpenAsync() => Task.FromResult<IIpv6LeaseStore>(SqliteIpv6LeaseStore.Open(Path.Combine(_directory, "leases.sqlite")));

    public void Dispose() => Directory.Delete(_directory, recursive: true);
}

using Microsoft.Extensions.Logging.Abstractions;
using NetBoot.Cli.Commands;
using NetBoot.Configuration.Model;
using NetBoot.Engine.Dhcp6;
using NetBoot.Leases;
using NetBoot.Testing;
using NetBoot.Wire.Net;

namespace NetBoot.Cli.Tests;

/// <summary>The IPv6 lease store the configuration names (<see cref="LeaseStores.OpenIpv6Async"/>) and the IPv6 leases
/// <c>netboot leases</c> lists.</summary>
public sealed class Ipv6LeasesCommandTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("netboot-leases6-cli-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private static readonly Dhcp6RangeConfig StatefulRange = new()
    {
        Start = IPv6Address.Parse("2001:db8:4d::10"),
        End = IPv6Address.Parse("2001:db8:4d::ff"),
        Modes = Dhcp6RangeModes.Dhcp,
        Source = SourceLocation.CommandLine,
    };

    private ServerConfig Config(bool ipv6 = true, bool readOnly = false) => new()
    {
        LeaseDatabase = new LeaseDatabaseConfig(LeaseDatabaseKind.Sqlite, Path.Combine(_directory, "leases.sqlite")),
        LeaseFileReadOnly = readOnly,
        Ipv6 = ipv6 ? new Ipv6Config { Ranges = [StatefulRange] } : Ipv6Config.Empty,
    };

    [Fact]
    public async Task The_factory_opens_the_sqlite_file_memory_for_leasefile_ro_and_nothing_without_a_dhcpv6_range()
    {
        var (sqlite, error) = await LeaseStores.OpenIpv6Async(Config(), NullLoggerFactory.Instance, CancellationToken.None);
        Assert.Null(error);
        await using (sqlite)
        {
            Assert.IsType<SqliteIpv6LeaseStore>(sqlite);
            await sqlite!.Execute(_ => Ipv6LeaseStoreContractTests.Bind(Ipv6LeaseStoreContractTests.LeaseFor(1))).Durable;
        }
        Assert.Equal([Ipv6LeaseStoreContractTests.LeaseFor(1)], SqliteIpv6LeaseStore.Read(Path.Combine(_directory, "leases.sqlite")));

        var (memory, _) = await LeaseStores.OpenIpv6Async(Config(readOnly: true), NullLoggerFactory.Instance, CancellationToken.None);
        await using (memory)
        {
            Assert.IsType<MemoryIpv6LeaseStore>(memory);
        }
        Assert.Equal((null, null), await LeaseStores.OpenIpv6Async(Config(ipv6: false), NullLoggerFactory.Instance, CancellationToken.None));
    }

    [Fact]
    public async Task Leases_lists_the_ipv6_leases_after_the_dhcpv4_ones_with_duid_iaid_expiry_and_state()
    {
        var now = new DateTimeOffset(2026, 12, 7, 6, 0, 0, TimeSpan.Zero);
        var bound = Ipv6LeaseStoreContractTests.LeaseFor(1, iaid: 7) with { Expires = now + TimeSpan.FromHours(1) };
        var declined = Ipv6LeaseStoreContractTests.LeaseFor(2, state: Ipv6LeaseState.Declined) with { Expires = now + TimeSpan.FromHours(1) };
        await using (var store = SqliteIpv6LeaseStore.Open(Path.Combine(_directory, "leases.sqlite")))
        {
            await store.Execute(_ => Ipv6LeaseStoreContractTests.Bind(bound, declined)).Durable;
        }
        var (leases, error) = await LeaseStores.ReadIpv6Async(Config(), CancellationToken.None);
        Assert.Null(error);

        var table = LeasesCommand.Table6(leases!, now);
        var json = LeasesCommand.Json([], leases!, now);

        Assert.Equal("""

            IPV6 ADDRESS                             DUID                                 IAID  EXPIRES (UTC)        STATE
            2001:db8:4d::1                           00:03:00:01:52:54:00:00:00:01           7  2026-12-07 07:00:00  active
            2001:db8:4d::2                           00:03:00:01:52:54:00:00:00:02           1  2026-12-07 07:00:00  declined

            """.ReplaceLineEndings("\n"), table);
        Assert.Contains("\"duid\": \"00:03:00:01:52:54:00:00:00:01\"", json, StringComparison.Ordinal);
        Assert.Contains("\"iaid\": 7", json, StringComparison.Ordinal);
        Assert.Contains("\"state\": \"declined\"", json, StringComparison.Ordinal);
        Assert.Equal("", LeasesCommand.Table6([], now));
    }
}

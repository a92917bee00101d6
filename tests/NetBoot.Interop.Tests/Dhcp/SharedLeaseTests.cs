using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using NetBoot.Interop.Tests.Lab;
using NetBoot.Testing;
using NetBoot.Wire.Net;
using Xunit.Abstractions;

namespace NetBoot.Interop.Tests.Dhcp;

/// <summary>Two NetBoot servers in two namespaces on one bridge share one PostgreSQL lease database (a throw-away
/// cluster on a Unix socket, owned by this test). 500 relayed clients each get exactly one address with no address
/// given twice (on the wire and in the table), while one server is killed and PostgreSQL restarts mid-run; every ACKed
/// lease is in the table afterwards.</summary>
/// <remarks><code>
/// [nbp-a] nbpa0 10.79.0.1/22 ─┐
///                              br0 10.79.0.2/22 [nbp-rly]  (the relay: giaddr 10.79.0.2, port 67)
/// [nbp-b] nbpb0 10.79.0.3/22 ─┘
/// </code></remarks>
[Trait("Category", "Interop")]
public sealed class SharedLeaseTests(ITestOutputHelper output)
{
    private const int Clients = 500;
    private const int InFlight = 48;
    private const int KillAfterAcks = 120;
    private const int RestartDatabaseAfterAcks = 260;
    private const string Database = "netboot";
    private static readonly TimeSpan StepTimeout = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan RunLimit = TimeSpan.FromSeconds(75);
    private static readonly IPv4Address Relay = IPv4Address.Parse("10.79.0.2");
    private static readonly IPEndPoint ServerA = new(IPAddress.Parse("10.79.0.1"), 67);
    private static readonly IPEndPoint ServerB = new(IPAddress.Parse("10.79.0.3"), 67);

    [Fact]
    public async Task Two_servers_on_one_database_give_500_clients_one_address_each_through_a_server_kill_and_a_database_restart()
    {
        var work = Directory.CreateTempSubdirectory("netboot-shared-leases-").FullName;
        using var postgres = PostgresServer.Start();
        using var relay = NetworkNamespace.Create("nbp-rly");
        using var a = NetworkNamespace.Create("nbp-a");
        using var b = NetworkNamespace.Create("nbp-b");
        relay.Exec("ip", "link", "add", "br0", "type", "bridge");
        relay.Exec("ip", "addr", "add", "10.79.0.2/22", "dev", "br0");
        relay.Exec("ip", "link", "set", "br0", "up");
        NetworkNamespace.Link(a, "nbpa0", "10.79.0.1/22", relay, "rlya", "0.0.0.0/32");
        NetworkNamespace.Link(b, "nbpb0", "10.79.0.3/22", relay, "rlyb", "0.0.0.0/32");
        relay.Exec("ip", "addr", "flush", "dev", "rlya");
        relay.Exec("ip", "addr", "flush", "dev", "rlyb");
        relay.Exec("ip", "link", "set", "rlya", "master", "br0");
        relay.Exec("ip", "link", "set", "rlyb", "master", "br0");

        postgres.CreateDatabase(Database);
        var config = Path.Combine(work, "netboot.conf");
        await File.WriteAllTextAsync(config, $"""
            port=0
            dhcp-range=10.79.0.10,10.79.3.250,255.255.252.0,1h
            dhcp-lease-max=5000
            dhcp-lease-db={postgres.LeaseDbUrl(Database)}?migrate=never
            """);
        var netboot = Path.Combine(await DhcpLab.PublishDirectory, "netboot");
        var migrate = Shell.Execute(netboot, "db", "migrate", "-C", config);
        Assert.True(migrate.ExitCode == 0, migrate.Stderr);
        Assert.Contains("schema migrated from version 0 to 1", migrate.Stdout, StringComparison.Ordinal);

        var serverA = await StartAsync(a, netboot, config, Path.Combine(work, "a.log"));
        var serverB = await StartAsync(b, netboot, config, Path.Combine(work, "b.log"));
        var keep = true;
        try
        {
            using var client = new SharedLeaseDoraClient(RelaySocket(relay), Relay, [ServerA, ServerB]);
            var acked = new ConcurrentDictionary<int, IPv4Address>();
            var killed = 0;
            var restarted = 0;
            var deadline = DateTime.UtcNow + RunLimit;
            await Parallel.ForEachAsync(Enumerable.Range(0, Clients), new ParallelOptions { MaxDegreeOfParallelism = InFlight }, async (n, _) =>
            {
                if (await client.LeaseAsync(n, StepTimeout, deadline) is not { } address)
                {
                    return;
                }
                acked[n] = address;
                if (acked.Count >= KillAfterAcks && Interlocked.Exchange(ref killed, 1) == 0)
                {
                    KillAll(a);
                }
                if (acked.Count >= RestartDatabaseAfterAcks && Interlocked.Exchange(ref restarted, 1) == 0)
                {
                    postgres.Restart();
                }
            });

            var log = $"\nserver a:\n{serverA.Log.Tail(15)}\nserver b:\n{serverB.Log.Tail(25)}\nwork folder kept: {work}";
            Assert.True(killed == 1 && restarted == 1, "the run ended before the kill and the restart" + log);
            Assert.True(acked.Count == Clients, $"{acked.Count} of {Clients} clients got a lease within {RunLimit.TotalSeconds} s{log}");
            Assert.Equal(Clients, acked.Values.Distinct().Count());

            // On the wire: no address was ever ACKed to two clients (retries and both servers included).
            var owners = client.AcksOnTheWire.GroupBy(ack => ack.Address).Where(g => g.Select(ack => ack.Client).Distinct().Count() > 1).ToList();
            Assert.True(owners.Count == 0, "addresses ACKed to two clients: " + string.Join(", ", owners.Select(g => g.Key)));

            // In the table: every ACKed lease survived the server kill and the database restart, one row per client.
            var rows = postgres.Sql("SELECT encode(hwaddr, 'hex') || ' ' || address FROM netboot_leases WHERE state = 1", Database)
                .Split('\n', StringSplitOptions.RemoveEmptyEntries)
                .Select(line => line.Split(' '))
                .ToDictionary(f => f[0], f => new IPv4Address(uint.Parse(f[1], System.Globalization.CultureInfo.InvariantCulture)));
            foreach (var (n, address) in acked)
            {
                var mac = Convert.ToHexStringLower(RelayDoraClient.Mac(n).Bytes.AsSpan());
                Assert.True(rows.TryGetValue(mac, out var stored), $"ACKed lease {address} of client {n} is not in the table{log}");
                Assert.Equal(address, stored);
            }
            Assert.Equal(rows.Count, rows.Values.Distinct().Count());
            // Server B noticed the restart (its notification connection dropped, and a commit may have failed).
            Assert.Matches(new Regex("lease database .*(unavailable|change notifications lost)"), serverB.Log.ReadAll());
            var text = serverB.Log.ReadAll();
            output.WriteLine($"{client.AcksOnTheWire.Count} ACKs on the wire for {Clients} clients; server b: "
                + $"{Regex.Count(text, "lease conflict")} conflicts, {Regex.Count(text, "unavailable")} unavailable lines, {Regex.Count(text, "notifications lost")} listen losses, "
                + $"{Regex.Count(text, "reachable again")} reconnects; server a log lines: {serverA.Log.ReadAll().Split('\n').Length}");
            keep = false;
        }
        finally
        {
            await serverA.DisposeAsync();
            await serverB.DisposeAsync();
            if (!keep)
            {
                Directory.Delete(work, recursive: true);
            }
        }
    }

    private static async Task<LabProcess> StartAsync(NetworkNamespace ns, string netboot, string config, string log)
    {
        var server = LabProcess.Start(Path.GetFileNameWithoutExtension(log), log, "ip",
            ["netns", "exec", ns.Name, "env", "NETBOOT_LOG_LEVEL=Information", netboot, "serve", "-C", config]);
        await server.Log.WaitForAsync(new Regex("started, version"), TimeSpan.FromSeconds(30), 0, server.EnsureRunning);
        return server;
    }

    /// <summary>SIGKILL to every process in the namespace (the server only): a crash, no shutdown code runs.</summary>
    private static void KillAll(NetworkNamespace ns)
    {
        foreach (var pid in Shell.Run("ip", "netns", "pids", ns.Name).Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            Shell.TryRun("kill", "-9", pid);
        }
    }

    private static Socket RelaySocket(NetworkNamespace relay) => relay.Run(() =>
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        socket.Bind(new IPEndPoint(IPAddress.Parse("10.79.0.2"), 67));
        return socket;
    });
}

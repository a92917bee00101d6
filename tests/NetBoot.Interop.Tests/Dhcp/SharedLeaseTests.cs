using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using NetBoot.Interop.Tests.Lab;
using NetBoot.Testing;
using NetBoot.Wire.Dhcp;
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
        await using var lab = await SharedLab.CreateAsync();
        var postgres = lab.Postgres;
        var serverA = await lab.StartAsync(lab.A, "a");
        var serverB = await lab.StartAsync(lab.B, "b");
        var work = lab.WorkDirectory;
        var keep = true;
        try
        {
            using var client = new SharedLeaseDoraClient(lab.RelaySocket(), Relay, [ServerA, ServerB]);
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
                    KillAll(lab.A);
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
            lab.Keep = keep;
        }
    }

    [Fact]
    public async Task A_lease_granted_by_one_server_is_renewed_and_released_by_the_other()
    {
        await using var lab = await SharedLab.CreateAsync();
        var postgres = lab.Postgres;
        var serverA = await lab.StartAsync(lab.A, "a");
        using var viaA = new RelayDoraClient(lab.RelaySocket(), Relay, ServerA);
        // Only A runs: the lease can only come from A.
        var granted = await viaA.DoraAsync(1, TimeSpan.FromSeconds(5));
        Assert.True(granted is not null, "no lease from server a\n" + serverA.Log.Tail());
        var address = granted.Value;
        var before = LeaseRow(postgres, address);
        var serverB = await lab.StartAsync(lab.B, "b");
        var log = $"\nserver a:\n{serverA.Log.Tail(15)}\nserver b:\n{serverB.Log.Tail(15)}";

        // RFC 2131 §4.3.2 RENEWING: the client, configured with its address, unicasts a REQUEST with ciaddr and neither
        // server identifier nor requested address; here to B, which did not grant the lease.
        lab.Relay.Exec("ip", "addr", "add", $"{address}/22", "dev", "br0");
        using var client = lab.Relay.Run(() =>
        {
            var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
            socket.Bind(new IPEndPoint(address.ToIPAddress(), 68));
            return socket;
        });
        var mac = RelayDoraClient.Mac(1);
        var renew = DhcpMessage.CreateRequest(DhcpMessageType.Request, mac, 0x5eed_0001) with { ClientAddress = address };
        var ack = await UnicastExchangeAsync(client, renew, ServerB, TimeSpan.FromSeconds(5));
        Assert.True(ack is { MessageType: DhcpMessageType.Ack }, $"server b did not ACK the renewal: {ack?.MessageType}{log}");
        Assert.Equal(address, ack!.YourAddress);
        Assert.True(ack.Options.TryGetAddress(DhcpOptionCode.ServerIdentifier, out var server) && server == IPv4Address.Parse("10.79.0.3"));
        var after = LeaseRow(postgres, address);
        Assert.True(after.Expires > before.Expires, $"the lease's expiry did not move: {before.Expires} -> {after.Expires}");
        Assert.NotEqual(before.UpdatedBy, after.UpdatedBy);

        // Control: while the lease is held, A offers another client some other address even when it asks for this one.
        Assert.NotEqual(address, (await DiscoverAsking(viaA, 2, address))?.YourAddress);

        // RELEASE to B (unicast, server identifier B): the row goes, and A's view follows through the notification,
        // so A now offers the address to a third client that asks for it.
        var release = DhcpMessage.CreateRequest(DhcpMessageType.Release, mac, 0x5eed_0002) with { ClientAddress = address };
        release = release with { Options = release.Options.With(DhcpOptionCode.ServerIdentifier, IPv4Address.Parse("10.79.0.3").ToBytes()) };
        await client.SendToAsync(DhcpMessageEncoder.Encode(release), ServerB);
        await Eventually(() => postgres.Sql($"SELECT count(*) FROM netboot_leases WHERE address = {address.Value}", Database) == "0", "row removed" + log);
        await Eventually(async () => (await DiscoverAsking(viaA, 3, address))?.YourAddress == address, "server a offers the released address" + log);
        lab.Keep = false;
    }

    /// <summary>A relayed DISCOVER from client <paramref name="n"/> asking for <paramref name="address"/> (option 50).</summary>
    private static Task<DhcpMessage?> DiscoverAsking(RelayDoraClient relay, int n, IPv4Address address)
    {
        var discover = DhcpMessage.CreateRequest(DhcpMessageType.Discover, RelayDoraClient.Mac(n), (uint)Random.Shared.Next()) with { RelayAgentAddress = Relay, Hops = 1 };
        discover = discover with { Options = discover.Options.With(DhcpOptionCode.RequestedIPAddress, address.ToBytes()) };
        return relay.ExchangeAsync(discover, TimeSpan.FromSeconds(2));
    }

    private static (long Expires, string UpdatedBy) LeaseRow(PostgresServer postgres, IPv4Address address)
    {
        var fields = postgres.Sql($"SELECT expires || ' ' || updated_by FROM netboot_leases WHERE address = {address.Value}", Database).Split(' ', 2);
        Assert.True(fields.Length == 2, $"no row for {address}");
        return (long.Parse(fields[0], System.Globalization.CultureInfo.InvariantCulture), fields[1]);
    }

    private static async Task<DhcpMessage?> UnicastExchangeAsync(Socket socket, DhcpMessage message, IPEndPoint server, TimeSpan timeout)
    {
        await socket.SendToAsync(DhcpMessageEncoder.Encode(message), server);
        return await ReceiveAsync(socket, message.TransactionId, timeout);
    }

    /// <summary>The BOOTREPLY with <paramref name="xid"/>, or null after <paramref name="timeout"/>.</summary>
    private static async Task<DhcpMessage?> ReceiveAsync(Socket socket, uint xid, TimeSpan timeout)
    {
        using var wait = new CancellationTokenSource(timeout);
        var buffer = new byte[1500];
        try
        {
            while (true)
            {
                var received = await socket.ReceiveFromAsync(buffer, new IPEndPoint(IPAddress.Any, 0), wait.Token);
                if (DhcpMessageDecoder.TryDecode(buffer.AsSpan(0, received.ReceivedBytes), out var reply, out _)
                    && reply.Operation == BootOperation.BootReply && reply.TransactionId == xid)
                {
                    return reply;
                }
            }
        }
        catch (OperationCanceledException)
        {
            return null;
        }
    }

    /// <summary>Polls a condition another process makes true (a notification reaching a server), within 15 s.</summary>
    private static async Task Eventually(Func<Task<bool>> condition, string what)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(15);
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "not within 15 s: " + what);
            await Task.Delay(200);
        }
    }

    private static Task Eventually(Func<bool> condition, string what) => Eventually(() => Task.FromResult(condition()), what);

    /// <summary>Issue 6, "losing the database": testdata/examples/ltsp-2nic.conf (proxyDHCP and PXE on the public NIC,
    /// leases on the private one, TFTP and HTTP) on PostgreSQL. Started while PostgreSQL is down, the server serves proxy,
    /// 4011, TFTP and HTTP at once and leases nothing (no OFFER, no ACK, no NAK); when PostgreSQL comes up it migrates the
    /// schema and a DORA completes, without a restart. Then the same while running: PostgreSQL stopped, leasing pauses
    /// (a bound client's REQUEST gets no ACK) while the rest serves; PostgreSQL started, leasing resumes.</summary>
    [Fact]
    public async Task Without_its_database_the_server_serves_proxy_pxe_tftp_and_http_and_pauses_leasing_until_it_is_back()
    {
        using var postgres = PostgresServer.Start();
        postgres.CreateDatabase(Database);
        postgres.Stop();
        await using var lab = DhcpLab.Create();
        lab.Keep = true;
        lab.Readdress("192.168.67.1/24");
        var publicSide = lab.AddLink("nbs1", "192.168.1.10/24", "nbp0");
        publicSide.Exec("ip", "addr", "add", "192.168.1.20/24", "dev", "nbp0");
        var tftpRoot = Directory.CreateDirectory(Path.Combine(lab.WorkDirectory, "tftp")).FullName;
        Directory.CreateDirectory(Path.Combine(tftpRoot, "ltsp", "amd64"));
        var marker = "pxelinux " + Guid.NewGuid().ToString("N");
        await File.WriteAllTextAsync(Path.Combine(tftpRoot, "ltsp", "amd64", "pxelinux.0"), marker);
        var config = File.ReadAllText(Path.Combine(TestPaths.Examples, "ltsp-2nic.conf"))
            .Replace("tftp-root=/var/lib/tftpboot", $"tftp-root={tftpRoot}", StringComparison.Ordinal)
            + $"\nhttp-port={HttpPort}\ndhcp-lease-db={postgres.LeaseDbUrl(Database)}\n";
        await lab.StartServerAsync(config);
        var server = lab.ServerProcess;
        var netboot = Path.Combine(await DhcpLab.PublishDirectory, "netboot");
        using var client = new DeviceClient(lab.Client, "nbc0");

        await server.Log.WaitForAsync(new Regex("lease database .* unreachable at start: .*start PostgreSQL"), TimeSpan.FromSeconds(5), 0, server.EnsureRunning);
        await AssertBootServicesServeAsync(publicSide, netboot, marker, lab);
        Assert.Null(await client.ExchangeAsync(Discover(Mac(1)), TimeSpan.FromSeconds(3)));
        // Not even a NAK for an address the (never loaded) view knows nothing about.
        Assert.Null(await client.ExchangeAsync(InitReboot(Mac(1), IPv4Address.Parse("192.168.67.30")), TimeSpan.FromSeconds(3)));
        await server.Log.WaitForAsync(new Regex("DHCP paused: \\d+ lease request"), TimeSpan.FromSeconds(5), 0, server.EnsureRunning);

        postgres.StartCluster();
        var back = await server.Log.WaitForAsync(new Regex("lease database .* reachable again"), TimeSpan.FromSeconds(30), 0, server.EnsureRunning);
        Assert.True(server.Log.Contains(new Regex("schema migrated from version 0 to 3")), lab.Failure("no migration on reconnect"));
        var first = await client.DoraAsync(Mac(1), TimeSpan.FromSeconds(3));
        Assert.True(first is not null, lab.Failure("no DORA after PostgreSQL came up"));
        Assert.Equal("1", postgres.Sql($"SELECT count(*) FROM netboot_leases WHERE address = {first.Value.Value}", Database));

        // Mid-run: PostgreSQL stops under the running server.
        postgres.Stop();
        var lost = await server.Log.WaitForAsync(new Regex("lease database .* unavailable: "), TimeSpan.FromSeconds(15), back.Index, server.EnsureRunning);
        await AssertBootServicesServeAsync(publicSide, netboot, marker, lab);
        Assert.Null(await client.ExchangeAsync(Discover(Mac(2)), TimeSpan.FromSeconds(3)));
        // The bound client's REQUEST for its own address: the ACK could not be made durable, so none (and no NAK).
        Assert.Null(await client.ExchangeAsync(InitReboot(Mac(1), first.Value), TimeSpan.FromSeconds(3)));

        postgres.StartCluster();
        await server.Log.WaitForAsync(new Regex("lease database .* reachable again"), TimeSpan.FromSeconds(30), lost.Index, server.EnsureRunning);
        var second = await client.DoraAsync(Mac(2), TimeSpan.FromSeconds(3));
        Assert.True(second is not null, lab.Failure("no DORA after PostgreSQL restarted"));
        Assert.NotEqual(first, second);
        Assert.Equal("2", postgres.Sql("SELECT count(*) FROM netboot_leases", Database));
        Assert.False(server.HasExited);
        lab.Keep = false;
    }

    private const int HttpPort = 8079;

    /// <summary>From the public side: <c>netboot probe</c> gets the proxy offer and the 4011 answer, and the boot file
    /// comes by TFTP and by HTTP.</summary>
    private static async Task AssertBootServicesServeAsync(NetworkNamespace publicSide, string netboot, string marker, DhcpLab lab)
    {
        var probe = Shell.Execute("ip", "netns", "exec", publicSide.Name, netboot, "probe", "--interface", "nbp0", "--arch", "bios", "--wait", "2");
        Assert.True(probe.ExitCode == 0, lab.Failure($"probe exited {probe.ExitCode}: {probe.Stderr}\n{probe.Stdout}"));
        Assert.True(probe.Stdout.Contains("proxyDHCP from 192.168.1.10", StringComparison.Ordinal)
            && probe.Stdout.Contains("port 4011 for boot item 0x8000 layer 0:\n  proxyDHCP from 192.168.1.10: Ack, next server 192.168.1.10, boot file /ltsp/amd64/pxelinux.0", StringComparison.Ordinal), lab.Failure(probe.Stdout));
        var fetched = Path.Combine(lab.WorkDirectory, "fetched-" + Guid.NewGuid().ToString("N")[..8]);
        var tftp = Shell.Execute("ip", "netns", "exec", publicSide.Name, netboot, "tftp-get", "192.168.1.10", "/ltsp/amd64/pxelinux.0", "-o", fetched);
        Assert.True(tftp.ExitCode == 0, lab.Failure($"TFTP failed: {tftp.Stdout}{tftp.Stderr}"));
        Assert.Equal(marker, await File.ReadAllTextAsync(fetched));
        var http = Shell.Execute("ip", "netns", "exec", publicSide.Name, "curl", "-sS", "--fail", "--max-time", "10",
            $"http://192.168.1.10:{HttpPort}/ltsp/amd64/pxelinux.0");
        Assert.True(http.ExitCode == 0, lab.Failure($"HTTP failed: {http.Stderr}"));
        Assert.Equal(marker, http.Stdout);
    }

    private static HardwareAddress Mac(int n) => HardwareAddress.Ethernet([0x52, 0x54, 0x00, 0x6f, 0x00, (byte)n]);

    private static DhcpMessage Discover(HardwareAddress mac) =>
        DhcpMessage.CreateRequest(DhcpMessageType.Discover, mac, (uint)Random.Shared.Next()) with { Flags = 0x8000 };

    /// <summary>RFC 2131 §4.3.2 INIT-REBOOT: requested address, no server identifier, broadcast.</summary>
    private static DhcpMessage InitReboot(HardwareAddress mac, IPv4Address address)
    {
        var request = DhcpMessage.CreateRequest(DhcpMessageType.Request, mac, (uint)Random.Shared.Next()) with { Flags = 0x8000 };
        return request with { Options = request.Options.With(DhcpOptionCode.RequestedIPAddress, address.ToBytes()) };
    }

    /// <summary>A DHCP client on an interface without an address: broadcasts from 0.0.0.0:68 out of that interface.</summary>
    private sealed class DeviceClient : IDisposable
    {
        private readonly Socket _socket;

        public DeviceClient(NetworkNamespace ns, string device) => _socket = ns.Run(() =>
        {
            var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp) { EnableBroadcast = true };
            // SO_BINDTODEVICE: an interface without an address has no route.
            socket.SetRawSocketOption(1, 25, System.Text.Encoding.ASCII.GetBytes(device + "\0"));
            socket.Bind(new IPEndPoint(IPAddress.Any, 68));
            return socket;
        });

        public async Task<DhcpMessage?> ExchangeAsync(DhcpMessage message, TimeSpan timeout)
        {
            await _socket.SendToAsync(DhcpMessageEncoder.Encode(message), new IPEndPoint(IPAddress.Broadcast, 67));
            return await ReceiveAsync(_socket, message.TransactionId, timeout);
        }

        /// <summary>DISCOVER, OFFER, REQUEST (selecting), ACK; the address, or null when a step got no answer.</summary>
        public async Task<IPv4Address?> DoraAsync(HardwareAddress mac, TimeSpan step)
        {
            if (await ExchangeAsync(Discover(mac), step) is not { MessageType: DhcpMessageType.Offer } offer
                || !offer.Options.TryGetAddress(DhcpOptionCode.ServerIdentifier, out var server))
            {
                return null;
            }
            var request = DhcpMessage.CreateRequest(DhcpMessageType.Request, mac, (uint)Random.Shared.Next()) with { Flags = 0x8000 };
            request = request with
            {
                Options = request.Options
                    .With(DhcpOptionCode.RequestedIPAddress, offer.YourAddress.ToBytes())
                    .With(DhcpOptionCode.ServerIdentifier, server.ToBytes()),
            };
            return await ExchangeAsync(request, step) is { MessageType: DhcpMessageType.Ack } ack ? ack.YourAddress : null;
        }

        public void Dispose() => _socket.Dispose();
    }

    [Fact]
    public async Task Serve_refuses_a_password_file_that_others_can_read_naming_the_file_and_the_fix()
    {
        var work = Directory.CreateTempSubdirectory("netboot-passfile-").FullName;
        try
        {
            var passfile = Path.Combine(work, "db.password");
            await File.WriteAllTextAsync(passfile, "secret\n");
            File.SetUnixFileMode(passfile, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
            var config = Path.Combine(work, "netboot.conf");
            await File.WriteAllTextAsync(config, $"""
                port=0
                dhcp-range=10.80.0.10,10.80.0.50,1h
                dhcp-lease-db=postgresql://netboot@db.invalid/netboot?passfile={passfile}
                """);
            var netboot = Path.Combine(await DhcpLab.PublishDirectory, "netboot");
            using var ns = NetworkNamespace.Create("nbp-pw");

            var (code, _, stderr) = Shell.Execute("ip", "netns", "exec", ns.Name, "timeout", "-s", "KILL", "30", netboot, "serve", "-C", config);

            // Refused by the validation check and reload share, before anything is opened: a configuration error (1),
            // with the directive's line.
            Assert.Equal(1, code);
            Assert.Contains($"{passfile}: the password file can be read or changed by group or others (mode 644); run chmod 600 {passfile} at line 3 of {config}", stderr, StringComparison.Ordinal);
            Assert.Contains("FAILED to start up", stderr, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }

    /// <summary>SIGKILL to every process in the namespace (the server only): a crash, no shutdown code runs.</summary>
    private static void KillAll(NetworkNamespace ns)
    {
        foreach (var pid in Shell.Run("ip", "netns", "pids", ns.Name).Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            Shell.TryRun("kill", "-9", pid);
        }
    }

    /// <summary>The two-server lab of this class: a throw-away PostgreSQL cluster with the schema migrated by
    /// <c>netboot db migrate</c>, the relay namespace with its bridge, and the two server namespaces on it. Servers
    /// started through it are stopped on disposal; the work folder is kept when <see cref="Keep"/> is set.</summary>
    internal sealed class SharedLab : IAsyncDisposable
    {
        private readonly List<LabProcess> _servers = [];
        private readonly List<IDisposable> _owned = [];

        private SharedLab(string work, PostgresServer postgres)
        {
            WorkDirectory = work;
            Postgres = postgres;
        }

        public string WorkDirectory { get; }

        public PostgresServer Postgres { get; }

        public NetworkNamespace Relay { get; private set; } = null!;

        public NetworkNamespace A { get; private set; } = null!;

        public NetworkNamespace B { get; private set; } = null!;

        public string ConfigPath => Path.Combine(WorkDirectory, "netboot.conf");

        public string Netboot { get; private set; } = "";

        public bool Keep { get; set; } = true;

        public static async Task<SharedLab> CreateAsync()
        {
            var lab = new SharedLab(Directory.CreateTempSubdirectory("netboot-shared-leases-").FullName, PostgresServer.Start());
            lab._owned.Add(lab.Postgres);
            lab.Relay = lab.Own(NetworkNamespace.Create("nbp-rly"));
            lab.A = lab.Own(NetworkNamespace.Create("nbp-a"));
            lab.B = lab.Own(NetworkNamespace.Create("nbp-b"));
            lab.Relay.Exec("ip", "link", "add", "br0", "type", "bridge");
            lab.Relay.Exec("ip", "addr", "add", "10.79.0.2/22", "dev", "br0");
            lab.Relay.Exec("ip", "link", "set", "br0", "up");
            NetworkNamespace.Link(lab.A, "nbpa0", "10.79.0.1/22", lab.Relay, "rlya", "0.0.0.0/32");
            NetworkNamespace.Link(lab.B, "nbpb0", "10.79.0.3/22", lab.Relay, "rlyb", "0.0.0.0/32");
            lab.Relay.Exec("ip", "addr", "flush", "dev", "rlya");
            lab.Relay.Exec("ip", "addr", "flush", "dev", "rlyb");
            lab.Relay.Exec("ip", "link", "set", "rlya", "master", "br0");
            lab.Relay.Exec("ip", "link", "set", "rlyb", "master", "br0");

            lab.Postgres.CreateDatabase(Database);
            await File.WriteAllTextAsync(lab.ConfigPath, $"""
                port=0
                dhcp-range=10.79.0.10,10.79.3.250,255.255.252.0,1h
                dhcp-lease-max=5000
                dhcp-lease-db={lab.Postgres.LeaseDbUrl(Database)}?migrate=never
                """);
            lab.Netboot = Path.Combine(await DhcpLab.PublishDirectory, "netboot");
            var migrate = Shell.Execute(lab.Netboot, "db", "migrate", "-C", lab.ConfigPath);
            Assert.True(migrate.ExitCode == 0, migrate.Stderr);
            Assert.Contains("schema migrated from version 0 to 3", migrate.Stdout, StringComparison.Ordinal);
            return lab;
        }

        private NetworkNamespace Own(NetworkNamespace ns)
        {
            _owned.Add(ns);
            return ns;
        }

        /// <summary>Starts <c>netboot serve</c> in <paramref name="ns"/>; returns once it has opened its sockets.</summary>
        public async Task<LabProcess> StartAsync(NetworkNamespace ns, string name)
        {
            var server = LabProcess.Start(name, Path.Combine(WorkDirectory, name + ".log"), "ip",
                ["netns", "exec", ns.Name, "env", "NETBOOT_LOG_LEVEL=Information", Netboot, "serve", "-C", ConfigPath]);
            _servers.Add(server);
            await server.Log.WaitForAsync(new Regex("started, version"), TimeSpan.FromSeconds(30), 0, server.EnsureRunning);
            return server;
        }

        /// <summary>A socket in the relay namespace bound to the relay's address (giaddr), port 67.</summary>
        public Socket RelaySocket() => Relay.Run(() =>
        {
            var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
            socket.Bind(new IPEndPoint(IPAddress.Parse("10.79.0.2"), 67));
            return socket;
        });

        public async ValueTask DisposeAsync()
        {
            foreach (var server in _servers)
            {
                await server.DisposeAsync();
            }
            foreach (var owned in Enumerable.Reverse(_owned))
            {
                owned.Dispose();
            }
            if (!Keep)
            {
                Directory.Delete(WorkDirectory, recursive: true);
            }
        }
    }
}

using System.Collections.Concurrent;
using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using NetBoot.Interop.Tests.Dhcp;
using NetBoot.Interop.Tests.Servers;
using NetBoot.Testing;
using NetBoot.Wire.Dhcp;
using NetBoot.Wire.Net;
using Xunit.Abstractions;

namespace NetBoot.Interop.Tests.Hostile;

/// <summary>Faults under the lease store. The full disk is a small tmpfs mounted in a private mount namespace of the
/// server process only (<c>unshare --mount --propagation private</c>): the host's mount table is never touched.</summary>
[Trait("Category", "Interop")]
public sealed class LeaseStoreFaultTests(ITestOutputHelper output)
{
    private const string Config = """
        port=0
        dhcp-range=10.78.0.20,10.78.0.250,255.255.255.0,1h
        dhcp-lease-max=5000
        """;

    private static readonly TimeSpan Step = TimeSpan.FromSeconds(2);

    /// <summary>The wrapper that gives netboot its own mount namespace with a tmpfs of <paramref name="size"/> on
    /// <paramref name="directory"/> (then runs <paramref name="more"/>, e.g. a copy and a read-only remount) and execs it.</summary>
    private static string[] PrivateTmpfs(string directory, string size, string more = "true") =>
        ["unshare", "--mount", "--propagation", "private", "sh", "-c", $"mount -t tmpfs -o size={size} netboot-fault \"$0\" && {more} && exec \"$@\"", directory];

    private static async Task<DhcpLab> LabAsync()
    {
        var lab = DhcpLab.Create();
        lab.Client.Exec("ip", "addr", "add", "10.78.0.2/24", "dev", "nbc0");
        return lab;
    }

    private static RelayDoraClient Relay(DhcpLab lab) => new(HostileLab.RelaySocket(lab), HostileLab.Relay, HostileLab.Server);

    [Fact]
    public async Task A_full_disk_stops_acks_with_a_clear_error_and_serving_resumes_when_space_is_freed()
    {
        await using var lab = await LabAsync();
        var tmpfs = Directory.CreateDirectory(Path.Combine(lab.WorkDirectory, "fault")).FullName;
        var database = Path.Combine(tmpfs, "leases.sqlite");
        await lab.StartServerAsync(Config, PrivateTmpfs(tmpfs, "8m"), database);
        var pid = lab.ServerProcess.Id;
        using var relay = Relay(lab);

        var acked = new Dictionary<int, IPv4Address>();
        for (var n = 0; n < 20; n++)
        {
            acked[n] = await relay.DoraAsync(n, Step) ?? throw new InvalidOperationException(lab.Failure($"no ACK for client {n} before the fault"));
        }

        // Fill the tmpfs (dd stops at ENOSPC), inside the server's own mount namespace.
        InMountNamespace(pid, "sh", "-c", $"dd if=/dev/zero of={tmpfs}/filler bs=64k 2>/dev/null; df -k {tmpfs} | tail -1");
        var offersWithoutAck = 0;
        var renewalAnswered = false;
        for (var n = 100; n < 110; n++)
        {
            var (offer, ack) = await DoraStepsAsync(relay, n);
            offersWithoutAck += offer is not null && ack is null ? 1 : 0;
            Assert.True(ack is null, lab.Failure($"client {n} got {ack?.MessageType} {ack?.YourAddress} while the lease database cannot be written"));
        }
        var renew = DhcpMessage.CreateRequest(DhcpMessageType.Request, RelayDoraClient.Mac(0), 0xfa110001) with
        {
            ClientAddress = acked[0], RelayAgentAddress = HostileLab.Relay, Hops = 1,
        };
        renewalAnswered = await relay.ExchangeAsync(renew, Step) is { MessageType: DhcpMessageType.Ack };
        var log = lab.ServerProcess.Log;
        await log.WaitForAsync(new Regex(@"lease database \S+ cannot be written: .*full"), TimeSpan.FromSeconds(5));
        Assert.False(renewalAnswered, "a renewal was ACKed while the lease database could not be written");
        Assert.Equal(10, offersWithoutAck);
        Assert.DoesNotContain(Leases(lab, pid, database), l => l.HardwareAddress.StartsWith("02:4e:42:00:00:6", StringComparison.Ordinal));

        // Free the space: no restart, the next requests are ACKed and durable.
        InMountNamespace(pid, "rm", "-f", $"{tmpfs}/filler");
        for (var n = 100; n < 110; n++)
        {
            var (_, ack) = await DoraStepsAsync(relay, n);
            ack ??= (await DoraStepsAsync(relay, n)).Ack;
            Assert.True(ack is { MessageType: DhcpMessageType.Ack }, lab.Failure($"client {n} not ACKed after the space was freed"));
            acked[n] = ack!.YourAddress;
        }
        await log.WaitForAsync(new Regex(@"lease database \S+ is writable again"), TimeSpan.FromSeconds(5));
        var stored = Leases(lab, pid, database).ToDictionary(l => l.HardwareAddress, l => l.Address);
        foreach (var (n, address) in acked)
        {
            Assert.True(stored.TryGetValue(RelayDoraClient.Mac(n).ToString(), out var kept) && kept == address.ToString(), lab.Failure($"ACKed lease {address} of client {n} lost"));
        }
        Assert.Equal(stored.Count, stored.Values.Distinct().Count());
        output.WriteLine($"full disk: {offersWithoutAck} OFFERs, 0 ACKs while full; {acked.Count} ACKed leases all stored after freeing space");
        output.WriteLine(string.Join('\n', log.ReadAll().Split('\n').Where(l => l.Contains("lease database", StringComparison.Ordinal)).Take(3)));
    }

    [Fact]
    public async Task A_read_only_or_damaged_database_stops_start_up_saying_what_to_do_and_nothing_is_lost()
    {
        await using var lab = await LabAsync();
        await lab.StartServerAsync(Config);
        using (var relay = Relay(lab))
        {
            for (var n = 0; n < 10; n++)
            {
                Assert.NotNull(await relay.DoraAsync(n, Step));
            }
        }
        var before = await lab.LeasesAsync();
        // A clean stop checkpoints the WAL into the file (damage to a file whose pages all sit in the WAL goes unseen).
        lab.ServerProcess.Signal(15);
        Assert.Equal(0, await lab.ServerProcess.WaitForExitAsync(TimeSpan.FromSeconds(30)));
        await lab.ServerProcess.DisposeAsync();

        // Read-only: a copy of the database on a tmpfs remounted read-only (in the server's private mount namespace).
        var tmpfs = Directory.CreateDirectory(Path.Combine(lab.WorkDirectory, "ro")).FullName;
        await lab.StartServerAsync(Config, PrivateTmpfs(tmpfs, "8m", $"cp {lab.DatabasePath}* \"$0\"/ && mount -o remount,ro \"$0\""),
            Path.Combine(tmpfs, Path.GetFileName(lab.DatabasePath)), waitForStart: false);
        Assert.Equal(2, await lab.ServerProcess.WaitForExitAsync(TimeSpan.FromSeconds(30)));
        var readOnly = lab.ServerProcess.Log.Find(new Regex("FAILED to start up: .*"));
        output.WriteLine(readOnly.Value);
        Assert.True(Regex.IsMatch(readOnly.Value, "cannot open the lease database .*(readonly|read-only|unable to open).*writable"), readOnly.Value);

        // Damaged: the file overwritten with garbage; start-up refuses and says to move it aside; the file is kept.
        await lab.ServerProcess.DisposeAsync();
        var good = Path.Combine(lab.WorkDirectory, "good-copy");
        Directory.CreateDirectory(good);
        foreach (var file in Directory.GetFiles(lab.WorkDirectory, "leases.sqlite*"))
        {
            File.Copy(file, Path.Combine(good, Path.GetFileName(file)));
        }
        var garbage = Enumerable.Range(0, 16384).Select(i => (byte)(i * 31 + 7)).ToArray();
        await File.WriteAllBytesAsync(lab.DatabasePath, garbage);
        await lab.StartServerAsync(Config, [], lab.DatabasePath, waitForStart: false);
        Assert.Equal(2, await lab.ServerProcess.WaitForExitAsync(TimeSpan.FromSeconds(30)));
        var damaged = lab.ServerProcess.Log.Find(new Regex("FAILED to start up: .*"));
        Assert.Matches("is damaged .*move it aside", damaged.Value);
        Assert.Equal(garbage, await File.ReadAllBytesAsync(lab.DatabasePath));
        await lab.ServerProcess.DisposeAsync();

        // The fault cleared (the good file back): everything is there.
        foreach (var file in Directory.GetFiles(lab.WorkDirectory, "leases.sqlite*"))
        {
            File.Delete(file);
        }
        foreach (var file in Directory.GetFiles(good))
        {
            File.Copy(file, Path.Combine(lab.WorkDirectory, Path.GetFileName(file)));
        }
        await lab.StartServerAsync(Config);
        Assert.Equal(before.Select(l => (l.Address, l.HardwareAddress)).Order(), (await lab.LeasesAsync()).Select(l => (l.Address, l.HardwareAddress)).Order());
        output.WriteLine(damaged.Value);
    }

    [Fact]
    public async Task Kill_9_at_random_moments_of_a_lease_storm_loses_no_acked_lease_and_never_gives_an_address_twice()
    {
        const int Rounds = 5, ClientsPerRound = 150, InFlight = 32;
        var seed = Environment.TickCount;
        var random = new Random(seed);
        output.WriteLine($"seed {seed}");
        await using var lab = DhcpLab.Create();
        // A /22 (1000 addresses) for 5 rounds of new clients; the client namespace is the relay.
        lab.Server.Exec("ip", "addr", "flush", "dev", "nbs0");
        lab.Server.Exec("ip", "addr", "add", "10.78.0.1/22", "dev", "nbs0");
        lab.Client.Exec("ip", "addr", "add", "10.78.0.2/22", "dev", "nbc0");
        const string Config = """
            port=0
            dhcp-range=10.78.0.20,10.78.3.250,255.255.252.0,1h
            dhcp-lease-max=5000
            """;
        var acked = new ConcurrentDictionary<int, IPv4Address>();
        for (var round = 0; round < Rounds; round++)
        {
            await lab.StartServerAsync(Config);
            var stored = (await lab.LeasesAsync()).ToDictionary(l => l.HardwareAddress, l => l.Address);
            foreach (var (n, address) in acked)
            {
                Assert.True(stored.TryGetValue(RelayDoraClient.Mac(n).ToString(), out var kept) && kept == address.ToString(),
                    lab.Failure($"round {round}: ACKed lease {address} of client {n} lost (seed {seed})"));
            }
            Assert.Equal(stored.Count, stored.Values.Distinct().Count());

            // Each round: new clients and some of the earlier ones again (renewals), killed at a random moment.
            using var relay = Relay(lab);
            var clients = Enumerable.Range(round * ClientsPerRound, ClientsPerRound).Concat(acked.Keys.Take(50)).ToArray();
            // The kill lands at a random moment: after a random number of ACKs, plus a random few milliseconds (so it
            // may hit a commit, a reply in flight, or the gap between them).
            var killAtAcks = random.Next(10, 120);
            var killDelay = random.Next(0, 6);
            var ackedThisRound = 0;
            var killed = 0;
            var reachedKillPoint = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var storm = Parallel.ForEachAsync(clients, new ParallelOptions { MaxDegreeOfParallelism = InFlight }, async (n, _) =>
            {
                if (Volatile.Read(ref killed) == 0 && await relay.DoraAsync(n, Step) is { } address)
                {
                    if (acked.TryGetValue(n, out var earlier) && earlier != address)
                    {
                        throw new InvalidOperationException($"client {n} moved from {earlier} to {address}");
                    }
                    acked[n] = address;
                    if (Interlocked.Increment(ref ackedThisRound) >= killAtAcks)
                    {
                        reachedKillPoint.TrySetResult();
                    }
                }
            });
            await Task.WhenAny(reachedKillPoint.Task, storm);
            Assert.True(reachedKillPoint.Task.IsCompleted, lab.Failure($"round {round}: only {ackedThisRound} ACKs"));
            await Task.Delay(killDelay);
            Interlocked.Exchange(ref killed, 1);
            await lab.KillServerAsync();
            await storm;
            output.WriteLine($"round {round}: killed {killDelay} ms after ACK {killAtAcks}; {ackedThisRound} ACKs seen this round, {acked.Count} ACKed leases so far");
        }

        await lab.StartServerAsync(Config);
        var final = (await lab.LeasesAsync()).ToDictionary(l => l.HardwareAddress, l => l.Address);
        foreach (var (n, address) in acked)
        {
            Assert.True(final.TryGetValue(RelayDoraClient.Mac(n).ToString(), out var kept) && kept == address.ToString(), lab.Failure($"ACKed lease {address} of client {n} lost (seed {seed})"));
        }
        Assert.Equal(final.Count, final.Values.Distinct().Count());
        Assert.Equal(acked.Count, acked.Values.Distinct().Count());
    }

    private static async Task<(DhcpMessage? Offer, DhcpMessage? Ack)> DoraStepsAsync(RelayDoraClient relay, int n)
    {
        var mac = RelayDoraClient.Mac(n);
        var xid = 0xfa000000u + (uint)n * 16 + (uint)Random.Shared.Next(8) * 2;
        var discover = DhcpMessage.CreateRequest(DhcpMessageType.Discover, mac, xid) with { RelayAgentAddress = HostileLab.Relay, Hops = 1 };
        if (await relay.ExchangeAsync(discover, Step) is not { MessageType: DhcpMessageType.Offer } offer)
        {
            return (null, null);
        }
        var request = DhcpMessage.CreateRequest(DhcpMessageType.Request, mac, xid + 1) with { RelayAgentAddress = HostileLab.Relay, Hops = 1 };
        request = request with
        {
            Options = request.Options
                .With(DhcpOptionCode.RequestedIPAddress, offer.YourAddress.ToBytes())
                .With(DhcpOptionCode.ServerIdentifier, HostileLab.Server.Address.GetAddressBytes()),
        };
        return (offer, await relay.ExchangeAsync(request, Step));
    }

    private static string InMountNamespace(int pid, params string[] command) =>
        Shell.Run(["nsenter", "-t", pid.ToString(System.Globalization.CultureInfo.InvariantCulture), "-m", .. command]);

    /// <summary><c>netboot leases --json</c> inside the server's mount namespace (the tmpfs is visible only there).</summary>
    private static List<DhcpLab.LeaseRow> Leases(DhcpLab lab, int pid, string database)
    {
        var netboot = Path.Combine(NetBootServer.PublishDirectory, "netboot");
        var json = InMountNamespace(pid, "env", $"NETBOOT_LEASE_DB={database}", netboot, "leases", "--json", "-C", Path.Combine(lab.WorkDirectory, "netboot.conf"));
        return JsonSerializer.Deserialize<List<DhcpLab.LeaseRow>>(json, new JsonSerializerOptions { PropertyNameCaseInsensitive = true })!;
    }
}

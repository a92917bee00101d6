using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using NetBoot.Interop.Tests.Dhcp;
using NetBoot.Testing;
using NetBoot.Wire.Dhcp;
using NetBoot.Wire.Net;
using Xunit.Abstractions;

namespace NetBoot.Interop.Tests.Hostile;

/// <summary>Idle TCP connections to the HTTP boot port, far more than the server's file descriptor limit (1024, set with
/// prlimit around the server), from 100 client addresses: the server keeps to its connection budget, DHCP on 67 and
/// 4011, TFTP and an HTTP client from another address are answered throughout, and its memory stays bounded. And one
/// address cannot hold more than its share while another is served.</summary>
[Trait("Category", "Interop")]
public sealed partial class HttpFloodTests(ITestOutputHelper output)
{
    private const int DescriptorLimit = 1024;
    private const int TftpMax = 20;
    private const int FloodConnections = 3000;
    private const double MemoryCeilingMiB = 200;
    private static readonly TimeSpan FloodDuration = TimeSpan.FromSeconds(25);
    private static readonly TimeSpan ProbeWait = TimeSpan.FromMilliseconds(700);
    private static readonly IPEndPoint HttpServer = new(IPAddress.Parse("10.78.0.1"), 80);
    private const string ProbeClient = "10.78.0.3";
    private const string ProbeFile = "probe.bin";

    [Fact]
    public async Task Dhcp_tftp_and_http_from_another_address_are_answered_while_idle_connections_exceed_the_descriptor_limit()
    {
        await using var lab = DhcpLab.Create();
        var (pxe, budget, expected) = await StartAsync(lab);
        var sources = Enumerable.Range(130, 100).Select(n => IPAddress.Parse($"10.78.0.{n}")).ToList();
        AddAddresses(lab, sources);
        using var relay = new RelayDoraClient(HostileLab.RelaySocket(lab), HostileLab.Relay, HostileLab.Server);
        using var pxeSocket = HostileLab.ClientSocket(pxe, "nbp0");
        var pid = lab.ServerProcess.Id;
        var before = HostileLab.Memory(pid);
        var cpuBefore = CpuSeconds(pid);
        // Sockets before the flood (DHCP, TFTP, HTTP listeners, netlink): what HTTP connections add is counted from here.
        var socketsBefore = SocketCount(pid);

        await using var flood = new HttpConnectionFlood(lab.Client, HttpServer, sources) { Wanted = FloodConnections };
        using var stop = new CancellationTokenSource();
        var clock = Stopwatch.StartNew();
        var flooding = Task.Run(() => flood.RunAsync(FloodDuration, stop.Token));
        // The table is full when the first newcomer is refused for want of room.
        await lab.ServerProcess.Log.WaitForAsync(new Regex(@"HTTP connection limit reached \(connection refused: every connection is busy"),
            TimeSpan.FromSeconds(15), 0, lab.ServerProcess.EnsureRunning);
        var fullAfter = clock.Elapsed;

        var rounds = 0;
        var failures = new List<string>();
        var (heldMax, perAddressMax, descriptorsMax) = (0, 0, 0);
        var heldSamples = new List<int>();
        uint xid = 0x4477_0000;
        while (!flooding.IsCompleted || rounds < 5)
        {
            rounds++;
            var peers = EstablishedOnPort80(lab);
            var held = SocketCount(pid) - socketsBefore;
            heldSamples.Add(held);
            heldMax = Math.Max(heldMax, held);
            perAddressMax = Math.Max(perAddressMax, peers.GroupBy(Address).Select(g => g.Count()).DefaultIfEmpty().Max());
            descriptorsMax = Math.Max(descriptorsMax, Directory.GetFileSystemEntries($"/proc/{pid}/fd").Length);
            var mac = HardwareAddress.Ethernet([0x52, 0x54, 0, 0x44, 0, (byte)rounds]);
            var offer = await HostileLab.AskAsync(pxeSocket, DhcpMessageEncoder.Encode(HostileLab.PxeDiscover(mac, ++xid)), xid,
                new IPEndPoint(IPAddress.Broadcast, 67), ProbeWait, 2);
            if (offer is not { MessageType: DhcpMessageType.Offer })
            {
                failures.Add($"round {rounds}: PXE DISCOVER on 67 got {offer?.MessageType.ToString() ?? "no answer"}");
            }
            var boot = await HostileLab.AskAsync(pxeSocket, DhcpMessageEncoder.Encode(HostileLab.BootServerRequest(mac, ++xid, IPv4Address.Parse("10.80.0.50"))),
                xid, HostileLab.ProxyBootServer, ProbeWait, 2);
            if (boot is not { MessageType: DhcpMessageType.Ack })
            {
                failures.Add($"round {rounds}: boot-server request on 4011 got {boot?.MessageType.ToString() ?? "no answer"}");
            }
            var leased = await relay.DoraAsync(HostileLab.StaticClient, ProbeWait) ?? await relay.DoraAsync(HostileLab.StaticClient, ProbeWait);
            if (leased?.ToString() != HostileLab.StaticAddress)
            {
                failures.Add($"round {rounds}: relayed DORA for the dhcp-host got {leased?.ToString() ?? "no answer"}");
            }
            if (await FetchAsync(lab, ["--max-time", "5", $"tftp://10.78.0.1/{ProbeFile}"]) is var tftp && tftp.Sha != expected)
            {
                failures.Add($"round {rounds}: TFTP fetch failed: {tftp.Output}");
            }
            if (await FetchAsync(lab, ["--max-time", "5", "--interface", ProbeClient, "-w", "%{http_code}", $"http://10.78.0.1/{ProbeFile}"]) is var http
                && (http.Sha != expected || http.Output != "200"))
            {
                failures.Add($"round {rounds}: HTTP GET from {ProbeClient} failed: {http.Output}");
            }
            await Task.Delay(200);
        }
        await flooding;
        var cpu = CpuSeconds(pid) - cpuBefore;
        var elapsed = clock.Elapsed;
        // Once the flood lets go, its addresses are served again: nothing of theirs is still counted.
        await flood.DisposeAsync();
        for (var wait = 0; wait < 100 && EstablishedOnPort80(lab).Count > 0; wait++)
        {
            await Task.Delay(100);
        }
        var afterwards = new List<string>();
        foreach (var source in sources.Take(5))
        {
            var again = await FetchAsync(lab, ["--max-time", "5", "--interface", source.ToString(), "-w", "%{http_code}", $"http://10.78.0.1/{ProbeFile}"]);
            afterwards.Add(again.Output);
        }
        var after = HostileLab.Memory(pid);
        var log = lab.ServerProcess.Log.ReadAll().Split('\n');
        var limitLines = log.Count(l => l.Contains("HTTP connection limit", StringComparison.Ordinal));
        output.WriteLine($"budget: {budget.Capacity} connections, {budget.PerClient} per client, reserve {budget.Reserve} of {DescriptorLimit} descriptors");
        output.WriteLine($"flood: {flood.Attempts} connection attempts in {elapsed.TotalSeconds:0.0}s from {sources.Count} addresses (wanting {FloodConnections} open), {flood.Connected} handshakes, {flood.Failed} failed, {flood.ClosedByServer} closed by the server; table full after {fullAfter.TotalSeconds:0.0}s");
        var heldFull = heldSamples.Count(h => h >= budget.Capacity * 8 / 10);
        output.WriteLine($"server side: {heldSamples.Min()}-{heldMax} connection sockets held during the probes (at least 80% of the capacity in {heldFull} of {heldSamples.Count}), at most {perAddressMax} established from one address; at most {descriptorsMax} descriptors open; {cpu:0.0} s CPU over {elapsed.TotalSeconds:0.0} s");
        output.WriteLine($"after the flood, GET from 5 of its addresses: {string.Join(" ", afterwards)}");
        output.WriteLine($"probe rounds {rounds}, failed {failures.Count}; server RSS before {before.Rss:0.0} MiB, after {after.Rss:0.0} MiB, VmHWM (peak) {after.Peak:0.0} MiB");
        output.WriteLine($"{limitLines} limit log lines: {string.Join(" | ", log.Where(l => l.Contains("HTTP connection", StringComparison.Ordinal)).Take(4))}");

        lab.ServerProcess.EnsureRunning();
        Assert.True(failures.Count == 0, lab.Failure(string.Join('\n', failures)));
        Assert.True(rounds >= 5, $"only {rounds} probe rounds");
        Assert.True(flood.Attempts >= 3 * budget.Capacity, $"the flood made only {flood.Attempts} attempts");
        // The load held: the table was (nearly) full at the probes, but when the keep-alive timeout closed the first
        // connections all at once (the flood refills within a second), and never went past the budget.
        Assert.True(heldFull >= heldSamples.Count * 9 / 10, $"the table was full in only {heldFull} of {heldSamples.Count} probes ({string.Join(' ', heldSamples)}), capacity {budget.Capacity}");
        Assert.True(perAddressMax <= budget.PerClient, $"{perAddressMax} connections from one address");
        // Beyond the capacity: connections displaced but still closing (32 at most), and a TFTP transfer of a probe.
        Assert.True(heldMax <= budget.Capacity + 32 + 2, $"{heldMax} connection sockets held, capacity {budget.Capacity}");
        Assert.True(descriptorsMax < DescriptorLimit - 2 * TftpMax, $"{descriptorsMax} descriptors open of {DescriptorLimit}");
        Assert.DoesNotContain(log, l => l.Contains("HTTP cannot accept", StringComparison.Ordinal));
        Assert.True(after.Peak < MemoryCeilingMiB, $"peak RSS {after.Peak:0.0} MiB over the {MemoryCeilingMiB} MiB ceiling");
        // Thousands of refusals, a few lines: the first, then one summary per 10 s.
        Assert.InRange(limitLines, 1, 2 + (int)(elapsed.TotalSeconds / 10));
        Assert.All(afterwards, answer => Assert.Equal("200", answer));
    }

    [Fact]
    public async Task One_address_holds_at_most_its_share_of_connections_while_another_address_is_served()
    {
        await using var lab = DhcpLab.Create();
        var (_, budget, expected) = await StartAsync(lab);
        var attempts = budget.PerClient + 16;
        var sockets = lab.Client.Run(() => Enumerable.Range(0, attempts).Select(_ => Bound("10.78.0.2")).ToArray());
        try
        {
            var answers = new List<string>();
            foreach (var socket in sockets)
            {
                answers.Add(await ConnectAsync(socket));
            }
            for (var i = 0; i < sockets.Length; i++)
            {
                if (answers[i] == "connected")
                {
                    answers[i] = await AskAsync(sockets[i]);
                }
            }
            var held = EstablishedOnPort80(lab).Count(peer => peer.StartsWith("10.78.0.2:", StringComparison.Ordinal));
            var other = await FetchAsync(lab, ["--max-time", "5", "--interface", ProbeClient, "-w", "%{http_code}", $"http://10.78.0.1/{ProbeFile}"]);
            output.WriteLine($"{attempts} connections from 10.78.0.2: {answers.Count(a => a == "200")} answered, {answers.Count(a => a == "refused")} refused; {held} held by the server; GET from {ProbeClient}: {other.Output}");

            Assert.Equal(budget.PerClient, answers.Count(a => a == "200"));
            Assert.Equal(attempts - budget.PerClient, answers.Count(a => a == "refused"));
            Assert.Equal(budget.PerClient, held);
            Assert.Equal(("200", expected), (other.Output, other.Sha));
            Assert.True(lab.ServerProcess.Log.Contains(new Regex(@"HTTP connection limit reached \(connection refused: its address holds the most allowed per client, from 10\.78\.0\.2\)")),
                lab.Failure("the per-address refusal was not logged"));
        }
        finally
        {
            foreach (var socket in sockets)
            {
                socket.Dispose();
            }
        }
    }

    /// <summary>netboot with DHCP (relay range, proxy PXE on nbs1), TFTP and HTTP on port 80, under a 1024-descriptor limit.</summary>
    private async Task<(NetworkNamespace Pxe, Budget Budget, string ProbeSha)> StartAsync(DhcpLab lab)
    {
        var pxe = HostileLab.Build(lab);
        lab.Client.Exec("ip", "addr", "add", ProbeClient + "/24", "dev", "nbc0");
        var root = Path.Combine(lab.WorkDirectory, "boot");
        Directory.CreateDirectory(root);
        var probe = new byte[128 * 1024];
        new Random(14).NextBytes(probe);
        await File.WriteAllBytesAsync(Path.Combine(root, ProbeFile), probe);
        File.SetUnixFileMode(lab.WorkDirectory, (UnixFileMode)0b111_101_101);
        File.SetUnixFileMode(Path.Combine(root, ProbeFile), (UnixFileMode)0b110_100_100);
        await lab.StartServerAsync(HostileLab.Config($"enable-tftp\ntftp-root={root}\ntftp-max={TftpMax}\nhttp-port=80"),
            ["prlimit", $"--nofile={DescriptorLimit}:{DescriptorLimit}", "--"], lab.DatabasePath);
        var line = lab.ServerProcess.Log.Find(BudgetLine());
        Assert.True(line.Success, lab.Failure("no HTTP connection budget line"));
        var budget = new Budget(Number(line, 1), Number(line, 2), line.Groups[3].Value, Number(line, 4), Number(line, 5));
        output.WriteLine(line.Value);
        Assert.Equal(DescriptorLimit, budget.Limit);
        Assert.Equal("lowered to what the file descriptors allow", budget.Why);
        Assert.Equal((DescriptorLimit - budget.Reserve) / 2, budget.Capacity);
        return (pxe, budget, Convert.ToHexString(SHA256.HashData(probe)));

        static int Number(Match m, int group) => int.Parse(m.Groups[group].Value, CultureInfo.InvariantCulture);
    }

    private sealed record Budget(int Capacity, int PerClient, string Why, int Limit, int Reserve);

    [GeneratedRegex(@"HTTP connection budget: (\d+) connections, (\d+) per client address \(([^;]+); file descriptors: soft limit (\d+), (\d+) kept")]
    private static partial Regex BudgetLine();

    private static void AddAddresses(DhcpLab lab, IEnumerable<IPAddress> addresses)
    {
        var batch = Path.Combine(lab.WorkDirectory, "flood-addresses.batch");
        File.WriteAllLines(batch, addresses.Select(a => $"addr add {a}/24 dev nbc0"));
        lab.Client.Exec("ip", "-batch", batch);
    }

    /// <summary>The peers (address:port) of the server's established connections on port 80.</summary>
    private static List<string> EstablishedOnPort80(DhcpLab lab) =>
        [.. lab.Server.Exec("ss", "-Htn", "state", "established", "( sport = :80 )")
            .Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries)[^1])];

    /// <summary>The process's socket descriptors (links to <c>socket:[inode]</c> in /proc/PID/fd).</summary>
    private static int SocketCount(int pid) =>
        Directory.GetFileSystemEntries($"/proc/{pid}/fd").Count(fd => new FileInfo(fd).LinkTarget?.StartsWith("socket:", StringComparison.Ordinal) == true);

    private static string Address(string peer) => peer[..peer.LastIndexOf(':')];

    /// <summary>curl in the client namespace; the SHA-256 of what it wrote, and what it printed.</summary>
    private static async Task<(string Sha, string Output)> FetchAsync(DhcpLab lab, string[] arguments)
    {
        var path = Path.Combine(lab.WorkDirectory, "fetched-" + Guid.NewGuid().ToString("N")[..8]);
        var (code, text) = await Task.Run(() => DhcpLab.RunClient(lab.Client, TimeSpan.FromSeconds(10), ["curl", "-sS", "-o", path, .. arguments]));
        var sha = code == 0 && File.Exists(path) ? Convert.ToHexString(SHA256.HashData(await File.ReadAllBytesAsync(path))) : "";
        File.Delete(path);
        return (sha, code == 0 ? text.Trim() : $"exit {code}: {text.Trim()}");
    }

    private static Socket Bound(string address)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        socket.Bind(new IPEndPoint(IPAddress.Parse(address), 0));
        return socket;
    }

    /// <summary>"connected", or "refused" when the server reset the connection before the handshake was seen complete.</summary>
    private static async Task<string> ConnectAsync(Socket socket)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        try
        {
            await socket.ConnectAsync(HttpServer, timeout.Token);
            return "connected";
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.ConnectionReset)
        {
            return "refused";
        }
    }

    /// <summary>The status code of a GET on the connection, or "refused" when the server closed or reset it.</summary>
    private static async Task<string> AskAsync(Socket socket)
    {
        try
        {
            await socket.SendAsync(Encoding.ASCII.GetBytes($"GET /{ProbeFile} HTTP/1.1\r\nHost: 10.78.0.1\r\n\r\n"));
            var buffer = new byte[1024];
            var received = await socket.ReceiveAsync(buffer).WaitAsync(TimeSpan.FromSeconds(10));
            return received == 0 ? "refused" : Encoding.ASCII.GetString(buffer, 0, received).Split(' ')[1];
        }
        catch (SocketException e) when (e.SocketErrorCode is SocketError.ConnectionReset or SocketError.ConnectionAborted or SocketError.Shutdown)
        {
            return "refused";
        }
    }

    /// <summary>User and system CPU time of a process (utime and stime of /proc/PID/stat, in clock ticks of 1/100 s).</summary>
    private static double CpuSeconds(int pid)
    {
        var stat = File.ReadAllText($"/proc/{pid}/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return (long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture)) / 100.0;
    }
}

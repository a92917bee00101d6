using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using NetBoot.Interop.Tests.Dhcp;
using NetBoot.Interop.Tests.Hostile;
using NetBoot.Testing;
using NetBoot.Wire.Dhcp;
using NetBoot.Wire.Net;
using Xunit.Abstractions;

namespace NetBoot.Interop.Tests;

/// <summary>Interfaces as dnsmasq handles them (issue 15, item 3), on the published <c>netboot serve</c>: an interface
/// created, brought up or given an address after start is served within a second (DHCP 67, 4011, TFTP 69, HTTP), one that
/// vanishes is let go with one line, and a named interface that does not exist is fatal under <c>bind-interfaces</c> and
/// awaited otherwise. The server's namespace starts with nbs0 only (10.78.0.1/24, outside the range); every later
/// interface is a veth pair into a client namespace of the test's own.</summary>
[Trait("Category", "Interop")]
public sealed class InterfaceFollowTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);

    /// <summary>How long a first answer may take: the second the issue asks for, plus the client's own resend interval
    /// and a margin for a loaded 2-core runner.</summary>
    private static readonly TimeSpan FirstAnswerLimit = TimeSpan.FromSeconds(1) + ResendInterval + TimeSpan.FromMilliseconds(200);

    /// <summary>A waiting client resends its DISCOVER this often (firmware waits 4 s; a fine grain measures the server).</summary>
    private static readonly TimeSpan ResendInterval = TimeSpan.FromMilliseconds(20);

    private const int HttpPort = 8081;
    private const string BootFile = "pxelinux.0";

    private static string Config(string tftpRoot, string extra = "") => $"""
        port=0
        dhcp-rate-limit=off
        dhcp-range=10.81.0.0,proxy
        pxe-service=X86PC,"Boot from network",pxelinux
        enable-tftp
        tftp-root={tftpRoot}
        http-port={HttpPort}
        {extra}
        """;

    private static string TftpRoot(DhcpLab lab)
    {
        var root = Directory.CreateDirectory(Path.Combine(lab.WorkDirectory, "tftp")).FullName;
        File.WriteAllText(Path.Combine(root, BootFile), "first block of the boot file");
        return root;
    }

    /// <summary>A veth pair, both ends down and without addresses: <paramref name="serverEnd"/> in the server's namespace,
    /// <paramref name="clientEnd"/> in a new client namespace (brought up, so the client can send at once).</summary>
    private static NetworkNamespace AddBareLink(DhcpLab lab, string serverEnd, string clientEnd)
    {
        var client = lab.Add(NetworkNamespace.Create("nbd-hot"));
        Shell.Run("ip", "link", "add", serverEnd, "netns", lab.Server.Name, "type", "veth", "peer", "name", clientEnd, "netns", client.Name);
        client.Exec("ip", "link", "set", clientEnd, "up");
        return client;
    }

    /// <summary>Sends a PXE DISCOVER every <see cref="ResendInterval"/> until a proxy offer comes back; returns it and when
    /// it came. Bounded by <paramref name="limit"/> (about 250 datagrams a second at most).</summary>
    private static async Task<(DhcpMessage? Offer, TimeSpan At)> FirstOfferAsync(Socket socket, Stopwatch clock, TimeSpan limit)
    {
        var xid = (uint)Random.Shared.Next();
        var discover = DhcpMessageEncoder.Encode(HostileLab.PxeDiscover(HardwareAddress.Ethernet([0x52, 0x54, 0, 0x81, 0, 1]), xid));
        var buffer = new byte[2048];
        var target = new IPEndPoint(IPAddress.Broadcast, 67);
        while (clock.Elapsed < limit)
        {
            await socket.SendToAsync(discover, target);
            using var wait = new CancellationTokenSource(ResendInterval);
            try
            {
                while (true)
                {
                    var received = await socket.ReceiveFromAsync(buffer, new IPEndPoint(IPAddress.Any, 0), wait.Token);
                    if (DhcpMessageDecoder.TryDecode(buffer.AsSpan(0, received.ReceivedBytes), out var reply, out _)
                        && reply.Operation == BootOperation.BootReply && reply.TransactionId == xid)
                    {
                        return (reply, clock.Elapsed);
                    }
                }
            }
            catch (OperationCanceledException)
            {
            }
        }
        return (null, clock.Elapsed);
    }

    /// <summary>The 4011 answer, a TFTP download and an HTTP GET from the client's side, each once (with the retries
    /// firmware would make).</summary>
    private static async Task AssertEveryServiceAnswersAsync(DhcpLab lab, NetworkNamespace client, Socket socket, string serverAddress)
    {
        var mac = HardwareAddress.Ethernet([0x52, 0x54, 0, 0x81, 0, 2]);
        var request = HostileLab.BootServerRequest(mac, 42, IPv4Address.Parse("10.81.0.9"));
        var ack = await HostileLab.AskAsync(socket, DhcpMessageEncoder.Encode(request), 42, new IPEndPoint(IPAddress.Parse(serverAddress), 4011), TimeSpan.FromSeconds(1));
        Assert.True(ack is not null, lab.Failure("no answer on 4011"));
        Assert.Equal("pxelinux.0", ack.BootFileName);

        var netboot = Path.Combine(await DhcpLab.PublishDirectory, "netboot");
        var fetched = Path.Combine(lab.WorkDirectory, "fetched-" + Guid.NewGuid().ToString("N")[..8]);
        var tftp = Shell.Execute("ip", "netns", "exec", client.Name, netboot, "tftp-get", serverAddress, BootFile, "-o", fetched);
        Assert.True(tftp.ExitCode == 0, lab.Failure($"TFTP failed: {tftp.Stdout}{tftp.Stderr}"));
        Assert.Equal("first block of the boot file", await File.ReadAllTextAsync(fetched));

        var http = Shell.Execute("ip", "netns", "exec", client.Name, "curl", "-sS", "--fail", "--max-time", "10", $"http://{serverAddress}:{HttpPort}/{BootFile}");
        Assert.True(http.ExitCode == 0, lab.Failure($"HTTP failed: {http.Stderr}"));
        Assert.Equal("first block of the boot file", http.Stdout);
    }

    private Socket ClientSocket(NetworkNamespace client, string device, string address)
    {
        client.Exec("ip", "addr", "add", address, "dev", device);
        return HostileLab.ClientSocket(client, device);
    }

    public static TheoryData<string> Orders => new() { "address, then link up", "link up, then address" };

    /// <summary>The time from the server's <c>ip link set up</c> / <c>ip addr add</c> (the last of the two) to the first
    /// proxy offer for a client that keeps asking. Link up is reported by the kernel's RTM_NEWLINK, which the BCL passes
    /// on after its 150 ms coalescing window; an address by RTM_NEWADDR, at once.</summary>
    [Theory]
    [MemberData(nameof(Orders))]
    public async Task An_interface_created_after_start_is_answered_within_a_second(string order)
    {
        await using var lab = DhcpLab.Create();
        lab.Keep = true;
        await lab.StartServerAsync(Config(TftpRoot(lab)));
        var server = lab.ServerProcess;
        await server.Log.WaitForAsync(new Regex("no interface has an address in a dhcp-range subnet yet"), Patience, 0, server.EnsureRunning);

        var client = AddBareLink(lab, "nbs5", "nbc5");
        using var socket = ClientSocket(client, "nbc5", "10.81.0.9/24");
        var addressFirst = order.StartsWith("address", StringComparison.Ordinal);
        if (addressFirst)
        {
            lab.Server.Exec("ip", "addr", "add", "10.81.0.1/24", "dev", "nbs5");
        }
        else
        {
            lab.Server.Exec("ip", "link", "set", "nbs5", "up");
        }
        // Timed from the start of the `ip` command (an upper bound: the change takes effect somewhere inside it).
        var clock = Stopwatch.StartNew();
        lab.Server.Exec(addressFirst ? new[] { "ip", "link", "set", "nbs5", "up" } : new[] { "ip", "addr", "add", "10.81.0.1/24", "dev", "nbs5" });
        var issued = clock.Elapsed;
        var (offer, at) = await FirstOfferAsync(socket, clock, TimeSpan.FromSeconds(10));

        Assert.True(offer is not null, lab.Failure("no proxy offer within 10 s"));
        output.WriteLine($"{order}: first proxy offer {at.TotalMilliseconds:0} ms after the `ip` command started, {(at - issued).TotalMilliseconds:0} ms after it returned");
        Assert.True(at < FirstAnswerLimit, lab.Failure($"first proxy offer after {at.TotalMilliseconds:0} ms"));
        Assert.True(offer.Options.TryGetAddress(DhcpOptionCode.ServerIdentifier, out var identifier));
        Assert.Equal(IPv4Address.Parse("10.81.0.1"), identifier);
        await AssertEveryServiceAnswersAsync(lab, client, socket, "10.81.0.1");
        server.EnsureRunning();
        lab.Keep = false;
    }

    [Fact]
    public async Task A_vanished_interface_is_dropped_with_one_line_and_the_others_keep_serving()
    {
        await using var lab = DhcpLab.Create();
        lab.Keep = true;
        await lab.StartServerAsync(Config(TftpRoot(lab), "dhcp-range=10.82.0.0,proxy"));
        var server = lab.ServerProcess;
        var gone = AddBareLink(lab, "nbs5", "nbc5");
        var staying = AddBareLink(lab, "nbs6", "nbc6");
        foreach (var (device, address) in new[] { ("nbs5", "10.81.0.1/24"), ("nbs6", "10.82.0.1/24") })
        {
            lab.Server.Exec("ip", "addr", "add", address, "dev", device);
            lab.Server.Exec("ip", "link", "set", device, "up");
        }
        await server.Log.WaitForAsync(new Regex(@"TFTP listening on nbs5\b"), Patience, 0, server.EnsureRunning);
        await server.Log.WaitForAsync(new Regex(@"HTTP listening on nbs6\b"), Patience, 0, server.EnsureRunning);
        var before = server.Log.ReadAll().Length;

        lab.Server.Exec("ip", "link", "del", "nbs5");

        await server.Log.WaitForAsync(new Regex(@"interface nbs5 is gone \(it had 10\.81\.0\.1/24\)"), Patience, before, server.EnsureRunning);
        using var socket = ClientSocket(staying, "nbc6", "10.82.0.9/24");
        var (offer, _) = await FirstOfferAsync(socket, Stopwatch.StartNew(), TimeSpan.FromSeconds(5));
        Assert.True(offer is not null, lab.Failure("nbs6 not answered after nbs5 went"));
        var lines = server.Log.ReadAll()[before..].Split('\n').Where(l => l.Contains("nbs5", StringComparison.Ordinal)).ToArray();
        Assert.True(lines.Length == 1, lab.Failure("lines about nbs5 after its deletion:\n" + string.Join('\n', lines)));
        server.EnsureRunning();
        GC.KeepAlive(gone);
        lab.Keep = false;
    }

    [Fact]
    public async Task A_missing_interface_under_bind_interfaces_fails_start_up_with_a_clear_message()
    {
        await using var lab = DhcpLab.Create();
        lab.Keep = true;
        await lab.StartServerAsync(Config(TftpRoot(lab), "interface=nosuch\nbind-interfaces"), [], lab.DatabasePath, waitForStart: false);
        var server = lab.ServerProcess;

        var code = await server.WaitForExitAsync(Patience);

        Assert.Equal(2, code);
        var log = server.Log.ReadAll();
        Assert.Contains("FAILED to start up: unknown interface nosuch (bind-interfaces listens only on interfaces present at start; interfaces: lo, nbs0)", log, StringComparison.Ordinal);
        Assert.DoesNotContain("started, version", log, StringComparison.Ordinal);
        lab.Keep = false;
    }

    /// <summary>bind-dynamic, and plain <c>interface=</c> (dnsmasq's default mode: "interface X does not currently exist",
    /// then served when it comes): the server says it waits, keeps running, and serves the interface once created.</summary>
    [Theory]
    [InlineData("bind-dynamic", "bind-dynamic")]
    [InlineData("", "interface= without bind-interfaces")]
    public async Task A_missing_interface_is_waited_for_and_served_once_created(string mode, string said)
    {
        await using var lab = DhcpLab.Create();
        lab.Keep = true;
        await lab.StartServerAsync(Config(TftpRoot(lab), "interface=nbs7\n" + mode));
        var server = lab.ServerProcess;
        await server.Log.WaitForAsync(new Regex($@"waiting for interface nbs7: it does not currently exist \({Regex.Escape(said)}\)"), Patience, 0, server.EnsureRunning);

        var client = AddBareLink(lab, "nbs7", "nbc7");
        using var socket = ClientSocket(client, "nbc7", "10.81.0.9/24");
        lab.Server.Exec("ip", "addr", "add", "10.81.0.1/24", "dev", "nbs7");
        var clock = Stopwatch.StartNew();
        lab.Server.Exec("ip", "link", "set", "nbs7", "up");
        var issued = clock.Elapsed;
        var (offer, at) = await FirstOfferAsync(socket, clock, TimeSpan.FromSeconds(10));

        Assert.True(offer is not null, lab.Failure("no proxy offer on nbs7 once created"));
        output.WriteLine($"{(mode.Length == 0 ? "interface=" : mode)}: first proxy offer {at.TotalMilliseconds:0} ms after `ip link set up` started, {(at - issued).TotalMilliseconds:0} ms after it returned");
        Assert.True(at < FirstAnswerLimit, lab.Failure($"first proxy offer after {at.TotalMilliseconds:0} ms"));
        await AssertEveryServiceAnswersAsync(lab, client, socket, "10.81.0.1");
        // interface= names nbs7 only: nbs0 (10.78.0.1) stays unserved.
        Assert.DoesNotContain("%nbs0:", lab.Server.Exec("ss", "-H", "-a", "-n", "-u", "-t"), StringComparison.Ordinal);
        lab.Keep = false;
    }

    /// <summary>The issue's "started, exiting on request, exit 0" for a server with nothing to serve: now a failure that
    /// systemd shows (and restarts), never a clean stop.</summary>
    [Fact]
    public async Task A_server_with_nothing_to_serve_exits_2_and_says_why()
    {
        await using var lab = DhcpLab.Create();
        lab.Keep = true;
        await lab.StartServerAsync("port=0\nlog-dhcp", [], lab.DatabasePath, waitForStart: false);
        var server = lab.ServerProcess;

        Assert.Equal(2, await server.WaitForExitAsync(Patience));

        var log = server.Log.ReadAll();
        Assert.Contains("FAILED to start up: nothing to serve", log, StringComparison.Ordinal);
        Assert.DoesNotContain("started, version", log, StringComparison.Ordinal);
        Assert.DoesNotContain("exiting on request", log, StringComparison.Ordinal);
        lab.Keep = false;
    }
}

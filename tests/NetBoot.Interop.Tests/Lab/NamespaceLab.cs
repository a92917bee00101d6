using System.Diagnostics;
using System.Text.RegularExpressions;

namespace NetBoot.Interop.Tests.Lab;

/// <summary>
/// Three network namespaces private to one test: "lan" holds a bridge and the VM's tap, "router" an ordinary
/// DHCP server (dnsmasq, DHCP range and IPv6 RAs only), "server" the PXE server under test; veth pairs join
/// them to the bridge. Everything started here is ended and every namespace deleted on disposal, and the
/// work folder (logs, serial console, pcap) is deleted unless <see cref="KeepArtifacts"/> is set.
/// </summary>
public sealed partial class NamespaceLab : IAsyncDisposable
{
    private const string Prefix = "nbi";
    private static int s_sequence;

    private readonly List<LabProcess> _processes = [];

    private NamespaceLab(string id, string workDirectory)
    {
        Id = id;
        WorkDirectory = workDirectory;
    }

    public string Id { get; }

    public string WorkDirectory { get; }

    public string LanNamespace => $"{Id}-lan";

    public string RouterNamespace => $"{Id}-rt";

    public string ServerNamespace => $"{Id}-srv";

    /// <summary>Set by a failing test so its logs survive for a diagnosis.</summary>
    public bool KeepArtifacts { get; set; }

    public IReadOnlyList<LabProcess> Processes => _processes;

    public static async Task<NamespaceLab> CreateAsync()
    {
        RequireRoot();
        await SweepAbandonedAsync();
        var id = $"{Prefix}{Environment.ProcessId}x{Interlocked.Increment(ref s_sequence)}";
        var work = Directory.CreateTempSubdirectory($"netboot-interop-{id}-").FullName;
        // dnsmasq drops to "nobody" and must still read the TFTP root below this folder.
        File.SetUnixFileMode(work, (UnixFileMode)0b111_101_101);
        var lab = new NamespaceLab(id, work);
        try
        {
            await lab.BuildTopologyAsync();
        }
        catch
        {
            lab.KeepArtifacts = true;
            await lab.DisposeAsync();
            throw;
        }
        return lab;
    }

    /// <summary>Runs a program inside one of the lab's namespaces; its output goes to <c>&lt;name&gt;.log</c>.</summary>
    public LabProcess Start(string name, string netns, string fileName, IEnumerable<string> arguments)
    {
        var process = LabProcess.Start(
            name, Path.Combine(WorkDirectory, name + ".log"), "ip", ["netns", "exec", netns, fileName, .. arguments]);
        _processes.Add(process);
        return process;
    }

    /// <summary>The router: dnsmasq with a DHCP range and IPv6 router advertisements, nothing about PXE.</summary>
    public LabProcess StartRouter() => Start("router", RouterNamespace, "dnsmasq",
    [
        "--no-daemon", "--conf-file=/dev/null", "--port=0", "--log-facility=-", "--log-dhcp",
        "--pid-file=", $"--dhcp-leasefile={RouterLeaseFile}",
        $"--interface={LabNetwork.RouterInterface}", "--bind-interfaces",
        $"--dhcp-range={LabNetwork.PoolStart},{LabNetwork.PoolEnd},{LabNetwork.Netmask},1h",
        // dnsmasq pings an address for about 3 s before offering it; the LAN is ours, skip that.
        "--no-ping",
        // iPXE waits 13 to 16 s for an IPv6 router unless one advertises itself.
        "--enable-ra", $"--dhcp-range={LabNetwork.Ipv6Prefix},ra-only",
    ]);

    public string RouterLeaseFile => Path.Combine(WorkDirectory, "router.leases");

    /// <summary>A router with IPv6 router advertisements only, no DHCPv4 at all, for a network NetBoot owns (iPXE
    /// otherwise waits 13 to 16 s for a router).</summary>
    public LabProcess StartRaOnlyRouter() => Start("router", RouterNamespace, "dnsmasq",
    [
        "--no-daemon", "--conf-file=/dev/null", "--port=0", "--log-facility=-", "--pid-file=",
        $"--interface={LabNetwork.RouterInterface}", "--bind-interfaces",
        "--enable-ra", $"--dhcp-range={LabNetwork.Ipv6Prefix},ra-only",
    ]);

    /// <summary>Gives the server namespace <see cref="LabNetwork.ServerIpv6Address"/> at once (no duplicate address
    /// detection: the segment is private to this lab), for a server that owns an IPv6-only segment.</summary>
    public Task AddServerIpv6AddressAsync() =>
        IpAsync("-n", ServerNamespace, "addr", "add", $"{LabNetwork.ServerIpv6Address}/64", "dev", LabNetwork.ServerInterface, "nodad");

    /// <summary>Every frame to or from the VM, captured on its tap (a capture on the bridge would miss the
    /// unicast frames the bridge forwards between ports): evidence independent of any server's log, and a file
    /// to read with tshark or Wireshark when a test fails.</summary>
    public LabProcess StartCapture() => Start("tcpdump", LanNamespace, "tcpdump",
        ["-i", LabNetwork.Tap, "--immediate-mode", "-U", "-n", "-w", CaptureFile]);

    public string CaptureFile => Path.Combine(WorkDirectory, "client.pcap");

    /// <summary>The capture so far, decoded by tcpdump, restricted by a pcap <paramref name="filter"/>.</summary>
    public async Task<string> ReadCaptureAsync(string filter)
    {
        // -U writes whole packets, but the last one may still be in flight: tolerate a truncation warning.
        var (_, output, _) = await ExecAsync("tcpdump", ["-n", "-r", CaptureFile, filter], null);
        return output;
    }

    /// <summary>Polls <c>ss</c> in <paramref name="netns"/> until every UDP port is bound: readiness that
    /// does not depend on what a server chooses to log.</summary>
    public async Task WaitForUdpPortsAsync(string netns, IReadOnlyCollection<int> ports, TimeSpan timeout, LabProcess owner)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var listing = await RunAsync("ip", ["netns", "exec", netns, "ss", "-H", "-u", "-l", "-n", "-a"]);
            var bound = BoundUdpPort().Matches(listing).Select(m => int.Parse(m.Groups[1].Value)).ToHashSet();
            if (ports.All(bound.Contains))
            {
                return;
            }
            owner.EnsureRunning();
            if (clock.Elapsed > timeout)
            {
                throw new TimeoutException(
                    $"{owner.Name} did not bind UDP {string.Join(',', ports)} within {timeout.TotalSeconds:0} s; bound: "
                    + $"{string.Join(',', bound)}\n{owner.Log.Tail()}");
            }
            await Task.Delay(TimeSpan.FromMilliseconds(100));
        }
    }

    /// <summary>Throws if any process of the lab (other than a capture) has ended.</summary>
    public void EnsureAllRunning()
    {
        foreach (var process in _processes)
        {
            process.EnsureRunning();
        }
    }

    public async ValueTask DisposeAsync()
    {
        for (var i = _processes.Count - 1; i >= 0; i--)
        {
            await _processes[i].DisposeAsync();
        }
        _processes.Clear();
        foreach (var netns in new[] { LanNamespace, RouterNamespace, ServerNamespace })
        {
            await TryRunAsync("ip", ["netns", "delete", netns]);
        }
        if (!KeepArtifacts)
        {
            Directory.Delete(WorkDirectory, recursive: true);
        }
    }

    private async Task BuildTopologyAsync()
    {
        foreach (var netns in new[] { LanNamespace, RouterNamespace, ServerNamespace })
        {
            await IpAsync("netns", "add", netns);
            await IpAsync("-n", netns, "link", "set", "lo", "up");
        }
        // A bridge that forwards at once: STP off, no forward delay.
        await IpAsync("-n", LanNamespace, "link", "add", LabNetwork.Bridge, "type", "bridge", "stp_state", "0", "forward_delay", "0");
        await IpAsync("-n", LanNamespace, "link", "set", LabNetwork.Bridge, "up");
        await IpAsync("-n", LanNamespace, "tuntap", "add", "dev", LabNetwork.Tap, "mode", "tap");
        await IpAsync("-n", LanNamespace, "link", "set", LabNetwork.Tap, "master", LabNetwork.Bridge, "up");
        await AttachAsync(RouterNamespace, LabNetwork.RouterInterface);
        await AttachAsync(ServerNamespace, LabNetwork.ServerInterface);
        await IpAsync("-n", RouterNamespace, "addr", "add", $"{LabNetwork.RouterAddress}/{LabNetwork.PrefixLength}", "dev", LabNetwork.RouterInterface);
        await IpAsync("-n", RouterNamespace, "addr", "add", $"{LabNetwork.RouterIpv6Address}/64", "dev", LabNetwork.RouterInterface, "nodad");
        await IpAsync("-n", ServerNamespace, "addr", "add", $"{LabNetwork.ServerAddress}/{LabNetwork.PrefixLength}", "dev", LabNetwork.ServerInterface);
    }

    /// <summary>A veth pair: one end on the bridge, the other (named <paramref name="inside"/>) in <paramref name="netns"/>.</summary>
    private async Task AttachAsync(string netns, string inside)
    {
        var bridgeSide = inside + "b";
        await IpAsync("-n", LanNamespace, "link", "add", bridgeSide, "type", "veth", "peer", "name", inside, "netns", netns);
        await IpAsync("-n", LanNamespace, "link", "set", bridgeSide, "master", LabNetwork.Bridge, "up");
        await IpAsync("-n", netns, "link", "set", inside, "up");
    }

    private static Task<string> IpAsync(params string[] arguments) => RunAsync("ip", arguments);

    private static void RequireRoot()
    {
        if (Environment.UserName != "root")
        {
            throw new InvalidOperationException(
                "Interop tests create network namespaces and taps: run them as root (scripts/test does).");
        }
    }

    /// <summary>Deletes namespaces left by an earlier test run whose process no longer exists (a crashed or
    /// killed test host), after ending the processes still inside them. Only this lab's prefix is touched.</summary>
    private static async Task SweepAbandonedAsync()
    {
        var listing = await RunAsync("ip", ["netns", "list"]);
        foreach (Match match in OwnNamespace().Matches(listing))
        {
            var ownerPid = int.Parse(match.Groups["pid"].Value);
            if (ownerPid == Environment.ProcessId || Directory.Exists($"/proc/{ownerPid}"))
            {
                continue;
            }
            var netns = match.Groups["name"].Value;
            var pids = await TryRunAsync("ip", ["netns", "pids", netns]);
            foreach (var pid in pids.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                await TryRunAsync("kill", ["-KILL", pid]);
            }
            await TryRunAsync("ip", ["netns", "delete", netns]);
        }
    }

    internal static async Task<string> RunAsync(string fileName, IEnumerable<string> arguments, TimeSpan? timeout = null)
    {
        var (code, output, error) = await ExecAsync(fileName, arguments, timeout);
        if (code != 0)
        {
            throw new InvalidOperationException(
                $"`{fileName} {string.Join(' ', arguments)}` failed with code {code}: {error.Trim()}");
        }
        return output;
    }

    private static async Task<string> TryRunAsync(string fileName, IEnumerable<string> arguments)
    {
        var (_, output, _) = await ExecAsync(fileName, arguments, null);
        return output;
    }

    private static async Task<(int Code, string Output, string Error)> ExecAsync(
        string fileName, IEnumerable<string> arguments, TimeSpan? timeout)
    {
        var info = new ProcessStartInfo(fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }
        using var process = Process.Start(info) ?? throw new InvalidOperationException($"could not start {fileName}");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var limit = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(30));
        await process.WaitForExitAsync(limit.Token);
        return (process.ExitCode, await output, await error);
    }

    [GeneratedRegex(@"^(?<name>nbi(?<pid>\d+)x\d+-(lan|rt|srv))\b", RegexOptions.Multiline)]
    private static partial Regex OwnNamespace();

    [GeneratedRegex(@"\S+:(\d+)\s+\S+:\*")]
    private static partial Regex BoundUdpPort();
}

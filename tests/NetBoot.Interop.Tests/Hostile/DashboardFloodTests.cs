using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using NetBoot.Interop.Tests.Dhcp;
using NetBoot.Interop.Tests.Lab;
using NetBoot.Testing;
using NetBoot.Wire.Dhcp;
using NetBoot.Wire.Net;
using Xunit.Abstractions;

namespace NetBoot.Interop.Tests.Hostile;

/// <summary>Floods with the dashboard on (<c>dashboard-listen</c>, a page following <c>/events</c> throughout), on the
/// proxy network where a PXE client is probing once a second: one MAC cycling <c>htype</c> 1..255 with a new
/// <c>ciaddr</c> in every request (1200/s), then 400 MACs each under the per-client limit (4/s each, 1600/s), each with
/// a new <c>ciaddr</c> in every request. Every probe is answered, and the server's CPU time in the second half of each
/// flood is no more than in the first half (beyond a generous margin): the work per packet does not grow with what
/// clients have sent, as it did when the boot tracker kept every address and walked them under a lock on the receive
/// thread (issue 14).</summary>
[Trait("Category", "Interop")]
public sealed class DashboardFloodTests(ITestOutputHelper output)
{
    private const int DashboardPort = 9168;
    private const int MetricsPort = 9167;
    private static readonly TimeSpan FloodDuration = TimeSpan.FromSeconds(20);
    private static readonly TimeSpan ProbeWait = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan ProbeInterval = TimeSpan.FromSeconds(1);

    /// <summary>CPU time of the second half over the first: 1.5 times, plus half a second for a busy shared machine's
    /// noise. The unbounded tracker grew the second half well past it (see docs/hostile-input.md).</summary>
    private const double CpuGrowthFactor = 1.5;
    private const double CpuSlackSeconds = 0.5;

    /// <summary>As for the starvation flood (<see cref="DhcpFloodTests"/>).</summary>
    private const double MemoryCeilingMiB = 250;

    private static readonly HardwareAddress ProbeMac = HardwareAddress.Ethernet([0x52, 0x54, 0, 0x77, 0, 2]);

    [Fact]
    public async Task Floods_of_htype_cycling_and_of_400_polite_macs_leave_the_proxy_answering_at_flat_cpu_with_the_dashboard_on()
    {
        await using var lab = DhcpLab.Create();
        var pxe = HostileLab.Build(lab);
        await lab.StartServerAsync(HostileLab.Config($"dashboard-listen={DashboardPort}\nmetrics-listen={MetricsPort}"));
        var server = lab.ServerProcess;
        await server.Log.WaitForAsync(new Regex("status endpoint listening"), TimeSpan.FromSeconds(30), stillAlive: server.EnsureRunning);
        // A page following the dashboard all along (bounded by curl's own time limit; ended at disposal anyway).
        await using var page = LabProcess.Start("dashboard-events", Path.Combine(lab.WorkDirectory, "events.log"), "ip",
            ["netns", "exec", lab.Server.Name, "curl", "-sN", "-m", "120", $"http://127.0.0.1:{DashboardPort}/events"]);
        using var probe = HostileLab.ClientSocket(pxe, "nbp0");
        using var flooder = FloodSocket(pxe, "nbp0");
        var pid = server.Id;
        var before = HostileLab.Memory(pid);

        var oneMac = await RunPhaseAsync("one MAC cycling htype 1..255", server, flooder, probe, 1200, OneMacCyclingHardwareType);
        var polite = await RunPhaseAsync("400 MACs at 4/s each", server, flooder, probe, 1600, FourHundredPoliteMacs);

        var after = HostileLab.Memory(pid);
        var metrics = Shell.Run("ip", "netns", "exec", lab.Server.Name, "curl", "-sf", $"http://127.0.0.1:{MetricsPort}/metrics");
        var state = Shell.Run("ip", "netns", "exec", lab.Server.Name, "curl", "-sf", $"http://127.0.0.1:{DashboardPort}/state");
        using var json = JsonDocument.Parse(state);
        var tracked = json.RootElement.GetProperty("clients").GetArrayLength();
        var pageUpdates = Regex.Count(page.Log.ReadAll(), "^event: state", RegexOptions.Multiline);
        output.WriteLine($"server RSS before {before.Rss:0.0} MiB, after {after.Rss:0.0} MiB, VmHWM (peak) {after.Peak:0.0} MiB");
        output.WriteLine($"dashboard: {tracked} clients tracked at the end ({state.Length / 1024} KiB of JSON), {pageUpdates} page updates, tracker events dropped {Sample(metrics, "netboot_status_events_dropped_total")}");
        output.WriteLine($"rate-limited requests {Sample(metrics, "netboot_dhcp_drops_total{reason=\"rate_limited\"}")}");

        server.EnsureRunning();
        foreach (var phase in new[] { oneMac, polite })
        {
            Assert.True(phase.Failures.Count == 0, lab.Failure($"{phase.Name}: {string.Join('\n', phase.Failures)}"));
            Assert.True(phase.Probes >= 10, $"{phase.Name}: only {phase.Probes} probes");
            Assert.True(phase.SecondHalfCpu <= CpuGrowthFactor * phase.FirstHalfCpu + CpuSlackSeconds,
                lab.Failure($"{phase.Name}: CPU climbed at constant input: {phase.FirstHalfCpu:0.00} s in the first half, {phase.SecondHalfCpu:0.00} s in the second"));
        }
        Assert.InRange(tracked, 1, 256);
        Assert.True(after.Peak < MemoryCeilingMiB, $"peak RSS {after.Peak:0.0} MiB over the {MemoryCeilingMiB} MiB ceiling");
        Assert.True(pageUpdates >= 2, lab.Failure($"the dashboard page got {pageUpdates} updates"));
    }

    /// <summary>A request for the real DHCP server (proxy leaves it alone, the tracker still records it) from one MAC
    /// whose <c>htype</c> cycles 1..255, with a new <c>ciaddr</c> each time. The rate limit charges its MAC bytes
    /// whatever the type, so all but 5/s are shed before any decision.</summary>
    private static byte[] OneMacCyclingHardwareType(int n) =>
        Renewal(new HardwareAddress((byte)(1 + n % 255), [0x02, 0x66, 0, 0, 0, 1]), n);

    /// <summary>400 MACs in turn: each sends 4 requests a second at 1600/s in all, under the per-client limit (5/s) and
    /// the new-client limit (2000/s), so every one is decided and tracked; each with a new <c>ciaddr</c>.</summary>
    private static byte[] FourHundredPoliteMacs(int n) =>
        Renewal(HardwareAddress.Ethernet([0x02, 0x67, 0, 0, (byte)(n % 400 >> 8), (byte)(n % 400)]), n);

    private static byte[] Renewal(HardwareAddress mac, int n)
    {
        var request = DhcpMessage.CreateRequest(DhcpMessageType.Request, mac, (uint)n) with
        {
            ClientAddress = new IPv4Address(0x0a500000u + (uint)(n % 0xfff0) + 0x10),
        };
        return DhcpMessageEncoder.Encode(request);
    }

    private sealed record Phase(string Name, int Packets, TimeSpan Elapsed, double FirstHalfCpu, double SecondHalfCpu, int Probes, int FirstAttempt, List<string> Failures);

    /// <summary>Floods at <paramref name="rate"/> for <see cref="FloodDuration"/> while a PXE client probes every second;
    /// the server's CPU time and memory are read once a tenth of the packets are out (the first tenth warms up: code
    /// compiled on first use, the rate limit engaging), halfway through the rest, and at the end.</summary>
    private async Task<Phase> RunPhaseAsync(string name, LabProcess server, Socket flooder, Socket probe, int rate, Func<int, byte[]> packet)
    {
        var total = (int)(rate * FloodDuration.TotalSeconds);
        var cpu = new double[3];
        var rss = new double[3];
        var flood = Task.Run(() => FloodAsync(flooder, packet, rate, total, i =>
        {
            cpu[i] = CpuSeconds(server.Id);
            rss[i] = HostileLab.Memory(server.Id).Rss;
        }));
        var failures = new List<string>();
        var probes = 0;
        var firstAttempt = 0;
        var xid = 0x70b00000u + (uint)rate;
        while (!flood.IsCompleted)
        {
            var round = Stopwatch.StartNew();
            probes++;
            var discover = DhcpMessageEncoder.Encode(HostileLab.PxeDiscover(ProbeMac, ++xid));
            // As firmware does, a DISCOVER unanswered for a while is sent again (once here).
            var offer = await HostileLab.AskAsync(probe, discover, xid, new IPEndPoint(IPAddress.Broadcast, 67), ProbeWait, attempts: 1);
            firstAttempt += offer is null ? 0 : 1;
            offer ??= await HostileLab.AskAsync(probe, discover, xid, new IPEndPoint(IPAddress.Broadcast, 67), ProbeWait, attempts: 1);
            if (offer is not { MessageType: DhcpMessageType.Offer, YourAddress.IsZero: true })
            {
                failures.Add($"probe {probes} ({round.Elapsed.TotalSeconds:0.0} s into it): {offer?.MessageType.ToString() ?? "no answer"}");
            }
            var rest = ProbeInterval - round.Elapsed;
            if (rest > TimeSpan.Zero)
            {
                await Task.WhenAny(flood, Task.Delay(rest));
            }
        }
        var elapsed = await flood;
        var phase = new Phase(name, total, elapsed, cpu[1] - cpu[0], cpu[2] - cpu[1], probes, firstAttempt, failures);
        var half = 0.45 * elapsed.TotalSeconds;
        output.WriteLine($"{name}: {total} packets in {elapsed.TotalSeconds:0.0} s ({total / elapsed.TotalSeconds:0}/s); "
            + $"server CPU {phase.FirstHalfCpu:0.00} s in the first half, {phase.SecondHalfCpu:0.00} s in the second "
            + $"({100 * phase.FirstHalfCpu / half:0}% then {100 * phase.SecondHalfCpu / half:0}% of a core); "
            + $"probes answered {probes - failures.Count}/{probes} ({firstAttempt} at the first attempt); "
            + $"RSS {rss[0]:0.0}, {rss[1]:0.0}, {rss[2]:0.0} MiB");
        return phase;
    }

    /// <summary>Sends <paramref name="total"/> packets at <paramref name="rate"/> per second (paced every 32 packets);
    /// <paramref name="sample"/>(0) once a tenth are out, (1) at 55 % (so both halves measured carry as many packets),
    /// (2) after the last.</summary>
    private static async Task<TimeSpan> FloodAsync(Socket socket, Func<int, byte[]> packet, int rate, int total, Action<int> sample)
    {
        var to = new IPEndPoint(IPAddress.Broadcast, 67);
        var clock = Stopwatch.StartNew();
        for (var n = 0; n < total; n++)
        {
            if (n == total / 10)
            {
                sample(0);
            }
            else if (n == total * 11 / 20)
            {
                sample(1);
            }
            await socket.SendToAsync(packet(n), to);
            if (n % 32 == 31)
            {
                var due = TimeSpan.FromSeconds((double)(n + 1) / rate) - clock.Elapsed;
                if (due > TimeSpan.Zero)
                {
                    await Task.Delay(due);
                }
            }
        }
        sample(2);
        return clock.Elapsed;
    }

    /// <summary>A client socket on an ephemeral port, tied to its NIC, allowed to broadcast.</summary>
    private static Socket FloodSocket(NetworkNamespace ns, string device) => ns.Run(() =>
    {
        var s = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp) { EnableBroadcast = true };
        s.SetRawSocketOption(1, 25, Encoding.ASCII.GetBytes(device + "\0"));
        s.Bind(new IPEndPoint(IPAddress.Any, 0));
        return s;
    });

    /// <summary>User plus system CPU time of a process so far (<c>/proc/PID/stat</c> utime and stime, in clock ticks).</summary>
    private static double CpuSeconds(int pid)
    {
        var stat = File.ReadAllText($"/proc/{pid}/stat");
        // Fields after the command name (which may hold spaces) start with the state, field 3: utime is 14, stime 15.
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        var ticks = long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
        return ticks / (double)s_ticksPerSecond.Value;
    }

    private static readonly Lazy<int> s_ticksPerSecond = new(() => int.Parse(Shell.Run("getconf", "CLK_TCK").Trim(), CultureInfo.InvariantCulture));

    private static string Sample(string metrics, string series) =>
        metrics.Split('\n').FirstOrDefault(l => l.StartsWith(series + " ", StringComparison.Ordinal))?[(series.Length + 1)..] ?? "0";
}

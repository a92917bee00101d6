using System.Globalization;
using System.Text.RegularExpressions;

namespace NetBoot.Cli.Demo;

/// <summary>
/// The demo's private network, in three network namespaces named after this run (<c>nbdemo&lt;pid&gt;-lan</c>, <c>-rt</c>,
/// <c>-srv</c>): "lan" holds a bridge and the VM's tap, "rt" the router (an ordinary DHCP server), "srv" NetBoot; veth
/// pairs join them to the bridge. Nothing touches the host's own interfaces. <see cref="DisposeAsync"/> ends every
/// process started here (by its PID), deletes the namespaces (with them the bridge, the tap and the veths) and the work
/// folder, then checks that none of it is left and says what it removed.
/// </summary>
internal sealed partial class DemoLab : IAsyncDisposable
{
    public const string Prefix = "nbdemo";

    private readonly string _ip;
    private readonly List<(DemoProcess Process, TimeSpan? Grace)> _processes = [];
    private readonly List<string> _namespaces = [];
    private readonly Lock _gate = new();

    private DemoLab(string id, string workDirectory, string ip)
    {
        Id = id;
        WorkDirectory = workDirectory;
        _ip = ip;
    }

    public string Id { get; }

    public string WorkDirectory { get; }

    /// <summary>Keep the work folder (logs, boot root) for a look after the run.</summary>
    public bool KeepWorkDirectory { get; set; }

    public string LanNamespace => $"{Id}-lan";

    public string RouterNamespace => $"{Id}-rt";

    public string ServerNamespace => $"{Id}-srv";

    /// <summary>What <see cref="DisposeAsync"/> did, one line per kind of thing, and whatever it could not remove.</summary>
    public List<string> CleanupReport { get; } = [];

    /// <summary>True when the clean-up found something of this run still there.</summary>
    public bool LeftSomethingBehind { get; private set; }

    /// <summary>Namespaces and work folder for this run; the topology is built by <see cref="BuildAsync"/>.</summary>
    public static async Task<DemoLab> CreateAsync(string ip)
    {
        await SweepAbandonedAsync(ip).ConfigureAwait(false);
        var id = string.Create(CultureInfo.InvariantCulture, $"{Prefix}{Environment.ProcessId}");
        var work = Directory.CreateTempSubdirectory("netboot-demo-").FullName;
        // dnsmasq drops to "nobody" and must still reach its lease file here (network namespaces: Linux only).
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(work, (UnixFileMode)0b111_101_101);
        }
        return new DemoLab(id, work, ip);
    }

    public async Task BuildAsync()
    {
        foreach (var netns in new[] { LanNamespace, RouterNamespace, ServerNamespace })
        {
            await IpAsync("netns", "add", netns).ConfigureAwait(false);
            lock (_gate)
            {
                _namespaces.Add(netns);
            }
            await IpAsync("-n", netns, "link", "set", "lo", "up").ConfigureAwait(false);
        }
        // A bridge that forwards at once: STP off, no forward delay.
        await IpAsync("-n", LanNamespace, "link", "add", DemoNetwork.Bridge, "type", "bridge", "stp_state", "0", "forward_delay", "0").ConfigureAwait(false);
        await IpAsync("-n", LanNamespace, "link", "set", DemoNetwork.Bridge, "up").ConfigureAwait(false);
        await IpAsync("-n", LanNamespace, "tuntap", "add", "dev", DemoNetwork.Tap, "mode", "tap").ConfigureAwait(false);
        await IpAsync("-n", LanNamespace, "link", "set", DemoNetwork.Tap, "master", DemoNetwork.Bridge, "up").ConfigureAwait(false);
        await AttachAsync(RouterNamespace, DemoNetwork.RouterInterface).ConfigureAwait(false);
        await AttachAsync(ServerNamespace, DemoNetwork.ServerInterface).ConfigureAwait(false);
        await IpAsync("-n", RouterNamespace, "addr", "add", $"{DemoNetwork.RouterAddress}/{DemoNetwork.PrefixLength}", "dev", DemoNetwork.RouterInterface).ConfigureAwait(false);
        await IpAsync("-n", RouterNamespace, "addr", "add", $"{DemoNetwork.RouterIpv6Address}/64", "dev", DemoNetwork.RouterInterface, "nodad").ConfigureAwait(false);
        await IpAsync("-n", ServerNamespace, "addr", "add", $"{DemoNetwork.ServerAddress}/{DemoNetwork.PrefixLength}", "dev", DemoNetwork.ServerInterface).ConfigureAwait(false);
    }

    /// <summary>Starts a program inside <paramref name="netns"/>. <paramref name="grace"/>: SIGTERM it at the end and wait
    /// that long before SIGKILL (null: SIGKILL at once).</summary>
    public DemoProcess Start(string name, string netns, string fileName, IEnumerable<string> arguments,
        Action<string> onOutput, Action<string> onErrorLine, TimeSpan? grace = null, bool rawOutput = false)
    {
        var process = DemoProcess.Start(name, _ip, ["netns", "exec", netns, fileName, .. arguments], onOutput, onErrorLine, rawOutput);
        lock (_gate)
        {
            _processes.Add((process, grace));
        }
        return process;
    }

    public async ValueTask DisposeAsync()
    {
        List<(DemoProcess Process, TimeSpan? Grace)> processes;
        List<string> namespaces;
        lock (_gate)
        {
            processes = [.. _processes];
            namespaces = [.. _namespaces];
        }
        var stopped = new List<string>();
        // Last started first: the VM, then NetBoot (which logs that it is exiting), then the router.
        for (var i = processes.Count - 1; i >= 0; i--)
        {
            var (process, grace) = processes[i];
            if (await process.StopAsync(grace).ConfigureAwait(false))
            {
                stopped.Add($"{process.Name} (pid {process.Id})");
            }
            else
            {
                LeftSomethingBehind = true;
                CleanupReport.Add($"could not end {process.Name} (pid {process.Id})");
            }
        }
        if (stopped.Count > 0)
        {
            CleanupReport.Add("ended " + string.Join(", ", stopped));
        }
        foreach (var netns in namespaces)
        {
            await DemoShell.RunAsync(_ip, ["netns", "delete", netns], TimeSpan.FromSeconds(30)).ConfigureAwait(false);
        }
        await VerifyNamespacesGoneAsync(namespaces).ConfigureAwait(false);
        RemoveWorkDirectory();
    }

    private async Task VerifyNamespacesGoneAsync(List<string> namespaces)
    {
        if (namespaces.Count == 0)
        {
            return;
        }
        var (_, listing, _) = await DemoShell.RunAsync(_ip, ["netns", "list"], TimeSpan.FromSeconds(30)).ConfigureAwait(false);
        var left = namespaces.Where(n => Regex.IsMatch(listing, $@"^{Regex.Escape(n)}\b", RegexOptions.Multiline)).ToList();
        if (left.Count > 0)
        {
            LeftSomethingBehind = true;
            CleanupReport.Add("could not delete namespaces " + string.Join(", ", left));
        }
        CleanupReport.Add($"deleted namespaces {string.Join(", ", namespaces.Except(left))} (with the bridge {DemoNetwork.Bridge}, the tap {DemoNetwork.Tap} and the veth pairs)");
    }

    private void RemoveWorkDirectory()
    {
        if (KeepWorkDirectory)
        {
            CleanupReport.Add($"kept {WorkDirectory} (--keep): NetBoot's configuration, the boot root and the logs");
            return;
        }
        try
        {
            Directory.Delete(WorkDirectory, recursive: true);
            CleanupReport.Add($"removed {WorkDirectory}");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            LeftSomethingBehind = true;
            CleanupReport.Add($"could not remove {WorkDirectory}: {e.Message}");
        }
    }

    /// <summary>A veth pair: one end on the bridge, the other (named <paramref name="inside"/>) in <paramref name="netns"/>.</summary>
    private async Task AttachAsync(string netns, string inside)
    {
        var bridgeSide = inside + "b";
        await IpAsync("-n", LanNamespace, "link", "add", bridgeSide, "type", "veth", "peer", "name", inside, "netns", netns).ConfigureAwait(false);
        await IpAsync("-n", LanNamespace, "link", "set", bridgeSide, "master", DemoNetwork.Bridge, "up").ConfigureAwait(false);
        await IpAsync("-n", netns, "link", "set", inside, "up").ConfigureAwait(false);
    }

    private Task<string> IpAsync(params string[] arguments) => DemoShell.CheckedAsync(_ip, arguments);

    /// <summary>Removes what an earlier demo left when it was killed without a chance to clean up (SIGKILL, a crash):
    /// the namespaces of a demo whose process is gone, after ending the processes still inside them. Only this
    /// prefix is touched, and never a namespace whose demo is still running.</summary>
    private static async Task SweepAbandonedAsync(string ip)
    {
        var (_, listing, _) = await DemoShell.RunAsync(ip, ["netns", "list"], TimeSpan.FromSeconds(30)).ConfigureAwait(false);
        foreach (Match match in OwnNamespace().Matches(listing))
        {
            var owner = int.Parse(match.Groups["pid"].Value, CultureInfo.InvariantCulture);
            if (owner == Environment.ProcessId || Directory.Exists($"/proc/{owner}"))
            {
                continue;
            }
            var netns = match.Groups["name"].Value;
            var (_, pids, _) = await DemoShell.RunAsync(ip, ["netns", "pids", netns], TimeSpan.FromSeconds(30)).ConfigureAwait(false);
            foreach (var pid in pids.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                await DemoShell.RunAsync("kill", ["-KILL", pid], TimeSpan.FromSeconds(10)).ConfigureAwait(false);
            }
            await DemoShell.RunAsync(ip, ["netns", "delete", netns], TimeSpan.FromSeconds(30)).ConfigureAwait(false);
        }
    }

    [GeneratedRegex(@"^(?<name>nbdemo(?<pid>\d+)-(lan|rt|srv))\b", RegexOptions.Multiline)]
    private static partial Regex OwnNamespace();
}

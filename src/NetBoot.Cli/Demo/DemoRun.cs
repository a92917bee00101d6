using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text.RegularExpressions;

namespace NetBoot.Cli.Demo;

/// <summary>What <c>netboot demo</c> was asked for.</summary>
internal sealed record DemoOptions(DemoMode Mode, bool InstallMissing, TimeSpan Timeout, bool KeepWorkDirectory);

/// <summary>Exit codes of <c>netboot demo</c>.</summary>
internal static class DemoExitCode
{
    public const int Booted = 0;
    public const int Failed = 1;
    public const int NotReady = 2;
    /// <summary>128 + SIGINT, as a shell reports a command ended by Ctrl-C.</summary>
    public const int Interrupted = 130;
}

/// <summary>
/// One run of <c>netboot demo</c>: checks root and packages, builds the lab (<see cref="DemoLab"/>), starts the router
/// (dnsmasq as a plain DHCP server), NetBoot (<c>netboot serve</c>, this very program, in proxy mode) and the VM, streams
/// the VM's console and NetBoot's log, waits for the marker, then removes everything and prints the summary
/// (<see cref="DemoTimeline"/>) and one last line that says whether the VM booted.
/// </summary>
internal sealed partial class DemoRun(DemoOptions options, TextWriter output)
{
    private static readonly TimeSpan RouterReadyTimeout = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan ServerReadyTimeout = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan ServerStopGrace = TimeSpan.FromSeconds(5);

    private readonly Lock _outputLock = new();
    private readonly Stopwatch _clock = new();
    private readonly TerminalLines _console = new();
    private readonly Queue<string> _consoleTail = new();

    public async Task<int> RunAsync(CancellationToken interrupt)
    {
        var requirements = DemoPrerequisites.For(options.Mode);
        var missing = DemoPrerequisites.MissingPackages(requirements, File.Exists);
        var isRoot = Environment.IsPrivilegedProcess;
        var problems = Preflight(isRoot, missing, options.InstallMissing);
        if (problems.Count > 0)
        {
            foreach (var line in problems)
            {
                Say(line);
            }
            return DemoExitCode.NotReady;
        }
        if (missing.Count > 0)
        {
            if (!await DemoPrerequisites.InstallAsync(missing, output).ConfigureAwait(false)
                || DemoPrerequisites.MissingPackages(requirements, File.Exists) is { Count: > 0 } still)
            {
                Say("netboot demo: the packages could not be installed; install them by hand: " + DemoPrerequisites.InstallCommand(missing));
                return DemoExitCode.NotReady;
            }
        }
        _clock.Start();
        var ip = DemoPrerequisites.Ip.Locate(File.Exists)!;
        var lab = await DemoLab.CreateAsync(ip).ConfigureAwait(false);
        lab.KeepWorkDirectory = options.KeepWorkDirectory;
        var timeline = new DemoTimeline(Path.Combine(lab.WorkDirectory, "root"));
        DemoOutcome outcome;
        await using (lab.ConfigureAwait(false))
        {
            outcome = await BootAsync(lab, timeline, interrupt).ConfigureAwait(false);
            Say(Stamp("cleaning up"));
        }
        Report(lab, timeline, outcome);
        return lab.LeftSomethingBehind && outcome.ExitCode == DemoExitCode.Booted ? DemoExitCode.Failed : outcome.ExitCode;
    }

    /// <summary>Why the demo cannot start: not root, or packages missing without <c>--yes</c>. Empty when it can.</summary>
    internal static IReadOnlyList<string> Preflight(bool isRoot, IReadOnlyList<string> missingPackages, bool installMissing)
    {
        var lines = new List<string>();
        if (!isRoot)
        {
            lines.Add("netboot demo: needs root: it creates network namespaces, a bridge and a tap (nothing on this host's own interfaces).");
            lines.Add("  Run it as root: sudo netboot demo   (or: sudo dotnet run -c Release --project src/NetBoot.Cli -- demo)");
        }
        if (missingPackages.Count > 0 && (!isRoot || !installMissing))
        {
            lines.Add($"netboot demo: missing Debian packages: {string.Join(' ', missingPackages)}. Install them with:");
            lines.Add("  sudo " + DemoPrerequisites.InstallCommand(missingPackages));
            lines.Add("  or run the demo with --yes to let it install them.");
        }
        return lines;
    }

    private async Task<DemoOutcome> BootAsync(DemoLab lab, DemoTimeline timeline, CancellationToken interrupt)
    {
        try
        {
            Say($"netboot demo: {DemoMachine.Describe(options.Mode)} boots from NetBoot in proxy mode, under QEMU without KVM (about a minute)");
            await lab.BuildAsync().ConfigureAwait(false);
            Say(Stamp($"lab {lab.Id}: namespaces {lab.LanNamespace} (bridge {DemoNetwork.Bridge}, tap {DemoNetwork.Tap} for the VM), "
                + $"{lab.RouterNamespace} (router {DemoNetwork.RouterAddress}), {lab.ServerNamespace} (NetBoot {DemoNetwork.ServerAddress}); work folder {lab.WorkDirectory}"));
            var marker = "NETBOOT-DEMO-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4));
            var root = Path.Combine(lab.WorkDirectory, "root");
            var files = DemoBootRoot.Prepare(options.Mode, root, marker);
            Say(Stamp($"boot root {root}: {string.Join(", ", files)}"));
            var config = Path.Combine(lab.WorkDirectory, "netboot.conf");
            await File.WriteAllTextAsync(config, DemoBootRoot.Config(options.Mode, root), interrupt).ConfigureAwait(false);
            Say(Stamp($"NetBoot's configuration ({config}):"));
            foreach (var line in File.ReadLines(config).Where(l => l.Length > 0))
            {
                Say("           " + line);
            }

            var router = await StartRouterAsync(lab, timeline, interrupt).ConfigureAwait(false);
            var server = await StartServerAsync(lab, timeline, config, interrupt).ConfigureAwait(false);
            var markerSeen = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var vm = StartMachine(lab, timeline, marker, markerSeen);
            Say(Stamp($"VM started (pid {vm.Id}), waiting up to {options.Timeout.TotalSeconds:0} s for it to print {marker}"));
            return await WaitForMarkerAsync(markerSeen.Task, [router, server, vm], timeline, interrupt).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (interrupt.IsCancellationRequested)
        {
            return DemoOutcome.Interrupted(_clock.Elapsed);
        }
        catch (DemoException e)
        {
            return new DemoOutcome(DemoExitCode.Failed, $"FAILED: {e.Message}", []);
        }
    }

    private async Task<DemoProcess> StartRouterAsync(DemoLab lab, DemoTimeline timeline, CancellationToken interrupt)
    {
        var ready = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        void OnLine(string line)
        {
            if (RouterLineText(line) is { } text)
            {
                Say("router  | " + text);
            }
            timeline.OnRouterLine(_clock.Elapsed, line);
            if (line.Contains("DHCP, IP range", StringComparison.Ordinal))
            {
                ready.TrySetResult();
            }
        }
        var router = lab.Start("router (dnsmasq)", lab.RouterNamespace, DemoPrerequisites.Dnsmasq.Locate(File.Exists)!,
        [
            "--no-daemon", "--conf-file=/dev/null", "--port=0", "--log-facility=-", "--pid-file=",
            $"--dhcp-leasefile={Path.Combine(lab.WorkDirectory, "router.leases")}",
            $"--interface={DemoNetwork.RouterInterface}", "--bind-interfaces",
            $"--dhcp-range={DemoNetwork.PoolStart},{DemoNetwork.PoolEnd},{DemoNetwork.Netmask},1h",
            // dnsmasq pings an address for about 3 s before offering it; the LAN is the demo's own.
            "--no-ping",
            "--enable-ra", $"--dhcp-range={DemoNetwork.Ipv6Prefix},ra-only",
        ], OnLine, OnLine);
        await WaitReadyAsync(ready.Task, router, RouterReadyTimeout, interrupt).ConfigureAwait(false);
        Say(Stamp($"router ready (dnsmasq, pid {router.Id}): an ordinary DHCP server leasing {DemoNetwork.PoolStart}-{DemoNetwork.PoolEnd}, nothing about PXE"));
        return router;
    }

    private async Task<DemoProcess> StartServerAsync(DemoLab lab, DemoTimeline timeline, string config, CancellationToken interrupt)
    {
        var ready = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        void OnLine(string line)
        {
            Say("netboot | " + StripDate(line));
            timeline.OnServerLine(_clock.Elapsed, line);
            if (line.Contains("netboot: started, version", StringComparison.Ordinal))
            {
                ready.TrySetResult();
            }
        }
        var (program, prefix) = SelfCommand();
        var server = lab.Start("netboot serve", lab.ServerNamespace, program, [.. prefix, "serve", "-C", config],
            OnLine, OnLine, ServerStopGrace);
        await WaitReadyAsync(ready.Task, server, ServerReadyTimeout, interrupt).ConfigureAwait(false);
        Say(Stamp($"NetBoot ready (pid {server.Id}): proxyDHCP on 67, boot server on 4011, TFTP{(options.Mode == DemoMode.Uefi ? $", HTTP on {DemoNetwork.HttpPort}" : "")}"));
        return server;
    }

    private DemoProcess StartMachine(DemoLab lab, DemoTimeline timeline, string marker, TaskCompletionSource markerSeen)
    {
        var consoleLog = Path.Combine(lab.WorkDirectory, "console.log");
        void OnConsole(string text)
        {
            lock (_console)
            {
                // The console as the VM wrote it (escape sequences and all), for a look with --keep.
                File.AppendAllText(consoleLog, text);
                foreach (var line in _console.Feed(text))
                {
                    OnConsoleLine(line, marker, timeline, markerSeen);
                }
            }
        }
        var command = DemoMachine.CommandLine(options.Mode, lab.WorkDirectory, options.Timeout + TimeSpan.FromSeconds(60));
        var vm = lab.Start("qemu", lab.LanNamespace, command[0], command.Skip(1), OnConsole, OnQemuError, rawOutput: true);
        timeline.Add(_clock.Elapsed, "VM", $"powered on: {DemoMachine.Describe(options.Mode)}");
        return vm;
    }

    /// <summary>One line of the VM's console (under <c>_console</c>'s lock, so lines keep their order): shown until the
    /// marker, which ends the boot (what firmware prints after it, looking for a disk, is not the demo's business).</summary>
    private void OnConsoleLine(string line, string marker, DemoTimeline timeline, TaskCompletionSource markerSeen)
    {
        if (markerSeen.Task.IsCompleted)
        {
            return;
        }
        _consoleTail.Enqueue(line);
        while (_consoleTail.Count > 15)
        {
            _consoleTail.Dequeue();
        }
        Say("vm      | " + line);
        if (line.Contains(marker, StringComparison.Ordinal))
        {
            timeline.Add(_clock.Elapsed, "VM", $"printed {marker} on its console: booted from NetBoot");
            markerSeen.TrySetResult();
        }
    }

    private void OnQemuError(string line)
    {
        // SeaBIOS reads etc/sercon-port by that name, which QEMU would rather see under opt/: not the user's concern.
        if (!line.Contains("fw_cfg item names should be prefixed", StringComparison.Ordinal))
        {
            Say("qemu    | " + line);
        }
    }

    /// <summary>The router's line as shown: without dnsmasq's date and PID, and without its IPv6 router advertisements and
    /// build options (null), which say nothing about the boot.</summary>
    internal static string? RouterLineText(string line)
    {
        var text = DnsmasqPid().Replace(StripDate(line), ":", 1);
        return text.Contains("RTR-", StringComparison.Ordinal) || text.Contains("compile time options", StringComparison.Ordinal) ? null : text;
    }

    private async Task<DemoOutcome> WaitForMarkerAsync(Task markerSeen, DemoProcess[] processes, DemoTimeline timeline, CancellationToken interrupt)
    {
        var started = _clock.Elapsed;
        var exited = processes.Select(p => p.Exited).ToArray();
        try
        {
            var first = await Task.WhenAny([markerSeen, .. exited]).WaitAsync(options.Timeout, interrupt).ConfigureAwait(false);
            // Ctrl-C in a terminal reaches the children too: a child that ended of it is not a failure.
            interrupt.ThrowIfCancellationRequested();
            if (first == markerSeen)
            {
                return new DemoOutcome(DemoExitCode.Booted, string.Create(CultureInfo.InvariantCulture,
                    $"OK: the VM booted from NetBoot {(_clock.Elapsed - started).TotalSeconds:0.0} s after it was powered on ({_clock.Elapsed.TotalSeconds:0.0} s in all)"), []);
            }
            var ended = processes[Array.IndexOf(exited, first)];
            return new DemoOutcome(DemoExitCode.Failed, $"FAILED: {ended.Name} ended early (exit code {await ended.Exited.ConfigureAwait(false)}) before the VM booted",
                [$"last output of {ended.Name}:", .. ended.Tail().TakeLast(15).Select(l => "  " + l)]);
        }
        catch (TimeoutException)
        {
            var last = timeline.Steps.LastOrDefault(s => s.Protocol != "VM");
            var detail = new List<string> { "last lines of the VM's console:" };
            lock (_console)
            {
                detail.AddRange(_consoleTail.Select(l => "  " + l));
            }
            return new DemoOutcome(DemoExitCode.Failed,
                $"FAILED: the VM did not print its marker within {options.Timeout.TotalSeconds:0} s"
                + (last is null ? "; NetBoot saw no request from it" : $"; the last step NetBoot logged: {last.Protocol} {last.Text}")
                + " (a busy machine boots slower without KVM: try --timeout 300)", detail);
        }
    }

    private static async Task WaitReadyAsync(Task ready, DemoProcess process, TimeSpan timeout, CancellationToken interrupt)
    {
        Task first;
        try
        {
            first = await Task.WhenAny(ready, process.Exited).WaitAsync(timeout, interrupt).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            throw new DemoException($"{process.Name} was not ready within {timeout.TotalSeconds:0} s:\n  " + string.Join("\n  ", process.Tail().TakeLast(10)));
        }
        interrupt.ThrowIfCancellationRequested();
        if (first != ready)
        {
            throw new DemoException($"{process.Name} ended at start (exit code {await process.Exited.ConfigureAwait(false)}):\n  " + string.Join("\n  ", process.Tail().TakeLast(10)));
        }
    }

    private void Report(DemoLab lab, DemoTimeline timeline, DemoOutcome outcome)
    {
        foreach (var line in outcome.Detail)
        {
            Say(line);
        }
        Say("");
        Say("summary (seconds since netboot demo started; DHCP, 4011, TFTP and HTTP steps from NetBoot's log):");
        foreach (var step in timeline.Steps)
        {
            Say(step.ToString());
        }
        foreach (var line in lab.CleanupReport)
        {
            Say("clean-up: " + line);
        }
        Say("netboot demo: " + outcome.Verdict + (lab.LeftSomethingBehind ? "; but the clean-up left something behind (see above)" : ""));
    }

    /// <summary>How to start this same program as <c>netboot serve</c>: the executable itself, or <c>dotnet netboot.dll</c>.</summary>
    internal static (string Program, string[] Prefix) SelfCommand()
    {
        var process = Environment.ProcessPath ?? throw new DemoException("cannot tell where this netboot executable is");
        return Path.GetFileNameWithoutExtension(process) == "dotnet"
            ? (process, [Environment.GetCommandLineArgs()[0]])
            : (process, []);
    }

    /// <summary>NetBoot's lines start with the local time (<c>Dec 07 00:46:47 </c>); the demo shows its own clock instead.</summary>
    internal static string StripDate(string line) =>
        line.Length > 16 && line[3] == ' ' && line[6] == ' ' && line[9] == ':' && line[12] == ':' ? line[16..] : line;

    [GeneratedRegex(@"\[\d+\]:")]
    private static partial Regex DnsmasqPid();

    private string Stamp(string text) => string.Create(CultureInfo.InvariantCulture, $"{_clock.Elapsed.TotalSeconds,7:0.0} s  {text}");

    private void Say(string line)
    {
        lock (_outputLock)
        {
            output.WriteLine(line);
            output.Flush();
        }
    }
}

/// <summary>How the run ended: the exit code, the last line's verdict, and lines that explain a failure.</summary>
internal sealed record DemoOutcome(int ExitCode, string Verdict, IReadOnlyList<string> Detail)
{
    public static DemoOutcome Interrupted(TimeSpan at) =>
        new(DemoExitCode.Interrupted, string.Create(CultureInfo.InvariantCulture, $"interrupted after {at.TotalSeconds:0.0} s (the VM had not booted yet)"), []);
}

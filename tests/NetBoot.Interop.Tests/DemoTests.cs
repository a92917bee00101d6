using System.Text.RegularExpressions;
using NetBoot.Interop.Tests.Lab;
using NetBoot.Interop.Tests.Servers;
using Xunit.Abstractions;

namespace NetBoot.Interop.Tests;

/// <summary>
/// Issue 16: <c>netboot demo</c> as a user runs it (the published executable, as root). It exits 0 once the VM printed the
/// marker of the boot program NetBoot served, its summary shows NetBoot's DHCP, 4011, TFTP (and for UEFI HTTP) steps with
/// their times, and nothing of the run is left: no namespace of its name, no process it started (by the PIDs it reports,
/// and none whose command line names its work folder), no work folder. Ctrl-C (SIGINT) during the boot ends it with 130
/// and the same clean slate.
/// </summary>
[Trait("Category", "Interop")]
public sealed partial class DemoTests(ITestOutputHelper output)
{
    /// <summary>A boot takes 8 to 20 s on an idle machine; the demo's own limit is 120 s.</summary>
    private static readonly TimeSpan RunTimeout = TimeSpan.FromSeconds(200);

    [Fact]
    public async Task Bios_demo_boots_pxelinux_from_netboot_and_leaves_nothing_behind()
    {
        var (code, text, pid) = await RunDemoAsync([]);

        Assert.True(code == 0, text);
        Assert.Matches(Step("DHCP", @"proxyDHCP answer on port 67 to 52:54:00:4e:44:01 \[DHCPDISCOVER on 67, arch 0 X86Bios"), text);
        Assert.Matches(Step("DHCP", @"the router \(dnsmasq, ordinary DHCP\) leased 10\.77\.0\.\d+"), text);
        Assert.Matches(Step("4011", @"boot server answered 10\.77\.0\.\d+ \(52:54:00:4e:44:01\): boot file pxelinux\.0"), text);
        Assert.Matches(Step("TFTP", @"sent pxelinux\.0 to 10\.77\.0\.\d+: 42430 bytes in"), text);
        Assert.Matches(Step("TFTP", @"sent pxelinux\.cfg/default to"), text);
        Assert.Matches(Step("VM", @"printed NETBOOT-DEMO-[0-9a-f]{8} on its console"), text);
        Assert.Matches(@"\nnetboot demo: OK: the VM booted from NetBoot [\d.]+ s after it was powered on", text);
        await AssertNothingLeftAsync(text, pid);
    }

    [Fact]
    public async Task Uefi_demo_boots_ipxe_efi_by_tftp_and_its_script_over_http()
    {
        var (code, text, pid) = await RunDemoAsync(["--uefi"]);

        Assert.True(code == 0, text);
        Assert.Matches(Step("DHCP", @"proxyDHCP answer on port 67 to 52:54:00:4e:44:01 \[DHCPDISCOVER on 67, arch 7 X64Uefi"), text);
        Assert.Matches(Step("4011", @"boot server answered 10\.77\.0\.\d+"), text);
        Assert.Matches(Step("TFTP", @"sent ipxe\.efi to 10\.77\.0\.\d+: \d+ bytes"), text);
        Assert.Matches(Step("HTTP", @"GET /boot\.ipxe from 10\.77\.0\.\d+: 200"), text);
        Assert.Matches(Step("VM", @"printed NETBOOT-DEMO-[0-9a-f]{8}"), text);
        await AssertNothingLeftAsync(text, pid);
    }

    [Fact]
    public async Task Arm64_demo_boots_its_architectures_file_by_tftp()
    {
        var (code, text, pid) = await RunDemoAsync(["--arm64"]);

        Assert.True(code == 0, text);
        Assert.Matches(Step("DHCP", @"proxyDHCP answer on port 67 to 52:54:00:4e:44:01 \[DHCPDISCOVER on 67, arch 11 Arm64Uefi"), text);
        Assert.Matches(Step("TFTP", @"sent bootaa64\.efi to 10\.77\.0\.\d+"), text);
        Assert.Matches(Step("VM", @"printed NETBOOT-DEMO-[0-9a-f]{8}"), text);
        await AssertNothingLeftAsync(text, pid);
    }

    [Fact]
    public async Task Ctrl_c_during_the_boot_ends_with_130_and_removes_everything()
    {
        // As from a terminal: SIGINT at its default disposition. A suite started in the background (a CI runner, a shell's
        // `&`) passes SIGINT on ignored, and .NET then leaves it ignored (dotnet/corefx#25749), as a background job should.
        using var demo = WatchedProcess.Start("env", ["--default-signal=INT", await NetbootAsync(), "demo"]);
        // The VM is running: everything the demo makes exists now. The Ctrl-C goes from the thread that reads the line,
        // the moment it is read: the VM needs 5 s or more to boot on an idle machine.
        var signalled = new TaskCompletionSource<TimeSpan>(TaskCreationOptions.RunContinuationsAsynchronously);
        demo.WhenLine(VmStarted(), _ =>
        {
            try
            {
                demo.Signal(2);
                signalled.TrySetResult(demo.Elapsed);
            }
            catch (Exception e)
            {
                signalled.TrySetException(e);
            }
        });
        var at = await signalled.Task.WaitAsync(RunTimeout);
        var code = await demo.WaitForExitAsync(RunTimeout);
        var text = demo.Output;
        output.WriteLine($"the Ctrl-C was sent {at.TotalSeconds:0.0} s after the demo started");
        output.WriteLine(text);

        Assert.True(code == 130, $"exit code {code}; the Ctrl-C was sent {at.TotalSeconds:0.0} s after the start\n{text}");
        Assert.Matches(@"\nnetboot demo: interrupted after [\d.]+ s", text);
        Assert.DoesNotContain("booted from NetBoot", text, StringComparison.Ordinal);
        Assert.Matches(@"\nclean-up: ended qemu \(pid \d+\), netboot serve \(pid \d+\), router \(dnsmasq\) \(pid \d+\)\n", text);
        await AssertNothingLeftAsync(text, demo.Id);
    }

    [Fact]
    public async Task Without_root_it_says_so_and_exits_2_having_made_nothing()
    {
        // As nobody, through setpriv (util-linux): no namespace may be created, nothing is asked of apt.
        using var demo = WatchedProcess.Start("setpriv", ["--reuid=65534", "--regid=65534", "--clear-groups", await NetbootAsync(), "demo"], "/tmp");
        var code = await demo.WaitForExitAsync(RunTimeout);

        Assert.Equal(2, code);
        Assert.StartsWith("netboot demo: needs root: it creates network namespaces", demo.Output, StringComparison.Ordinal);
        Assert.Contains("sudo netboot demo", demo.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("nbdemo", await NamespaceLab.RunAsync("ip", ["netns", "list"]), StringComparison.Ordinal);
    }

    private async Task<(int Code, string Text, int Pid)> RunDemoAsync(string[] arguments)
    {
        using var demo = WatchedProcess.Start(await NetbootAsync(), ["demo", .. arguments]);
        var code = await demo.WaitForExitAsync(RunTimeout);
        output.WriteLine(demo.Output);
        return (code, demo.Output, demo.Id);
    }

    private static async Task<string> NetbootAsync() => Path.Combine(await NetBootServer.PublishDirectoryAsync(), "netboot");

    /// <summary>No namespace named after the run, no process it reported or that names its work folder, no work folder.</summary>
    private static async Task AssertNothingLeftAsync(string text, int demoPid)
    {
        var namespaces = await NamespaceLab.RunAsync("ip", ["netns", "list"]);
        Assert.DoesNotContain($"nbdemo{demoPid}-", namespaces, StringComparison.Ordinal);

        var cleanup = text.Split('\n').Single(l => l.StartsWith("clean-up: ended ", StringComparison.Ordinal));
        var ended = EndedProcess().Matches(cleanup).Select(m => int.Parse(m.Groups["pid"].Value)).ToList();
        Assert.Equal(3, ended.Count);
        Assert.All(ended, pid => Assert.False(Directory.Exists($"/proc/{pid}"), $"process {pid} of the demo is still there"));

        var work = WorkFolder().Match(text);
        Assert.True(work.Success, "the demo names its work folder");
        Assert.False(Directory.Exists(work.Value), $"{work.Value} is still there");
        Assert.Empty(ProcessesNaming(work.Value));
    }

    /// <summary>PIDs of the processes whose command line mentions <paramref name="text"/>.</summary>
    private static IEnumerable<int> ProcessesNaming(string text)
    {
        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(directory), out var pid))
            {
                continue;
            }
            string commandLine;
            try
            {
                commandLine = File.ReadAllText(Path.Combine(directory, "cmdline")).Replace('\0', ' ');
            }
            catch (IOException)
            {
                continue;
            }
            catch (UnauthorizedAccessException)
            {
                continue;
            }
            if (commandLine.Contains(text, StringComparison.Ordinal))
            {
                yield return pid;
            }
        }
    }

    /// <summary>A summary line: "   7.2 s  TFTP   sent pxelinux.0 …".</summary>
    private static Regex Step(string protocol, string text) => new($@"\n +\d+\.\d s  {Regex.Escape(protocol),-6} {text}");

    [GeneratedRegex(@"\(pid (?<pid>\d+)\)")]
    private static partial Regex EndedProcess();

    [GeneratedRegex(@"/tmp/netboot-demo-[A-Za-z0-9]+")]
    private static partial Regex WorkFolder();

    [GeneratedRegex(@"^ +[\d.]+ s  VM started \(pid (?<pid>\d+)\)")]
    private static partial Regex VmStarted();
}

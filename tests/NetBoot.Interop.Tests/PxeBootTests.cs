using System.Text.RegularExpressions;
using NetBoot.Interop.Tests.Lab;
using NetBoot.Interop.Tests.Servers;
using Xunit.Abstractions;
using static NetBoot.Interop.Tests.Lab.PxeLabRun;

namespace NetBoot.Interop.Tests;

/// <summary>
/// The acceptance test of the reference configuration with a real client: a BIOS PC (SeaBIOS + iPXE ROM)
/// leases its address from an ordinary DHCP server, takes the PXE menu from the proxy server under test,
/// and boots Debian's pxelinux from it, or picks "Boot from local hard disk" and fetches nothing.
/// Each derived class runs these facts against one server implementation.
/// </summary>
public abstract class PxeBootTests(IPxeServerUnderTest server, ITestOutputHelper output)
{
    /// <summary>About 7 s under TCG on two cores (README.md); generous for a busy CI host.</summary>
    private static readonly TimeSpan BootTimeout = TimeSpan.FromSeconds(150);
    private static readonly TimeSpan StepTimeout = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Bios_client_leases_from_router_gets_the_menu_and_boots_pxelinux_from_the_server()
    {
        await using var run = await StartAsync(server, output);
        await run.RunAsync(async () =>
        {
            var serial = run.Client.Serial;
            await run.WaitAsync(serial, Literal(LtspScenario.MenuPrompt), BootTimeout, "iPXE shows the server's menu prompt");
            await run.WaitAsync(serial, Literal(run.Scenario.Marker), BootTimeout, "pxelinux printed the marker from pxelinux.cfg/default");
            var ip = await run.LeasedAddressAsync(StepTimeout);

            var console = serial.ReadAll();
            Assert.Matches(Literal($"Next server: {LabNetwork.ServerAddress}"), console);
            Assert.Matches(Literal($"Filename: {LtspScenario.BootFile}"), console);
            Assert.Matches(Literal("PXELINUX"), console);

            // The wire, independent of any log: proxy offer and boot-server answer from the server under test,
            // then the boot file and the files pxelinux asks for, in that order.
            Assert.NotEqual(0, await run.CapturedPacketCountAsync($"udp and src host {LabNetwork.ServerAddress} and src port 67"));
            Assert.NotEqual(0, await run.CapturedPacketCountAsync($"udp and src host {LabNetwork.ServerAddress} and src port 4011"));
            var requested = await run.CapturedTftpReadRequestsAsync("/ltsp/i386/pxelinux.cfg/default", StepTimeout);
            // pxelinux also asks for pxelinux.cfg/01-<mac> and the hex address prefixes, which do not exist.
            Assert.Equal(
                [LtspScenario.BootFile, "/ltsp/i386/ldlinux.c32", "/ltsp/i386/pxelinux.cfg/default"],
                requested.Where(name => !name.Contains("pxelinux.cfg/", StringComparison.Ordinal) || name.EndsWith("/default", StringComparison.Ordinal)).Distinct());

            // Last, what the server says it did (the one format-dependent part: ServerLogExpectations).
            var log = run.ServerProcess.Log;
            await run.WaitAsync(log, run.Expect.MenuOffered(LabNetwork.ClientMac), StepTimeout, "server log: proxy offer with the menu");
            await run.WaitAsync(log, run.Expect.BootServerAnswered(ip, LabNetwork.ClientMac, LtspScenario.BootFile), StepTimeout,
                "server log: boot-server answer on 4011");
            foreach (var file in new[] { "ltsp/i386/pxelinux.0", "ltsp/i386/ldlinux.c32", "ltsp/i386/pxelinux.cfg/default" })
            {
                await run.WaitAsync(log, run.Expect.FileSent(file, ip), StepTimeout, $"server log: sent {file}");
            }
        });
    }

    [Fact]
    public async Task Choosing_boot_from_local_hard_disk_in_the_menu_fetches_nothing_by_tftp()
    {
        await using var run = await StartAsync(server, output);
        await run.RunAsync(async () =>
        {
            var serial = run.Client.Serial;
            await using var monitor = await run.Client.ConnectMonitorAsync();
            var prompt = await run.WaitAsync(serial, Literal(LtspScenario.MenuPrompt), BootTimeout, "iPXE shows the menu prompt");
            // The prompt counts down 3 s (pxe-prompt=…,3): F8 must land inside it.
            await monitor.SendKeyAsync("f8");
            var menu = await run.WaitAsync(serial, Literal(LtspScenario.LocalEntry), StepTimeout, "iPXE drew the menu", prompt.Index);
            await monitor.SendKeyAsync("down");
            await monitor.SendKeyAsync("ret");
            // iPXE 1.0.0+git-20190125 has no message of its own for a type-0 entry: pxe_menu_boot() returns at
            // once ("Return immediately if local boot selected"), autoboot reports "No more network devices",
            // and the ROM hands back to SeaBIOS, which tries the (absent) hard disk.
            var back = await run.WaitAsync(serial, Literal("No more network devices"), StepTimeout, "iPXE gave up network boot", menu.Index);
            await run.WaitAsync(serial, Literal("Booting from Hard Disk"), StepTimeout, "SeaBIOS went on to the local disk", back.Index);
            var ip = await run.LeasedAddressAsync(StepTimeout);

            var console = serial.ReadAll();
            Assert.DoesNotMatch(new Regex("PXEBS|PXELINUX"), console);
            Assert.DoesNotMatch(Literal(run.Scenario.Marker), console);

            // The wire: the server's proxy offer, then no boot-server request to 4011 and not one TFTP packet.
            Assert.NotEqual(0, await run.CapturedPacketCountAsync($"udp and src host {LabNetwork.ServerAddress} and src port 67"));
            Assert.Equal(0, await run.CapturedPacketCountAsync("udp port 4011"));
            Assert.Equal(0, await run.CapturedPacketCountAsync("udp port 69"));

            // Last, the server's log (format-dependent: ServerLogExpectations).
            var log = run.ServerProcess.Log;
            Assert.Matches(run.Expect.MenuOffered(LabNetwork.ClientMac), log.ReadAll());
            Assert.DoesNotMatch(run.Expect.BootServerAnswered(ip, LabNetwork.ClientMac, LtspScenario.BootFile), log.ReadAll());
            Assert.DoesNotMatch(run.Expect.AnyTftpActivity, log.ReadAll());
        });
    }
}

/// <summary>The lab's self-check: dnsmasq itself, the reference implementation, must pass.</summary>
[Trait("Category", "Interop")]
public sealed class DnsmasqReferenceServerTests(ITestOutputHelper output) : PxeBootTests(new DnsmasqProxyServer(), output);

/// <summary>NetBoot on the same configuration and client: the project's first acceptance test.</summary>
[Trait("Category", "Interop")]
public sealed class NetBootServerTests(ITestOutputHelper output) : PxeBootTests(new NetBootServer(), output);

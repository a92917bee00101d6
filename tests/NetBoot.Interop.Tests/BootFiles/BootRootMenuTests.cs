using System.Diagnostics;
using System.Text.RegularExpressions;
using NetBoot.Interop.Tests.Lab;
using NetBoot.Interop.Tests.Servers;
using NetBoot.Interop.Tests.Uefi;
using NetBoot.Testing;
using Xunit.Abstractions;

namespace NetBoot.Interop.Tests.BootFiles;

/// <summary>
/// Issue 16: a boot root made by the real <c>netboot bootfiles</c> from Debian's packages, served by NetBoot on the
/// configuration that command printed, boots each firmware to its menu: SeaBIOS with QEMU's PXE ROM to PXELINUX's
/// menu and OVMF to iPXE and menu.ipxe (proxyDHCP next to the lab's router, the printed proxy range moved to the lab's
/// subnet); OVMF with Secure Boot on and Microsoft's keys to shim, signed network GRUB and its menu, and ARM64 AAVMF to
/// network GRUB and the same menu, on a network NetBoot leases itself (the printed proxy range replaced by a pool, no
/// router): Debian 12's GRUB takes its TFTP server from the DHCP server's ACK only, so next to a router that does not
/// name this server it stops at its prompt (Fedora's "efinet: Add DHCP proxy support" patch is not in Debian).
/// The evidence is the menu text on the serial console and NetBoot's TFTP log lines for every file of the chain.
/// </summary>
[Trait("Category", "Interop")]
public sealed partial class BootRootMenuTests(ITestOutputHelper output)
{
    private const string BiosMac = "52:54:00:4e:42:16";
    private const string UefiMac = "52:54:00:4e:42:17";
    private const string Arm64Mac = "52:54:00:4e:42:18";

    /// <summary>AAVMF needs about a minute to reach PXE under TCG on an idle host (Arm64UefiTests); generous for a busy one.</summary>
    private static readonly TimeSpan BootTimeout = TimeSpan.FromSeconds(240);
    private static readonly TimeSpan StepTimeout = TimeSpan.FromSeconds(30);

    [GeneratedRegex(@"^dhcp-range=.*\n", RegexOptions.Multiline)]
    private static partial Regex ProxyRanges();

    [Fact]
    public async Task Bios_pxe_rom_boots_pxelinux_from_the_root_and_shows_its_menu()
    {
        await RunAsync("bios", Network.ProxyNextToRouter, async (lab, server) =>
        {
            var client = QemuClient.Start(lab, BiosMac);
            var title = await WaitAsync(lab, client.Serial, Literal("NetBoot: network boot (BIOS)"), BootTimeout, "PXELINUX showed the menu title");
            await WaitAsync(lab, client.Serial, Echoed("Boot from local disk"), StepTimeout, "menu entry: local disk");
            await WaitAsync(lab, client.Serial, Echoed("Reboot"), StepTimeout, "menu entry: reboot");
            var countdown = await WaitAsync(lab, client.Serial, Literal("Automatic boot in"), StepTimeout, "menu counts down to its default entry");
            // The default entry, LOCALBOOT 0, hands back to the BIOS, which goes on to its disk.
            await client.Serial.WaitForAsync(Literal("Booting from Hard Disk"), StepTimeout, countdown.Index, lab.EnsureAllRunning);
            output.WriteLine("         after the timeout the BIOS booted from its disk (the default entry)");
            Assert.True(title.Index < countdown.Index);
            await AssertSentAsync(lab, server, ["pxelinux.0", "ldlinux.c32", "pxelinux.cfg/default", "menu.c32", "libutil.c32"]);
        });
    }

    [Fact]
    public async Task Uefi_x64_with_secure_boot_runs_shim_then_signed_grub_and_shows_the_grub_menu()
    {
        await RunAsync("uefi-x64-secure-boot", Network.LeasedByNetBoot, async (lab, server) =>
        {
            var (_, serial) = OvmfClient.Start(lab, UefiMac, OvmfClient.BootPath.Pxe, secureBoot: true);
            await WaitAsync(lab, serial, Literal("NBP filename is bootx64.efi"), BootTimeout, "OVMF took bootx64.efi (shim) from the 4011 answer");
            await WaitAsync(lab, serial, Literal("Boot from local disk"), BootTimeout, "GRUB, verified by shim, showed the menu");
            await WaitAsync(lab, serial, Literal("UEFI firmware settings"), StepTimeout, "menu entry: firmware settings");
            await AssertSentAsync(lab, server, ["bootx64.efi", "grubx64.efi", "grub/grub.cfg"]);
        });
    }

    [Fact]
    public async Task Uefi_x64_next_to_a_router_runs_ipxe_and_shows_its_menu()
    {
        await RunAsync("uefi-x64-proxy", Network.ProxyNextToRouter, async (lab, server) =>
        {
            var (_, serial) = OvmfClient.Start(lab, UefiMac, OvmfClient.BootPath.Pxe);
            await WaitAsync(lab, serial, Literal("NBP filename is snponly.efi"), BootTimeout, "OVMF took snponly.efi (iPXE) from the 4011 answer");
            await WaitAsync(lab, serial, Literal("NetBoot: network boot (UEFI)"), BootTimeout, "iPXE ran menu.ipxe: menu title");
            await WaitAsync(lab, serial, Literal("Boot from local disk"), StepTimeout, "menu entry: local disk");
            await AssertSentAsync(lab, server, ["snponly.efi", "menu.ipxe"]);
            Assert.False(server.Log.Contains(new Regex(@"sent \S*/(bootx64|grubx64)\.efi ")), "next to a router, x86-64 UEFI must not be sent shim or GRUB");
        });
    }

    [Fact]
    public async Task Uefi_arm64_runs_network_grub_and_shows_the_grub_menu()
    {
        await RunAsync("uefi-arm64", Network.LeasedByNetBoot, async (lab, server) =>
        {
            var (_, serial) = AavmfClient.Start(lab, Arm64Mac);
            await WaitAsync(lab, serial, Literal("NBP filename is bootaa64.efi"), BootTimeout, "AAVMF took bootaa64.efi from the 4011 answer");
            await WaitAsync(lab, serial, Literal("Boot from local disk"), BootTimeout, "GRUB for ARM64 showed the menu");
            await AssertSentAsync(lab, server, ["bootaa64.efi", "grub/grub.cfg"]);
        });
    }

    private async Task AssertSentAsync(NamespaceLab lab, LabProcess server, string[] files)
    {
        foreach (var file in files)
        {
            await WaitAsync(lab, server.Log, new Regex($@"sent \S*/{Regex.Escape(file)} to 10\.77\.0\.\d+"), StepTimeout, $"server log: {file} sent by TFTP");
        }
    }

    private enum Network
    {
        ProxyNextToRouter,
        LeasedByNetBoot,
    }

    private async Task RunAsync(string name, Network network, Func<NamespaceLab, LabProcess, Task> body)
    {
        var clock = Stopwatch.StartNew();
        await using var lab = await NamespaceLab.CreateAsync();
        LabProcess? server = null;
        try
        {
            var root = Path.Combine(lab.WorkDirectory, "root");
            var (code, printed, log) = Shell.Execute(Path.Combine(NetBootServer.PublishDirectory, "netboot"), "bootfiles", root);
            Assert.True(code == 0, $"netboot bootfiles exited {code}:\n{log}");
            var config = Path.Combine(lab.WorkDirectory, "bootfiles.conf");
            var range = network == Network.ProxyNextToRouter
                ? $"dhcp-range=set:proxy,{LabNetwork.Subnet},proxy\n"
                : $"dhcp-range={LabNetwork.PoolStart},{LabNetwork.PoolEnd},1h\ndhcp-leasefile={Path.Combine(lab.WorkDirectory, "leases.sqlite")}\n";
            File.WriteAllText(config, "log-dhcp\n" + ProxyRanges().Replace(printed, "") + range);

            if (network == Network.ProxyNextToRouter)
            {
                var router = lab.StartRouter();
                await lab.WaitForUdpPortsAsync(lab.RouterNamespace, [67], TimeSpan.FromSeconds(20), router);
            }
            server = new NetBootServer().Start(lab, new LtspScenario(root, config, ""));
            await lab.WaitForUdpPortsAsync(lab.ServerNamespace, [67, 4011, 69], TimeSpan.FromSeconds(60), server);
            output.WriteLine($"{clock.Elapsed.TotalSeconds,6:0.0} s  {name}: lab {lab.Id} ready");
            await body(lab, server);
            output.WriteLine($"{clock.Elapsed.TotalSeconds,6:0.0} s  {name}: done");
        }
        catch (Exception exception)
        {
            lab.KeepArtifacts = true;
            throw new LabAssertionException(
                $"{exception.Message}\n\nLab artifacts kept in {lab.WorkDirectory}\n{server?.Log.Tail(25)}", exception);
        }
    }

    private Task<Match> WaitAsync(NamespaceLab lab, LogFile log, Regex pattern, TimeSpan timeout, string milestone) =>
        Milestones.WaitAsync(output, lab, log, pattern, timeout, milestone);

    private static Regex Literal(string text) => Milestones.Literal(text);

    /// <summary>Menu text as it reaches the lab's console: with SeaBIOS's serial console and PXELINUX's <c>SERIAL</c>
    /// both writing to COM1, each character of a menu line may come twice ("BBoooott").</summary>
    private static Regex Echoed(string text) => new(string.Concat(text.Select(c => $"(?:{Regex.Escape(c.ToString())}){{1,2}}")));
}

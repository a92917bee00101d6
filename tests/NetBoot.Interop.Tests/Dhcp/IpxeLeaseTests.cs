using System.Diagnostics;
using System.Text.RegularExpressions;
using NetBoot.Interop.Tests.Lab;
using NetBoot.Interop.Tests.Servers;
using NetBoot.Testing;
using Xunit.Abstractions;

namespace NetBoot.Interop.Tests.Dhcp;

/// <summary>
/// iPXE in QEMU (SeaBIOS + the ipxe-qemu ROM) on a network NetBoot owns: no DHCPv4 server but NetBoot, which leases
/// from 10.77.0.100–150 and gives the menu and boot file in the same exchange (ltsp.conf with the proxy range
/// replaced by an owned one). The router namespace only sends IPv6 RAs (iPXE otherwise waits 13 to 16 s for one).
/// </summary>
[Trait("Category", "Interop")]
public sealed partial class IpxeLeaseTests(ITestOutputHelper output)
{
    private static readonly TimeSpan BootTimeout = TimeSpan.FromSeconds(150);
    private static readonly TimeSpan StepTimeout = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Bios_ipxe_obtains_an_address_from_netboot_gets_the_menu_and_boots_pxelinux()
    {
        var clock = Stopwatch.StartNew();
        await using var lab = await NamespaceLab.CreateAsync();
        LabProcess? server = null;
        QemuClient? client = null;
        try
        {
            var scenario = LtspScenario.Create(lab.WorkDirectory);
            var config = OwnedRangeConfig(await File.ReadAllTextAsync(scenario.ConfigPath));
            var configPath = Path.Combine(lab.WorkDirectory, "ltsp-owned.conf");
            await File.WriteAllTextAsync(configPath, config);
            var database = Path.Combine(lab.WorkDirectory, "leases.sqlite");

            lab.StartCapture();
            var router = lab.StartRaOnlyRouter();
            server = lab.Start("server", lab.ServerNamespace, "env",
            [
                $"NETBOOT_LEASE_DB={database}", "NETBOOT_LOG_LEVEL=Information",
                Path.Combine(await NetBootServer.PublishDirectoryAsync(), "netboot"), "serve", "-C", configPath,
            ]);
            await lab.WaitForUdpPortsAsync(lab.ServerNamespace, [67, 69], TimeSpan.FromSeconds(60), server);
            Milestone(clock, $"lab {lab.Id} ready, netboot owns {LabNetwork.PoolStart}-{LabNetwork.PoolEnd}; starting the VM");

            client = QemuClient.Start(lab, LabNetwork.ClientMac);
            var serial = client.Serial;
            await serial.WaitForAsync(Literal(LtspScenario.MenuPrompt), BootTimeout, 0, lab.EnsureAllRunning);
            Milestone(clock, "iPXE shows the menu prompt");
            await serial.WaitForAsync(Literal(scenario.Marker), BootTimeout, 0, lab.EnsureAllRunning);
            Milestone(clock, "pxelinux printed the marker");

            // NetBoot, not the router, leased the address: the ACK in its log, the lease in its database.
            var ack = await server.Log.WaitForAsync(
                new Regex($@"DHCPACK\({LabNetwork.ServerInterface}\) (?<ip>[0-9.]+) {Regex.Escape(LabNetwork.ClientMac)}", RegexOptions.IgnoreCase),
                StepTimeout, 0, lab.EnsureAllRunning);
            var ip = ack.Groups["ip"].Value;
            Milestone(clock, $"netboot acknowledged {ip}");
            Assert.InRange(Version.Parse(ip), Version.Parse(LabNetwork.PoolStart), Version.Parse(LabNetwork.PoolEnd));
            var leases = await DhcpLab.LeasesAsync(database, configPath);
            Assert.Contains(leases, lease => lease.Address == ip
                && string.Equals(lease.HardwareAddress, LabNetwork.ClientMac, StringComparison.OrdinalIgnoreCase) && lease.Active);
            Assert.DoesNotMatch(new Regex(@"DHCP(OFFER|ACK)"), router.Log.ReadAll());

            // The console: iPXE configured the address NetBoot gave and took the boot file from it.
            var console = serial.ReadAll();
            Assert.Matches(Literal(ip), console);
            Assert.Matches(Literal($"Next server: {LabNetwork.ServerAddress}"), console);
            Assert.Matches(Literal("PXELINUX"), console);

            // The wire: DHCP replies only from NetBoot; the VM asked for pxelinux.0 by TFTP from its new address.
            Assert.NotEqual(0, await CountAsync(lab, $"udp and src host {LabNetwork.ServerAddress} and src port 67"));
            Assert.Equal(0, await CountAsync(lab, $"udp and src host {LabNetwork.RouterAddress} and src port 67"));
            Assert.NotEqual(0, await CountAsync(lab, $"udp and src host {ip} and dst host {LabNetwork.ServerAddress} and dst port 69"));

            // NetBoot's log: the boot file and what pxelinux fetched next, sent to the leased address.
            foreach (var file in new[] { "ltsp/i386/pxelinux.0", "ltsp/i386/ldlinux.c32", "ltsp/i386/pxelinux.cfg/default" })
            {
                await server.Log.WaitForAsync(NetBootServer.NetBootLog.FileSent(file, ip), StepTimeout, 0, lab.EnsureAllRunning);
            }
            Milestone(clock, "netboot log: pxelinux.0, ldlinux.c32 and pxelinux.cfg/default sent to the leased address");
        }
        catch (Exception exception)
        {
            lab.KeepArtifacts = true;
            throw new LabAssertionException(
                $"{exception.Message}\n\nLab artifacts kept in {lab.WorkDirectory}\n"
                + server?.Log.Tail(25) + "\n" + client?.Serial.Tail(25), exception);
        }
    }

    /// <summary>ltsp.conf as the lab adapts it, with the proxy range replaced by a range NetBoot owns.</summary>
    private static string OwnedRangeConfig(string adapted)
    {
        var proxy = $"dhcp-range={LabNetwork.Subnet},proxy";
        Assert.Equal(1, Regex.Count(adapted, $"^{Regex.Escape(proxy)}$", RegexOptions.Multiline));
        return Regex.Replace(adapted, $"^{Regex.Escape(proxy)}$",
            $"dhcp-range={LabNetwork.PoolStart},{LabNetwork.PoolEnd},1h", RegexOptions.Multiline);
    }

    private static async Task<int> CountAsync(NamespaceLab lab, string filter) =>
        (await lab.ReadCaptureAsync(filter)).Split('\n', StringSplitOptions.RemoveEmptyEntries).Length;

    private static Regex Literal(string text) => new(Regex.Escape(text));

    private void Milestone(Stopwatch clock, string what) => output.WriteLine($"{clock.Elapsed.TotalSeconds,6:0.0} s  {what}");
}

using System.Diagnostics;
using System.Text.RegularExpressions;
using NetBoot.Interop.Tests.Lab;
using NetBoot.Interop.Tests.Servers;
using NetBoot.Testing;
using Xunit.Abstractions;

namespace NetBoot.Interop.Tests.Dhcp;

/// <summary>
/// Two boot stages of one machine with a reservation, on a network NetBoot owns: the iPXE ROM (SeaBIOS + ipxe-qemu)
/// leases with option 61 = 01:MAC and chainloads GRUB's i386-pc PXE core (Debian's grub-pc-bin, laid out by
/// <c>grub-mknetdir</c>); GRUB's own <c>net_bootp</c> then asks again without option 61. Both must get the reserved
/// address: before, GRUB was offered a pool address, NAKed on its REQUEST and stopped with "couldn't autoconfigure pxe".
/// </summary>
[Trait("Category", "Interop")]
public sealed class GrubAfterIpxeTests(ITestOutputHelper output)
{
    private static readonly TimeSpan BootTimeout = TimeSpan.FromSeconds(180);
    private const string Reserved = "10.77.0.111";

    [Fact]
    public async Task Ipxe_then_grub_net_bootp_both_get_the_reserved_address_and_grub_reaches_its_marker()
    {
        var clock = Stopwatch.StartNew();
        await using var lab = await NamespaceLab.CreateAsync();
        LabProcess? server = null;
        QemuClient? client = null;
        try
        {
            var root = Path.Combine(lab.WorkDirectory, "tftp");
            var marker = $"NETBOOT-GRUB-{lab.Id}";
            BuildGrubNetDirectory(root, marker);
            var configPath = Path.Combine(lab.WorkDirectory, "netboot.conf");
            await File.WriteAllTextAsync(configPath, $"""
                port=0
                log-dhcp
                interface={LabNetwork.ServerInterface}
                dhcp-range={LabNetwork.PoolStart},{LabNetwork.PoolEnd},1h
                dhcp-host={LabNetwork.ClientMac},grubhost,{Reserved},infinite
                dhcp-authoritative
                enable-tftp
                tftp-root={root}
                dhcp-boot=grub/i386-pc/core.0
                """);
            var database = Path.Combine(lab.WorkDirectory, "leases.sqlite");
            lab.StartRaOnlyRouter();
            server = lab.Start("server", lab.ServerNamespace, "env",
            [
                $"NETBOOT_LEASE_DB={database}", "NETBOOT_LOG_LEVEL=Information",
                Path.Combine(await NetBootServer.PublishDirectoryAsync(), "netboot"), "serve", "-C", configPath,
            ]);
            await lab.WaitForUdpPortsAsync(lab.ServerNamespace, [67, 69], TimeSpan.FromSeconds(60), server);
            Milestone(clock, "netboot serves the lab; starting the VM");

            client = QemuClient.Start(lab, LabNetwork.ClientMac);
            var serial = client.Serial;
            await serial.WaitForAsync(Literal("NETBOOT-GRUB-CONFIG-LOADED"), BootTimeout, 0, lab.EnsureAllRunning);
            Milestone(clock, "GRUB loaded grub.cfg over TFTP (after iPXE's lease)");
            var done = await serial.WaitForAsync(new Regex($@"{Regex.Escape(marker)} (?<result>\S+)"), BootTimeout, 0, lab.EnsureAllRunning);
            Milestone(clock, $"grub.cfg printed its marker: net_bootp {done.Groups["result"].Value}");

            var console = TerminalText.Clean(serial.ReadAll());
            Assert.Equal("ok", done.Groups["result"].Value);
            Assert.DoesNotMatch(Literal("couldn't autoconfigure"), console);
            // net_ls_addr: GRUB's own DHCP configured the reserved address.
            Assert.Matches(new Regex($@"{Regex.Escape(LabNetwork.ClientMac)}\s+{Regex.Escape(Reserved)}", RegexOptions.IgnoreCase), console);

            var log = server.Log.ReadAll();
            Assert.DoesNotMatch(Literal("DHCPNAK"), log);
            // Two stages, two DHCP clients: iPXE (option 61) and GRUB (none), both acknowledged with the reserved address.
            Assert.True(Regex.Count(log, $@"DHCPACK\({LabNetwork.ServerInterface}\) {Regex.Escape(Reserved)} ") >= 2, server.Log.Tail(60));
            var lease = Assert.Single(await DhcpLab.LeasesAsync(database, configPath));
            Assert.Equal(Reserved, lease.Address);
        }
        catch (Exception exception)
        {
            lab.KeepArtifacts = true;
            throw new LabAssertionException(
                $"{exception.Message}\n\nLab artifacts kept in {lab.WorkDirectory}\n"
                + server?.Log.Tail(40) + "\n" + client?.Serial.Tail(40), exception);
        }
    }

    /// <summary>GRUB's network directory (<c>grub/i386-pc/core.0</c> and its modules) and a grub.cfg that sends its
    /// output to the serial console, runs GRUB's own DHCP client and prints <paramref name="marker"/> with the result.</summary>
    private static void BuildGrubNetDirectory(string root, string marker)
    {
        Directory.CreateDirectory(root);
        Shell.Run("grub-mknetdir", $"--net-directory={root}", "--subdir=grub", "-d", "/usr/lib/grub/i386-pc",
            "--modules=serial terminal echo net pxe tftp", "--locales=", "--themes=", "--fonts=");
        File.WriteAllText(Path.Combine(root, "grub", "grub.cfg"), $"""
            serial --unit=0 --speed=115200
            terminal_input serial
            terminal_output serial
            echo NETBOOT-GRUB-CONFIG-LOADED
            set result=failed
            if net_bootp; then set result=ok; fi
            net_ls_addr
            echo {marker} $result
            sleep 600
            """);
    }

    private static Regex Literal(string text) => new(Regex.Escape(text));

    private void Milestone(Stopwatch clock, string what) => output.WriteLine($"{clock.Elapsed.TotalSeconds,6:0.0} s  {what}");
}

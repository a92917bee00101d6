using System.Diagnostics;
using System.Text.RegularExpressions;
using NetBoot.Interop.Tests.Lab;
using NetBoot.Interop.Tests.Servers;
using Xunit.Abstractions;

namespace NetBoot.Interop.Tests.Uefi;

/// <summary>
/// Issue 5's ARM64 client: AAVMF (EDK2 for QEMU's virt board) under TCG sends client architecture 11, gets
/// NetBoot's proxy answer next to the lab's router, asks the boot server on 4011, downloads the ARM64 boot file
/// chosen for its architecture by TFTP and runs it: the program prints a marker on the console.
/// </summary>
[Trait("Category", "Interop")]
public sealed class Arm64UefiTests(ITestOutputHelper output)
{
    private const string Mac = "52:54:00:4e:42:0b";
    private const string BootFile = "bootaa64.efi";

    /// <summary>AAVMF reaches PXE in about a minute under TCG on an idle host; generous for a busy one.</summary>
    private static readonly TimeSpan BootTimeout = TimeSpan.FromSeconds(240);
    private static readonly TimeSpan StepTimeout = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Aavmf_arm64_pxe_gets_its_architectures_boot_file_by_tftp_and_runs_it()
    {
        var clock = Stopwatch.StartNew();
        await using var lab = await NamespaceLab.CreateAsync();
        var root = Path.Combine(lab.WorkDirectory, "root");
        Directory.CreateDirectory(root);
        var marker = $"NETBOOT-ARM64-{Guid.NewGuid():N}"[..26];
        File.WriteAllBytes(Path.Combine(root, BootFile), NetBoot.Cli.Demo.Aarch64MarkerProgram.Build(marker));
        // An x86-64 file too, so that choosing by architecture is what the test sees.
        File.Copy("/usr/lib/ipxe/ipxe.efi", Path.Combine(root, "ipxe.efi"));
        var config = Path.Combine(lab.WorkDirectory, "netboot.conf");
        File.WriteAllText(config, $"""
            port=0
            log-dhcp
            dhcp-range={LabNetwork.Subnet},proxy
            enable-tftp
            tftp-root={root}
            pxe-service=X86-64_EFI,"Network boot (UEFI x86-64)",ipxe.efi
            pxe-service=ARM64_EFI,"Network boot (UEFI ARM64)",{BootFile}

            """);
        LabProcess? server = null;
        try
        {
            lab.StartCapture();
            var router = lab.StartRouter();
            await lab.WaitForUdpPortsAsync(lab.RouterNamespace, [67], TimeSpan.FromSeconds(20), router);
            server = new NetBootServer().Start(lab, new LtspScenario(root, config, marker));
            await lab.WaitForUdpPortsAsync(lab.ServerNamespace, [67, 4011, 69], TimeSpan.FromSeconds(60), server);
            output.WriteLine($"{clock.Elapsed.TotalSeconds,6:0.0} s  lab {lab.Id} ready");

            var (_, serial) = AavmfClient.Start(lab, Mac);
            await WaitAsync(lab, serial, Literal($"NBP filename is {BootFile}"), BootTimeout, "AAVMF took the ARM64 boot file from the 4011 answer");
            await WaitAsync(lab, serial, Literal(marker), BootTimeout, "the ARM64 program ran and printed its marker");

            var log = server.Log;
            await WaitAsync(lab, log, Literal("PXEClient:Arch:00011"), StepTimeout, "server log: the client said architecture 11");
            var ack = await WaitAsync(lab, router.Log, new Regex($@"DHCPACK\({LabNetwork.RouterInterface}\) (?<ip>[0-9.]+) {Regex.Escape(Mac)}"), StepTimeout, "router acknowledged a lease");
            var ip = ack.Groups["ip"].Value;
            await WaitAsync(lab, log, new Regex($@"PXE\(\w+\) {Regex.Escape(ip)} {Regex.Escape(Mac)} proxy"), StepTimeout, "server log: 4011 answer");
            await WaitAsync(lab, log, new Regex($@"sent \S*/{Regex.Escape(BootFile)} to {Regex.Escape(ip)}\b"), StepTimeout, "server log: the ARM64 file sent by TFTP");
            Assert.False(log.Contains(new Regex(@"sent \S*/ipxe\.efi to ")), "the x86-64 file must not be sent to the ARM64 client");
            output.WriteLine($"{clock.Elapsed.TotalSeconds,6:0.0} s  done");
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
}

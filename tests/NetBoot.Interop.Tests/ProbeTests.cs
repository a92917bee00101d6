using System.Text.RegularExpressions;
using NetBoot.Interop.Tests.Dhcp;
using NetBoot.Interop.Tests.Lab;
using NetBoot.Interop.Tests.Servers;
using NetBoot.Testing;

namespace NetBoot.Interop.Tests;

/// <summary><c>netboot probe</c> from the LAN's side, against NetBoot and against dnsmasq as the proxy server, next to
/// the router of the lab: it must list both offers, follow the menu to port 4011 and say what firmware would do.</summary>
[Trait("Category", "Interop")]
public class ProbeTests
{
    private const string ProbeAddress = "10.77.0.9";

    public static TheoryData<string> Servers => new() { "netboot", "dnsmasq" };

    private static IPxeServerUnderTest Server(string name) => name == "netboot" ? new NetBootServer() : new DnsmasqProxyServer();

    /// <summary>Runs the published <c>netboot probe</c> on the lab's bridge, which gets an address for the 4011 answer.</summary>
    private static string Probe(NamespaceLab lab, string arch)
    {
        Shell.Run("ip", "-n", lab.LanNamespace, "addr", "replace", $"{ProbeAddress}/{LabNetwork.PrefixLength}", "dev", LabNetwork.Bridge);
        var (code, stdout, stderr) = Shell.Execute("ip", "netns", "exec", lab.LanNamespace,
            Path.Combine(NetBootServer.PublishDirectory, "netboot"), "probe", "--interface", LabNetwork.Bridge, "--arch", arch, "--wait", "3");
        Assert.True(code == 0, $"probe exited {code}: {stderr}\n{stdout}");
        return stdout;
    }

    [Theory]
    [MemberData(nameof(Servers))]
    public async Task Bios_probe_sees_the_router_and_the_proxy_menu_and_follows_it_to_the_boot_file(string serverName)
    {
        var server = Server(serverName);
        await using var lab = await NamespaceLab.CreateAsync();
        var scenario = LtspScenario.Create(lab.WorkDirectory);
        var router = lab.StartRouter();
        await lab.WaitForUdpPortsAsync(lab.RouterNamespace, [67], TimeSpan.FromSeconds(20), router);
        var process = server.Start(lab, scenario);
        await lab.WaitForUdpPortsAsync(lab.ServerNamespace, server.ReadyPorts, TimeSpan.FromSeconds(60), process);

        var report = Probe(lab, "bios");

        Assert.Contains($"DHCP      from {LabNetwork.RouterAddress}", report, StringComparison.Ordinal);
        Assert.Contains($"proxyDHCP from {LabNetwork.ServerAddress}", report, StringComparison.Ordinal);
        Assert.Contains($"1. \"{LtspScenario.NetworkEntry}\" (type 0x8000)", report, StringComparison.Ordinal);
        Assert.Contains($"2. \"{LtspScenario.LocalEntry}\" (type 0x0000)", report, StringComparison.Ordinal);
        Assert.Contains($"takes address 10.77.0.", report, StringComparison.Ordinal);
        Assert.Contains($"shows \"{LtspScenario.MenuPrompt}\" for 3 s, then boots \"{LtspScenario.NetworkEntry}\"", report, StringComparison.Ordinal);
        Assert.Contains($"answers boot item 0x8000 with boot file {LtspScenario.BootFile} on {LabNetwork.ServerAddress}", report, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Without_a_proxy_server_the_verdict_is_no_boot_filename()
    {
        await using var lab = await NamespaceLab.CreateAsync();
        var router = lab.StartRouter();
        await lab.WaitForUdpPortsAsync(lab.RouterNamespace, [67], TimeSpan.FromSeconds(20), router);

        var report = Probe(lab, "bios");

        Assert.Contains("PXE-E53", report, StringComparison.Ordinal);
    }

    /// <summary>A proxy configuration with a boot file for each UEFI architecture: ARM64's is there, x86-64's is not.</summary>
    private static LtspScenario Arm64Scenario(NamespaceLab lab)
    {
        var root = Directory.CreateDirectory(Path.Combine(lab.WorkDirectory, "tftp")).FullName;
        Directory.CreateDirectory(Path.Combine(root, "arm64"));
        File.WriteAllBytes(Path.Combine(root, "arm64", "grubaa64.efi"), [.. Enumerable.Range(0, 700).Select(i => (byte)i)]);
        var config = Path.Combine(lab.WorkDirectory, "arm64.conf");
        File.WriteAllText(config, $"""
            dhcp-range={LabNetwork.Subnet},proxy
            enable-tftp
            tftp-root={root}
            pxe-service=X86PC,"Network boot (BIOS)",pxelinux
            pxe-service=ARM64_EFI,"Network boot (ARM64)",arm64/grubaa64.efi
            pxe-service=X86-64_EFI,"Network boot (UEFI)",missing/bootx64.efi
            """);
        return new LtspScenario(root, config, "");
    }

    private static (int Code, string Output) ProbeAs(NamespaceLab lab, string arch)
    {
        var (code, stdout, stderr) = Shell.Execute("ip", "netns", "exec", lab.LanNamespace,
            Path.Combine(NetBootServer.PublishDirectory, "netboot"), "probe", "--interface", LabNetwork.Bridge, "--arch", arch, "--wait", "2");
        return (code, stdout + stderr);
    }

    /// <summary>A bare PXE segment: the probe's interface has no IPv4 address, and the kernel's reverse-path filter is on
    /// (as most distributions set it), which drops the broadcast answers before any UDP socket sees them. The probe sends
    /// from 0.0.0.0 and reads the answers below the IP layer, as firmware does.</summary>
    [Fact]
    public async Task A_probe_on_an_interface_without_ipv4_gets_the_proxy_offer()
    {
        await using var lab = await NamespaceLab.CreateAsync();
        var scenario = LtspScenario.Create(lab.WorkDirectory);
        var router = lab.StartRouter();
        await lab.WaitForUdpPortsAsync(lab.RouterNamespace, [67], TimeSpan.FromSeconds(20), router);
        var process = new NetBootServer().Start(lab, scenario);
        await lab.WaitForUdpPortsAsync(lab.ServerNamespace, [67, 4011, 69], TimeSpan.FromSeconds(60), process);
        Shell.Run("ip", "netns", "exec", lab.LanNamespace, "sysctl", "-q", "-w", "net.ipv4.conf.all.rp_filter=1", $"net.ipv4.conf.{LabNetwork.Bridge}.rp_filter=1");
        Assert.DoesNotContain("inet ", Shell.Run("ip", "-n", lab.LanNamespace, "-4", "addr", "show", "dev", LabNetwork.Bridge), StringComparison.Ordinal);

        var (code, report) = ProbeAs(lab, "bios");

        Assert.True(code == 0, report);
        Assert.Contains($"proxyDHCP from {LabNetwork.ServerAddress}", report, StringComparison.Ordinal);
        Assert.Contains($"1. \"{LtspScenario.NetworkEntry}\" (type 0x8000)", report, StringComparison.Ordinal);
        Assert.Contains($"DHCP      from {LabNetwork.RouterAddress}", report, StringComparison.Ordinal);
        Assert.Contains($"(not followed up on port 4011: {LabNetwork.Bridge} has no IPv4 address to receive the answer on)", report, StringComparison.Ordinal);
    }

    /// <summary><c>--arch arm64</c>: architecture 11, told nothing on 67, asks 4011 and gets the ARM64 service's file, whose
    /// first TFTP block it fetches; as x86-64 UEFI it is given a file that is missing, and the verdict fails (exit 4).</summary>
    [Fact]
    public async Task An_arm64_probe_gets_the_arm64_boot_file_and_its_first_tftp_block_and_a_missing_file_fails_the_verdict()
    {
        await using var lab = await NamespaceLab.CreateAsync();
        var scenario = Arm64Scenario(lab);
        var router = lab.StartRouter();
        await lab.WaitForUdpPortsAsync(lab.RouterNamespace, [67], TimeSpan.FromSeconds(20), router);
        var process = new NetBootServer().Start(lab, scenario);
        await lab.WaitForUdpPortsAsync(lab.ServerNamespace, [67, 4011, 69], TimeSpan.FromSeconds(60), process);
        Shell.Run("ip", "-n", lab.LanNamespace, "addr", "replace", $"{ProbeAddress}/{LabNetwork.PrefixLength}", "dev", LabNetwork.Bridge);

        var (code, arm64) = ProbeAs(lab, "arm64");

        Assert.True(code == 0, arm64);
        Assert.Contains("as ARM64 UEFI firmware", arm64, StringComparison.Ordinal);
        Assert.Contains($"sends no option 43: UEFI firmware asks {LabNetwork.ServerAddress}:4011", arm64, StringComparison.Ordinal);
        Assert.Contains($"answers the ProxyDHCPREQUEST with boot file arm64/grubaa64.efi on {LabNetwork.ServerAddress}", arm64, StringComparison.Ordinal);
        Assert.Contains($"fetched the first TFTP block of arm64/grubaa64.efi from {LabNetwork.ServerAddress} (512 bytes; file size 700 bytes): the boot file is there", arm64, StringComparison.Ordinal);
        await process.Log.WaitForAsync(new Regex(@"PXE\(\w+\) .*\[DHCPREQUEST on 4011, arch 11 Arm64Uefi, PXEClient:Arch:00011:UNDI:003000\]"), TimeSpan.FromSeconds(10), stillAlive: process.EnsureRunning);

        var (failed, uefi) = ProbeAs(lab, "uefi");

        Assert.True(failed == 4, $"probe exited {failed}: {uefi}");
        Assert.Contains($"cannot fetch missing/bootx64.efi from {LabNetwork.ServerAddress}: TFTP error 1 \"File not found\": the firmware stops with PXE-E3B (TFTP Error - File not found)", uefi, StringComparison.Ordinal);
    }

    /// <summary>The issue's report: <c>netboot probe --interface eth0</c> right after the link came up answered "interface
    /// eth0 not found or has no IPv4 address (interfaces: lo)" about one time in three, its operstate still "down". Here
    /// the worst case, twenty times: the probe's end is brought up while the far end is down (up, no carrier, operstate
    /// "down"), the probe starts at once, and the far end comes up only once the probe said it waits for the link.</summary>
    [Fact]
    public async Task A_link_brought_up_and_probed_at_once_is_found_20_times_of_20()
    {
        await using var lab = DhcpLab.Create();
        lab.Keep = true;
        await lab.StartServerAsync("""
            port=0
            dhcp-rate-limit=off
            dhcp-range=10.78.0.0,proxy
            pxe-service=X86PC,"Boot from network",pxelinux
            """);
        var netboot = Path.Combine(await DhcpLab.PublishDirectory, "netboot");
        var failures = new List<string>();
        for (var attempt = 1; attempt <= 20; attempt++)
        {
            lab.Client.Exec("ip", "link", "set", "nbc0", "down");
            lab.Server.Exec("ip", "link", "set", "nbs0", "down");
            lab.Client.Exec("ip", "link", "set", "nbc0", "up");
            await using var probe = LabProcess.Start($"probe-{attempt}", Path.Combine(lab.WorkDirectory, $"probe-{attempt}.log"), "ip",
                ["netns", "exec", lab.Client.Name, netboot, "probe", "--interface", "nbc0", "--wait", "1", "--no-fetch"]);
            await probe.Log.WaitForAsync(new Regex("waiting for the link of nbc0|answers to DHCPDISCOVER|netboot: "), TimeSpan.FromSeconds(20));
            lab.Server.Exec("ip", "link", "set", "nbs0", "up");
            var code = await probe.WaitForExitAsync(TimeSpan.FromSeconds(30));
            var report = probe.Log.ReadAll();
            if (code != 0 || !report.Contains("waiting for the link of nbc0", StringComparison.Ordinal)
                || !report.Contains("proxyDHCP from 10.78.0.1", StringComparison.Ordinal))
            {
                failures.Add($"attempt {attempt}: exit {code}\n{report}");
            }
        }
        Assert.True(failures.Count == 0, lab.Failure($"{20 - failures.Count} of 20 found and answered:\n{string.Join("\n", failures)}"));
        lab.Keep = false;
    }

    /// <summary>iPXE is given an <c>http://</c> boot file (dnsmasq's iPXE idiom): the probe checks it with a HEAD to
    /// NetBoot's HTTP server, as UEFI HTTP Boot does before its GET.</summary>
    [Fact]
    public async Task An_ipxe_probe_checks_an_http_boot_file_with_a_head_request()
    {
        await using var lab = await NamespaceLab.CreateAsync();
        var root = Directory.CreateDirectory(Path.Combine(lab.WorkDirectory, "tftp")).FullName;
        File.WriteAllText(Path.Combine(root, "boot.ipxe"), "#!ipxe\necho probe\n");
        var config = Path.Combine(lab.WorkDirectory, "ipxe.conf");
        File.WriteAllText(config, $"""
            dhcp-range={LabNetwork.Subnet},proxy
            enable-tftp
            tftp-root={root}
            http-port=8080
            dhcp-userclass=set:ipxe,iPXE
            pxe-service=tag:!ipxe,X86PC,"Network boot (BIOS)",undionly
            dhcp-boot=tag:ipxe,http://{LabNetwork.ServerAddress}:8080/boot.ipxe
            """);
        var router = lab.StartRouter();
        await lab.WaitForUdpPortsAsync(lab.RouterNamespace, [67], TimeSpan.FromSeconds(20), router);
        var process = new NetBootServer().Start(lab, new LtspScenario(root, config, ""));
        await lab.WaitForUdpPortsAsync(lab.ServerNamespace, [67, 4011, 69], TimeSpan.FromSeconds(60), process);
        await process.Log.WaitForAsync(new Regex(@"HTTP listening on sv0\b"), TimeSpan.FromSeconds(30), stillAlive: process.EnsureRunning);
        Shell.Run("ip", "-n", lab.LanNamespace, "addr", "replace", $"{ProbeAddress}/{LabNetwork.PrefixLength}", "dev", LabNetwork.Bridge);

        var (code, report) = ProbeAs(lab, "ipxe");

        Assert.True(code == 0, report);
        Assert.Contains($"names boot file http://{LabNetwork.ServerAddress}:8080/boot.ipxe: the firmware loads it over HTTP", report, StringComparison.Ordinal);
        Assert.True(report.Contains($"HTTP HEAD http://{LabNetwork.ServerAddress}:8080/boot.ipxe succeeded; file size {new FileInfo(Path.Combine(root, "boot.ipxe")).Length} bytes: the firmware can fetch it", StringComparison.Ordinal), report);
        await process.Log.WaitForAsync(new Regex(@"HTTP HEAD /boot\.ipxe from 10\.77\.0\.9: 200"), TimeSpan.FromSeconds(10), stillAlive: process.EnsureRunning);
    }
}

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
}

using System.Text.RegularExpressions;
using NetBoot.Interop.Tests.Lab;
using NetBoot.Interop.Tests.Servers;
using NetBoot.Testing;

namespace NetBoot.Interop.Tests;

/// <summary>A server whose own address changes while it serves (another DHCP server renumbered it): proxy offers,
/// the 4011 answer, TFTP and HTTP use the new address without a restart. The change is made with <c>ip addr</c> in the
/// server's namespace and awaited through the server's own log line, never a sleep.</summary>
[Trait("Category", "Interop")]
public class AddressChangeTests
{
    private const string ProbeAddress = "10.77.0.9";
    private const string NewServerAddress = "10.77.0.3";
    private const int HttpPort = 8080;
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);

    private static string Netboot => Path.Combine(NetBootServer.PublishDirectory, "netboot");

    /// <summary>The published <c>netboot probe</c> on the LAN's bridge, as a BIOS client.</summary>
    internal static string Probe(NamespaceLab lab)
    {
        Shell.Run("ip", "-n", lab.LanNamespace, "addr", "replace", $"{ProbeAddress}/{LabNetwork.PrefixLength}", "dev", LabNetwork.Bridge);
        var (code, stdout, stderr) = Shell.Execute("ip", "netns", "exec", lab.LanNamespace, Netboot, "probe",
            "--interface", LabNetwork.Bridge, "--arch", "bios", "--wait", "2");
        Assert.True(code == 0, $"probe exited {code}: {stderr}\n{stdout}");
        return stdout;
    }

    /// <summary>Fetches a file by TFTP from the LAN with the published <c>netboot tftp-get</c>.</summary>
    internal static (int Code, string Output) TftpGet(NamespaceLab lab, string server, string file)
    {
        var output = Path.Combine(lab.WorkDirectory, "fetched-" + Guid.NewGuid().ToString("N")[..8]);
        var (code, stdout, stderr) = Shell.Execute("ip", "netns", "exec", lab.LanNamespace, Netboot, "tftp-get", server, file, "-o", output);
        return (code, stdout + stderr);
    }

    /// <summary>pxelinux's configuration over HTTP from the LAN (it holds the scenario's marker).</summary>
    private static string HttpGet(NamespaceLab lab, string server)
    {
        var (code, stdout, stderr) = Shell.Execute("ip", "netns", "exec", lab.LanNamespace, "curl", "-sS", "--fail", "--max-time", "10",
            $"http://{server}:{HttpPort}/ltsp/i386/pxelinux.cfg/default");
        Assert.True(code == 0, $"HTTP from {server} failed ({code}): {stderr}");
        return stdout;
    }

    private static void AssertBootsFrom(string report, string server)
    {
        Assert.Contains($"proxyDHCP from {server}", report, StringComparison.Ordinal);
        Assert.Contains($"answers boot item 0x8000 with boot file {LtspScenario.BootFile} on {server}", report, StringComparison.Ordinal);
    }

    [Fact]
    public async Task After_the_server_is_renumbered_offers_4011_and_tftp_use_the_new_address_without_a_restart()
    {
        await using var lab = await NamespaceLab.CreateAsync();
        var scenario = LtspScenario.Create(lab.WorkDirectory);
        File.AppendAllText(scenario.ConfigPath, $"\nhttp-port={HttpPort}\n");
        var router = lab.StartRouter();
        await lab.WaitForUdpPortsAsync(lab.RouterNamespace, [67], Patience, router);
        var server = new NetBootServer().Start(lab, scenario);
        await lab.WaitForUdpPortsAsync(lab.ServerNamespace, [67, 4011, 69], TimeSpan.FromSeconds(60), server);

        var before = Probe(lab);
        AssertBootsFrom(before, LabNetwork.ServerAddress);
        Assert.Contains(scenario.Marker, HttpGet(lab, LabNetwork.ServerAddress), StringComparison.Ordinal);

        // What dhclient does on a new lease: the old address goes, the new one comes (the interface is briefly bare).
        Shell.Run("ip", "-n", lab.ServerNamespace, "addr", "del", $"{LabNetwork.ServerAddress}/{LabNetwork.PrefixLength}", "dev", LabNetwork.ServerInterface);
        Shell.Run("ip", "-n", lab.ServerNamespace, "addr", "add", $"{NewServerAddress}/{LabNetwork.PrefixLength}", "dev", LabNetwork.ServerInterface);
        await server.Log.WaitForAsync(new Regex($@"interface {LabNetwork.ServerInterface} addresses changed: .*-> {Regex.Escape(NewServerAddress)}/24"), Patience, stillAlive: server.EnsureRunning);
        await server.Log.WaitForAsync(new Regex($@"DHCP\({LabNetwork.ServerInterface}\) now answers as {Regex.Escape(NewServerAddress)}\b"), Patience, stillAlive: server.EnsureRunning);

        var after = Probe(lab);
        AssertBootsFrom(after, NewServerAddress);
        Assert.DoesNotMatch(new Regex($@"\b{Regex.Escape(LabNetwork.ServerAddress)}\b"), after);
        var (code, output) = TftpGet(lab, NewServerAddress, LtspScenario.BootFile);
        Assert.True(code == 0, $"tftp-get from the new address failed ({code}): {output}");
        Assert.Contains(scenario.Marker, HttpGet(lab, NewServerAddress), StringComparison.Ordinal);
        server.EnsureRunning();
    }

    /// <summary>A real BIOS client (QEMU, its PXE ROM) whose boot spans the renumbering: it starts while the server's
    /// interface is bare (the old address gone, as during a DHCP renew to a new address), its first DISCOVER goes
    /// unanswered (nothing is offered from an address the server no longer has), the new address arrives, and the
    /// firmware's own retry is answered from it: the VM goes through 4011 and TFTP to pxelinux's marker.</summary>
    [Fact]
    public async Task A_client_booting_across_the_renumbering_completes_on_the_new_address()
    {
        await using var lab = await NamespaceLab.CreateAsync();
        var scenario = LtspScenario.Create(lab.WorkDirectory);
        var router = lab.StartRouter();
        await lab.WaitForUdpPortsAsync(lab.RouterNamespace, [67], Patience, router);
        var server = new NetBootServer().Start(lab, scenario);
        await lab.WaitForUdpPortsAsync(lab.ServerNamespace, [67, 4011, 69], TimeSpan.FromSeconds(60), server);
        try
        {
            Shell.Run("ip", "-n", lab.ServerNamespace, "addr", "del", $"{LabNetwork.ServerAddress}/{LabNetwork.PrefixLength}", "dev", LabNetwork.ServerInterface);
            await server.Log.WaitForAsync(new Regex($@"DHCP\({LabNetwork.ServerInterface}\) has no address in a dhcp-range subnet any more"), Patience, stillAlive: server.EnsureRunning);

            var client = QemuClient.Start(lab, LabNetwork.ClientMac);
            await server.Log.WaitForAsync(new Regex($@"DHCP\({LabNetwork.ServerInterface}\) request from \S+ not answered: the interface has no address"), TimeSpan.FromSeconds(60), stillAlive: lab.EnsureAllRunning);
            Shell.Run("ip", "-n", lab.ServerNamespace, "addr", "add", $"{NewServerAddress}/{LabNetwork.PrefixLength}", "dev", LabNetwork.ServerInterface);

            await client.Serial.WaitForAsync(new Regex(Regex.Escape(scenario.Marker)), TimeSpan.FromSeconds(120), stillAlive: lab.EnsureAllRunning);
            // The 4011 answer and the TFTP transfers came after the change: the VM could only reach the new address.
            // (Awaited rather than read: the server's log may trail the VM's console by a moment.)
            foreach (var line in new[]
            {
                $@"DHCP\({LabNetwork.ServerInterface}\) now answers as {Regex.Escape(NewServerAddress)}\b",
                $@"PXE\({LabNetwork.ServerInterface}\) 10\.77\.0\.\d+ {Regex.Escape(LabNetwork.ClientMac)} {Regex.Escape(LtspScenario.BootFile)}",
                @"sent \S*/ltsp/i386/pxelinux\.cfg/default to 10\.77\.0\.\d+",
            })
            {
                await server.Log.WaitForAsync(new Regex(line), Patience, stillAlive: server.EnsureRunning);
            }
        }
        catch
        {
            lab.KeepArtifacts = true;
            throw;
        }
    }
}

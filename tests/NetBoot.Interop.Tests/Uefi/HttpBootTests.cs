using System.Diagnostics;
using System.Text.RegularExpressions;
using NetBoot.Interop.Tests.Lab;
using NetBoot.Interop.Tests.Servers;
using Xunit.Abstractions;

namespace NetBoot.Interop.Tests.Uefi;

/// <summary>
/// Issue 5 with real firmware, NetBoot as the proxy next to the lab's router: OVMF's own PXE loads ipxe.efi by
/// TFTP and iPXE, recognised by its user class, runs a script and fetches a payload over NetBoot's HTTP server;
/// the BIOS iPXE ROM is sent to the same script; OVMF's HTTP Boot gets a URL for ipxe.efi from the proxy.
/// The evidence: the console marker, NetBoot's transfer log lines, and the wire.
/// </summary>
[Trait("Category", "Interop")]
public sealed partial class HttpBootTests(ITestOutputHelper output)
{
    public const string OvmfMac = "52:54:00:4e:42:05";

    /// <summary>OVMF reaches iPXE at about 10 to 15 s under TCG (README); generous for a busy host.</summary>
    private static readonly TimeSpan BootTimeout = TimeSpan.FromSeconds(120);
    private static readonly TimeSpan StepTimeout = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Ovmf_pxe_loads_ipxe_efi_by_tftp_and_ipxe_fetches_script_and_payload_over_http()
    {
        await RunAsync("ovmf-pxe", async (lab, scenario, server) =>
        {
            var (_, serial) = OvmfClient.Start(lab, OvmfMac, OvmfClient.BootPath.Pxe);
            await WaitAsync(lab, serial, Literal("NBP filename is ipxe.efi"), BootTimeout, "OVMF took ipxe.efi from the 4011 answer");
            await WaitAsync(lab, serial, Literal($"Filename: {HttpBootScenario.BaseUrl}/{HttpBootScenario.Script}"), BootTimeout, "iPXE got the script URL");
            await WaitAsync(lab, serial, Literal(scenario.Marker), BootTimeout, "the script ran after fetching the payload");
            var ip = await LeasedAddressAsync(lab, OvmfMac);

            var log = server.Log;
            await WaitAsync(lab, log, new Regex($@"PXE\(\w+\) {Regex.Escape(ip)} {Regex.Escape(OvmfMac)} proxy"), StepTimeout, "server log: 4011 answer to OVMF");
            await WaitAsync(lab, log, new Regex($@"sent \S*/{HttpBootScenario.EfiBootFile} to {Regex.Escape(ip)}\b"), StepTimeout, "server log: ipxe.efi sent by TFTP");
            await AssertHttpTransfersAsync(lab, log, ip);
            Assert.NotEqual(0, await CountAsync(lab, $"udp and src host {LabNetwork.ServerAddress} and src port 4011"));
            Assert.NotEqual(0, await CountAsync(lab, $"udp and dst host {LabNetwork.ServerAddress} and dst port 69"));
        });
    }

    [Fact]
    public async Task Bios_ipxe_rom_is_chainloaded_to_the_http_script()
    {
        await RunAsync("bios-ipxe", async (lab, scenario, server) =>
        {
            var client = QemuClient.Start(lab, LabNetwork.ClientMac);
            await WaitAsync(lab, client.Serial, Literal($"Filename: {HttpBootScenario.BaseUrl}/{HttpBootScenario.Script}"), BootTimeout, "iPXE ROM got the script URL");
            await WaitAsync(lab, client.Serial, Literal(scenario.Marker), BootTimeout, "the script ran after fetching the payload");
            var ip = await LeasedAddressAsync(lab, LabNetwork.ClientMac);

            await AssertHttpTransfersAsync(lab, server.Log, ip);
            // The ROM is iPXE already: no undionly.kpxe by TFTP, no loop.
            Assert.Equal(0, await CountAsync(lab, "udp port 69"));
        });
    }

    [Fact]
    public async Task Ovmf_http_boot_gets_httpclient_and_a_url_from_the_proxy_and_downloads_ipxe_efi_over_http()
    {
        await RunAsync("ovmf-http", async (lab, scenario, server) =>
        {
            var (_, serial) = OvmfClient.Start(lab, OvmfMac, OvmfClient.BootPath.HttpOnly);
            await WaitAsync(lab, serial, Literal($"URI: {HttpBootScenario.BaseUrl}/{HttpBootScenario.EfiBootFile}"), BootTimeout, "OVMF HTTP Boot took the URL");
            await WaitAsync(lab, serial, Literal(scenario.Marker), BootTimeout, "iPXE, loaded over HTTP, ran the script");
            var ip = await LeasedAddressAsync(lab, OvmfMac);

            var log = server.Log;
            await WaitAsync(lab, log, Literal("sent size: 10 option: 60 vendor-class  HTTPClient"), StepTimeout, "server log: HTTPClient echoed");
            await WaitAsync(lab, log, new Regex($@"HTTP GET /{HttpBootScenario.EfiBootFile} from {Regex.Escape(ip)}: 200 sent \S+, \d+ bytes"), StepTimeout, "server log: ipxe.efi over HTTP");
            await AssertHttpTransfersAsync(lab, log, ip);
            Assert.Equal(0, await CountAsync(lab, "udp port 69"));
        });
    }

    private async Task AssertHttpTransfersAsync(NamespaceLab lab, LogFile log, string ip)
    {
        await WaitAsync(lab, log, new Regex($@"HTTP GET /{HttpBootScenario.Script} from {Regex.Escape(ip)}: 200 sent \S+/{HttpBootScenario.Script}, \d+ bytes"), StepTimeout, "server log: GET script");
        await WaitAsync(lab, log, new Regex($@"HTTP GET /{HttpBootScenario.Payload} from {Regex.Escape(ip)}: 200 sent \S+, {HttpBootScenario.PayloadLength} bytes"), StepTimeout, "server log: GET payload");
        Assert.NotEqual(0, await CountAsync(lab, $"tcp and src host {LabNetwork.ServerAddress} and src port {HttpBootScenario.HttpPort}"));
    }

    private async Task RunAsync(string name, Func<NamespaceLab, HttpBootScenario, LabProcess, Task> body)
    {
        var clock = Stopwatch.StartNew();
        await using var lab = await NamespaceLab.CreateAsync();
        var scenario = HttpBootScenario.Create(lab.WorkDirectory);
        LabProcess? server = null;
        try
        {
            lab.StartCapture();
            var router = lab.StartRouter();
            await lab.WaitForUdpPortsAsync(lab.RouterNamespace, [67], TimeSpan.FromSeconds(20), router);
            server = new NetBootServer().Start(lab, scenario.AsServerScenario());
            await lab.WaitForUdpPortsAsync(lab.ServerNamespace, [67, 4011, 69], TimeSpan.FromSeconds(60), server);
            await WaitAsync(lab, server.Log, HttpListening(), StepTimeout, "server: HTTP listening");
            output.WriteLine($"{clock.Elapsed.TotalSeconds,6:0.0} s  {name}: lab {lab.Id} ready");
            await body(lab, scenario, server);
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

    private async Task<string> LeasedAddressAsync(NamespaceLab lab, string mac)
    {
        var router = lab.Processes.First(p => p.Name == "router");
        var ack = await WaitAsync(lab, router.Log,
            new Regex($@"DHCPACK\({LabNetwork.RouterInterface}\) (?<ip>[0-9.]+) {Regex.Escape(mac)}"), StepTimeout, "router acknowledged a lease");
        return ack.Groups["ip"].Value;
    }

    private static async Task<int> CountAsync(NamespaceLab lab, string filter) =>
        (await lab.ReadCaptureAsync(filter)).Split('\n', StringSplitOptions.RemoveEmptyEntries).Length;

    private static Regex Literal(string text) => Milestones.Literal(text);

    [GeneratedRegex(@"HTTP listening on \S+:8080")]
    private static partial Regex HttpListening();
}

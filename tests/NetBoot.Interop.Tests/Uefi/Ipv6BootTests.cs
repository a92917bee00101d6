using System.Diagnostics;
using System.Text.RegularExpressions;
using NetBoot.Interop.Tests.Lab;
using NetBoot.Interop.Tests.Servers;
using Xunit.Abstractions;

namespace NetBoot.Interop.Tests.Uefi;

/// <summary>
/// Issue 19 with real firmware on an IPv6-only segment (no DHCPv4 server anywhere; the router namespace runs
/// nothing): one server gives router advertisements, DHCPv6, TFTP and HTTP. OVMF boots ipxe.efi by PXEv6 (TFTP)
/// and by HTTP Boot over IPv6; iPXE (the BIOS ROM, and the ipxe.efi OVMF loaded) configures IPv6 by RA and DHCPv6,
/// chains the script URL from option 59 over HTTP and prints the scenario's marker. The evidence: the console
/// milestones, the wire (no DHCPv4 answer at all; RA, DHCPv6, TFTP and HTTP from the server), and the server's log.
/// Each derived class runs these facts against one server: dnsmasq (the lab's self-check) or NetBoot.
/// </summary>
public abstract class Ipv6BootTests(ITestOutputHelper output)
{
    public const string OvmfMac = "52:54:00:4e:42:61";
    public const string IpxeMac = "52:54:00:4e:42:62";

    /// <summary>Measured on a loaded 2-core host under TCG: marker at 35 to 80 s (OVMF), 18 s (BIOS iPXE); iPXE spends
    /// about 15 s of it waiting for a DHCPv4 answer that never comes before it goes on with IPv6 alone.</summary>
    private static readonly TimeSpan BootTimeout = TimeSpan.FromSeconds(240);
    private static readonly TimeSpan StepTimeout = TimeSpan.FromSeconds(30);

    /// <summary>Starts the server under test in the lab's server namespace on <paramref name="scenario"/> and
    /// returns once it answers (DHCPv6 and TFTP bound, HTTP serving).</summary>
    protected abstract Task<Ipv6Server> StartServerAsync(NamespaceLab lab, Ipv6BootScenario scenario);

    protected abstract bool IsDnsmasqSelfCheck { get; }

    [Fact]
    public async Task Ovmf_boots_ipxe_efi_by_pxe_over_ipv6_only_and_ipxe_runs_the_script_over_http()
    {
        await RunAsync("ovmf-pxe6", async (lab, scenario, server, clock) =>
        {
            var (_, serial) = OvmfClient.Start(lab, OvmfMac, OvmfClient.BootPath.Pxe6);
            await WaitAsync(lab, serial, Literal(">>Start PXE over IPv6"), BootTimeout, "OVMF started PXEv6", clock);
            var station = await WaitAsync(lab, serial, StationAddress(), BootTimeout, "OVMF PXEv6 leased an address", clock);
            await WaitAsync(lab, serial, Literal($"Server IP address is {FirmwareSpelling(LabNetwork.ServerIpv6Address)}"), StepTimeout, "PXEv6 server from option 59", clock);
            await WaitAsync(lab, serial, Literal($"NBP filename is {Ipv6BootScenario.EfiBootFile}"), StepTimeout, "PXEv6 boot file from option 59", clock);
            await WaitAsync(lab, serial, Literal("NBP file downloaded successfully"), BootTimeout, "ipxe.efi downloaded by TFTP over IPv6", clock);
            var ipxe = await WaitAsync(lab, serial, Literal("iPXE initialising devices"), BootTimeout, "ipxe.efi started", clock);
            await AssertScriptUrlAsync(lab, serial, ipxe.Index, clock);
            await WaitAsync(lab, serial, Literal(scenario.Marker), StepTimeout, "the script ran: marker", clock);

            var ip = FirmwareAddress(station.Groups["ip"].Value);
            await AssertIpv6OnlyAsync(lab);
            Assert.NotEqual(0, await CountAsync(lab, $"udp and dst host {LabNetwork.ServerIpv6Address} and dst port 69"));
            await WaitAsync(lab, server.Log, server.Expect.Replied(ip), StepTimeout, $"server log: DHCPv6 REPLY for {ip}", clock);
            await WaitAsync(lab, server.Log, server.Expect.TftpSent(Ipv6BootScenario.EfiBootFile, ip), StepTimeout, "server log: ipxe.efi sent by TFTP", clock);
            await WaitAsync(lab, server.HttpLog, server.Expect.HttpGet(Ipv6BootScenario.Script), StepTimeout, "HTTP log: GET script", clock);
        });
    }

    [Fact]
    public async Task Ovmf_http_boot_over_ipv6_only_downloads_ipxe_efi_and_ipxe_runs_the_script()
    {
        await RunAsync("ovmf-http6", async (lab, scenario, server, clock) =>
        {
            var (_, serial) = OvmfClient.Start(lab, OvmfMac, OvmfClient.BootPath.Http6);
            await WaitAsync(lab, serial, Literal(">>Start HTTP Boot over IPv6"), BootTimeout, "OVMF started HTTPv6", clock);
            var station = await WaitAsync(lab, serial, StationIpv6Address(), BootTimeout, "HTTPv6 leased an address (offer with HTTPClient and an http URL)", clock);
            await WaitAsync(lab, serial, Literal($"URI: {Ipv6BootScenario.HttpBase}/{Ipv6BootScenario.EfiBootFile}"), StepTimeout, "HTTPv6 took the URL from option 59", clock);
            var ipxe = await WaitAsync(lab, serial, Literal("iPXE initialising devices"), BootTimeout, "ipxe.efi, downloaded over HTTP, started", clock);
            await AssertScriptUrlAsync(lab, serial, ipxe.Index, clock);
            await WaitAsync(lab, serial, Literal(scenario.Marker), StepTimeout, "the script ran: marker", clock);

            var ip = FirmwareAddress(station.Groups["ip"].Value);
            await AssertIpv6OnlyAsync(lab);
            Assert.Equal(0, await CountAsync(lab, "udp port 69"));
            await WaitAsync(lab, server.Log, server.Expect.Replied(ip), StepTimeout, $"server log: DHCPv6 REPLY for {ip}", clock);
            await WaitAsync(lab, server.HttpLog, server.Expect.HttpGet(Ipv6BootScenario.EfiBootFile), StepTimeout, "HTTP log: GET ipxe.efi", clock);
            await WaitAsync(lab, server.HttpLog, server.Expect.HttpGet(Ipv6BootScenario.Script), StepTimeout, "HTTP log: GET script", clock);
        });
    }

    [Fact]
    public async Task Ipxe_configures_ipv6_by_ra_and_dhcpv6_and_chains_the_script_over_http()
    {
        await RunAsync("ipxe6", async (lab, scenario, server, clock) =>
        {
            var client = QemuClient.Start(lab, IpxeMac);
            var address = await WaitAsync(lab, client.Serial, IpxeGlobalAddress(), BootTimeout, "iPXE configured a DHCPv6 address", clock);
            await AssertScriptUrlAsync(lab, client.Serial, address.Index, clock);
            await WaitAsync(lab, client.Serial, Literal(scenario.Marker), StepTimeout, "the script ran: marker", clock);

            var ip = address.Groups["ip"].Value;
            Assert.True(InPool(ip), $"iPXE's address {ip} is not from the DHCPv6 pool {LabNetwork.Ipv6PoolStart}-{LabNetwork.Ipv6PoolEnd}");
            await AssertIpv6OnlyAsync(lab);
            await WaitAsync(lab, server.Log, server.Expect.Replied(ip), StepTimeout, $"server log: DHCPv6 REPLY for {ip}", clock);
            await WaitAsync(lab, server.HttpLog, server.Expect.HttpGet(Ipv6BootScenario.Script), StepTimeout, "HTTP log: GET script", clock);
        });
    }

    /// <summary>No DHCPv4 answer on the segment, and the server's router advertisements, DHCPv6 answers and HTTP
    /// replies on the wire.</summary>
    private static async Task AssertIpv6OnlyAsync(NamespaceLab lab)
    {
        Assert.Equal(0, await CountAsync(lab, "ip and udp src port 67"));
        // ICMPv6 type 134 (router advertisement) right after a 40-byte IPv6 header: RAs carry no extension header.
        Assert.NotEqual(0, await CountAsync(lab, "icmp6 and ip6[40] == 134"));
        Assert.NotEqual(0, await CountAsync(lab, "udp and src port 547 and dst port 546"));
        Assert.NotEqual(0, await CountAsync(lab, $"tcp and src host {LabNetwork.ServerIpv6Address} and src port {Ipv6BootScenario.HttpPort}"));
    }

    private async Task RunAsync(string name, Func<NamespaceLab, Ipv6BootScenario, Ipv6Server, Stopwatch, Task> body)
    {
        var clock = Stopwatch.StartNew();
        await using var lab = await NamespaceLab.CreateAsync();
        var scenario = Ipv6BootScenario.Create(lab.WorkDirectory, IsDnsmasqSelfCheck);
        Ipv6Server? server = null;
        try
        {
            lab.StartCapture();
            await lab.AddServerIpv6AddressAsync();
            server = await StartServerAsync(lab, scenario);
            output.WriteLine($"{clock.Elapsed.TotalSeconds,6:0.0} s  {name}: lab {lab.Id} ready");
            clock.Restart();
            await body(lab, scenario, server, clock);
            output.WriteLine($"{clock.Elapsed.TotalSeconds,6:0.0} s  {name}: done (from the VM's start)");
        }
        catch (Exception exception)
        {
            lab.KeepArtifacts = true;
            throw new LabAssertionException(
                $"{exception.Message}\n\nLab artifacts kept in {lab.WorkDirectory}\n{server?.Log.Tail(40)}", exception);
        }
    }

    /// <summary>iPXE prints the option 59 it got as <c>Filename:</c>: the script's URL, given for its user class "iPXE"
    /// (any other URL, e.g. ipxe.efi again, would loop: fail at once with what it got).</summary>
    private async Task AssertScriptUrlAsync(NamespaceLab lab, LogFile serial, int startAt, Stopwatch clock)
    {
        var filename = await serial.WaitForAsync(IpxeFilename(), BootTimeout, startAt, lab.EnsureAllRunning);
        Assert.Equal($"{Ipv6BootScenario.HttpBase}/{Ipv6BootScenario.Script}", filename.Groups["url"].Value);
        output.WriteLine($"{clock.Elapsed.TotalSeconds,6:0.0} s  iPXE got the script URL by DHCPv6 (user class iPXE)");
    }

    private async Task<Match> WaitAsync(NamespaceLab lab, LogFile log, Regex pattern, TimeSpan timeout, string milestone, Stopwatch clock)
    {
        var match = await log.WaitForAsync(pattern, timeout, 0, lab.EnsureAllRunning);
        output.WriteLine($"{clock.Elapsed.TotalSeconds,6:0.0} s  {milestone}");
        return match;
    }

    private static async Task<int> CountAsync(NamespaceLab lab, string filter) =>
        (await lab.ReadCaptureAsync(filter)).Split('\n', StringSplitOptions.RemoveEmptyEntries).Length;

    private static Regex Literal(string text) => Milestones.Literal(text);

    /// <summary>EDK2 prints IPv6 addresses in upper case without zero compression (FD77:0:0:0:0:0:0:2).</summary>
    internal static string FirmwareSpelling(string address) =>
        string.Join(':', System.Net.IPAddress.Parse(address).GetAddressBytes().Chunk(2).Select(pair => $"{(pair[0] << 8) | pair[1]:X}"));

    /// <summary>The address EDK2 printed, as a server logs it (RFC 5952 text).</summary>
    internal static string FirmwareAddress(string printed) => System.Net.IPAddress.Parse(printed).ToString();

    private static bool InPool(string address)
    {
        static System.Numerics.BigInteger Value(string text) =>
            new(System.Net.IPAddress.Parse(text).GetAddressBytes(), isUnsigned: true, isBigEndian: true);
        var value = Value(address);
        return value >= Value(LabNetwork.Ipv6PoolStart) && value <= Value(LabNetwork.Ipv6PoolEnd);
    }

    /// <summary>Up to the line's end: a console line is matched while the firmware may still be writing it.</summary>
    private static Regex IpxeFilename() => new(@"Filename: (?<url>\S+)\n");

    private static Regex StationAddress() => new(@"Station IP address is (?<ip>[0-9A-F:]+)\n");

    private static Regex StationIpv6Address() => new(@"Station IPv6 address is (?<ip>[0-9A-F:]+)\n");

    /// <summary>iPXE's summary after configuring: <c>net0: fd77::1a2/64 gw fe80::…</c> (the /64 comes from the RA's
    /// prefix, the address from DHCPv6).</summary>
    private static Regex IpxeGlobalAddress() => new(@"net0: (?<ip>fd77:[0-9a-f:]+)/64");
}

/// <summary>The server under test on an IPv6-only segment: its log (DHCPv6 and TFTP), the log of what serves
/// HTTP (the same for NetBoot), and the patterns for both.</summary>
public sealed record Ipv6Server(LabProcess Process, LogFile HttpLog, Ipv6ServerLogExpectations Expect)
{
    public LogFile Log => Process.Log;
}

/// <param name="Replied">A DHCPv6 REPLY that gave this address (RFC 5952 text).</param>
/// <param name="TftpSent">A completed TFTP transfer of this file to this address.</param>
/// <param name="HttpGet">A GET of this file answered 200.</param>
public sealed record Ipv6ServerLogExpectations(
    Func<string, Regex> Replied,
    Func<string, string, Regex> TftpSent,
    Func<string, Regex> HttpGet)
{
    /// <summary>dnsmasq 2.90 with log-dhcp, and Python's http.server for HTTP.</summary>
    public static Ipv6ServerLogExpectations Dnsmasq { get; } = new(
        Replied: ip => new Regex($@"DHCPREPLY\(\w+\) {Regex.Escape(ip)} "),
        TftpSent: (file, ip) => new Regex($@"sent \S*/{Regex.Escape(file)} to {Regex.Escape(ip)}\b"),
        HttpGet: file => new Regex($@"""GET /{Regex.Escape(file)} HTTP/1\.1"" 200"));

    /// <summary>NetBoot: dnsmasq's wording for DHCPv6 and TFTP (spec/pxe-behaviour.md, "Logging"), its own HTTP lines.</summary>
    public static Ipv6ServerLogExpectations NetBoot { get; } = new(
        Replied: ip => new Regex($@"DHCPREPLY\(\w+\) {Regex.Escape(ip)} "),
        TftpSent: (file, ip) => new Regex($@"sent \S*/{Regex.Escape(file)} to {Regex.Escape(ip)}\b"),
        HttpGet: file => new Regex($@"HTTP GET /{Regex.Escape(file)} from \S+: 200 sent"));
}

/// <summary>The lab's self-check: dnsmasq 2.90 serves RA, DHCPv6 and TFTP, Python's http.server HTTP. It proves the
/// firmware, the topology and the assertions before NetBoot is judged by them.</summary>
[Trait("Category", "Interop")]
public sealed class Ipv6BootDnsmasqSelfCheckTests(ITestOutputHelper output) : Ipv6BootTests(output)
{
    protected override bool IsDnsmasqSelfCheck => true;

    protected override async Task<Ipv6Server> StartServerAsync(NamespaceLab lab, Ipv6BootScenario scenario)
    {
        var server = lab.Start("server", lab.ServerNamespace, "dnsmasq",
        [
            "--no-daemon", $"--conf-file={scenario.ConfigPath}",
            // Process plumbing only: log to stderr, keep files in the lab, stay root (raw ICMPv6 socket for RAs).
            "--log-facility=-", "--pid-file=", $"--dhcp-leasefile={Path.Combine(lab.WorkDirectory, "server.leases")}", "--user=root",
        ]);
        var http = lab.Start("http", lab.ServerNamespace, "python3",
            ["-u", "-m", "http.server", "--bind", "::", "--directory", scenario.Root, $"{Ipv6BootScenario.HttpPort}"]);
        await lab.WaitForUdpPortsAsync(lab.ServerNamespace, [547, 69], TimeSpan.FromSeconds(20), server);
        await http.Log.WaitForAsync(new Regex($@"Serving HTTP on :: port {Ipv6BootScenario.HttpPort}"), TimeSpan.FromSeconds(20), 0, http.EnsureRunning);
        return new Ipv6Server(server, http.Log, Ipv6ServerLogExpectations.Dnsmasq);
    }
}

/// <summary>NetBoot alone: <c>netboot serve</c> gives RA, DHCPv6, TFTP and HTTP from <see cref="Ipv6BootScenario"/>'s
/// configuration (dnsmasq syntax).</summary>
[Trait("Category", "Interop")]
public sealed partial class Ipv6BootNetBootTests(ITestOutputHelper output) : Ipv6BootTests(output)
{
    protected override bool IsDnsmasqSelfCheck => false;

    protected override async Task<Ipv6Server> StartServerAsync(NamespaceLab lab, Ipv6BootScenario scenario)
    {
        var server = new NetBootServer().Start(lab, scenario.AsServerScenario());
        await lab.WaitForUdpPortsAsync(lab.ServerNamespace, [547, 69], TimeSpan.FromSeconds(60), server);
        await server.Log.WaitForAsync(HttpListening(), TimeSpan.FromSeconds(30), 0, server.EnsureRunning);
        return new Ipv6Server(server, server.Log, Ipv6ServerLogExpectations.NetBoot);
    }

    [GeneratedRegex(@"HTTP listening on \S+:8080")]
    private static partial Regex HttpListening();
}

using System.Text.RegularExpressions;
using NetBoot.Interop.Tests.Lab;
using NetBoot.Interop.Tests.Servers;
using NetBoot.Testing;
using Xunit.Abstractions;

namespace NetBoot.Interop.Tests;

/// <summary><c>netboot probe --ipv6</c> (UEFI PXEv6 firmware) against <b>dnsmasq</b> as the DHCPv6 and TFTP server: this
/// tests the probe, with the reference implementation on the other end, not NetBoot's DHCPv6 service. Two namespaces
/// joined by a veth pair: dnsmasq on sv0 (fd00:77::1/64), the probe on cl0, which has fd00:77::9/64 of its own (the probe
/// does not configure the address it is assigned, so the TFTP fetch needs one). Duplicate address detection is off in
/// both, so the link-local addresses are usable as soon as the link is up.</summary>
[Trait("Category", "Interop")]
public sealed class ProbeIPv6DnsmasqTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const string ServerAddress = "fd00:77::1";
    private const int BootFileLength = 1_500_000;

    private readonly NetworkNamespace _server = NetworkNamespace.Create("nbp6-srv");
    private readonly NetworkNamespace _client = NetworkNamespace.Create("nbp6-cli");
    private readonly string _work = Directory.CreateTempSubdirectory("netboot-probe6-").FullName;
    private LabProcess? _dnsmasq;
    private LabProcess? _http;

    private string Root => Path.Combine(_work, "tftp");

    public Task InitializeAsync()
    {
        foreach (var ns in new[] { _server, _client })
        {
            ns.Exec("sysctl", "-qw", "net.ipv6.conf.all.accept_dad=0");
            ns.Exec("sysctl", "-qw", "net.ipv6.conf.default.accept_dad=0");
        }
        NetworkNamespace.Link(_server, "sv0", "10.77.66.1/24", _client, "cl0", "10.77.66.2/24");
        _server.Exec("ip", "addr", "add", ServerAddress + "/64", "dev", "sv0", "nodad");
        _client.Exec("ip", "addr", "add", "fd00:77::9/64", "dev", "cl0", "nodad");
        Directory.CreateDirectory(Root);
        // Served files must be world-readable (dnsmasq parity, netboot's HTTP as well).
        File.SetUnixFileMode(_work, (UnixFileMode)0b111_101_101);
        var file = new byte[BootFileLength];
        new Random(6).NextBytes(file);
        File.WriteAllBytes(Path.Combine(Root, "bootx64.efi"), file);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        if (_dnsmasq is not null)
        {
            await _dnsmasq.DisposeAsync();
        }
        if (_http is not null)
        {
            await _http.DisposeAsync();
        }
        _client.Dispose();
        _server.Dispose();
        Directory.Delete(_work, recursive: true);
    }

    private async Task StartDnsmasqAsync(params string[] directives)
    {
        var config = Path.Combine(_work, "dnsmasq.conf");
        File.WriteAllLines(config,
        [
            "port=0", "interface=sv0", "bind-interfaces", "log-dhcp",
            "dhcp-range=fd00:77::1000,fd00:77::1fff,64",
            "enable-tftp", $"tftp-root={Root}",
            .. directives,
        ]);
        // --user=root: the lab's folder is the test's own (mode 0700), which dnsmasq's default user could not read.
        _dnsmasq = LabProcess.Start("dnsmasq", Path.Combine(_work, "dnsmasq.log"), "ip",
        [
            "netns", "exec", _server.Name, "dnsmasq", "--no-daemon", $"--conf-file={config}", "--log-facility=-", "--pid-file=",
            "--user=root", $"--dhcp-leasefile={Path.Combine(_work, "leases")}",
        ]);
        await _dnsmasq.Log.WaitForAsync(new Regex("TFTP root is"), TimeSpan.FromSeconds(20), stillAlive: _dnsmasq.EnsureRunning);
    }

    private async Task<(int ExitCode, string Stdout)> ProbeAsync(double wait)
    {
        var netboot = Path.Combine(await NetBootServer.PublishDirectoryAsync(), "netboot");
        var (code, stdout, stderr) = await Task.Run(() => Shell.Execute("ip", "netns", "exec", _client.Name, netboot, "probe", "--ipv6",
            "--interface", "cl0", "--wait", wait.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        output.WriteLine($"exit {code}\n{stdout}{stderr}\n{_dnsmasq?.Log.Tail()}");
        return (code, stdout);
    }

    [Fact]
    public async Task Probe_ipv6_gets_an_address_and_the_bootfile_url_from_dnsmasq_and_fetches_the_file_with_blksize_1228()
    {
        await StartDnsmasqAsync($"dhcp-option=option6:bootfile-url,tftp://[{ServerAddress}]/bootx64.efi");

        var (code, report) = await ProbeAsync(3);

        Assert.Equal(0, code);
        Assert.Matches(@"answers to SOLICIT: 1\n  ADVERTISE from fe80::\S+: server DUID [0-9a-f:]+, preference 0, address fd00:77::1[0-9a-f]{3}, bootfile-url tftp://\[fd00:77::1\]/bootx64.efi", report);
        Assert.Matches(@"REPLY from fe80::\S+: address fd00:77::1[0-9a-f]{3}, valid \d+ s", report);
        Assert.Matches(@"  address         fd00:77::1[0-9a-f]{3}\n  server DUID     [0-9a-f:]+\n  bootfile-url    tftp://\[fd00:77::1\]/bootx64.efi\n  bootfile-param  \(none\)\n  preference      0", report);
        // dnsmasq grants blksize; it does not implement windowsize (RFC 7440), so the firmware's ask of 4 falls back to 1.
        Assert.Matches($@"boot file tftp://\[fd00:77::1\]/bootx64.efi: {BootFileLength} bytes in [0-9.]+ s \([0-9.]+ MB/s\), blksize 1228, windowsize 1", report);
        Assert.Contains("verdict: the firmware would boot", report, StringComparison.Ordinal);
        // What dnsmasq saw: the PXEv6 client's architecture and vendor class (log-dhcp), and the address it handed out.
        Assert.Matches(@"vendor class: 343", _dnsmasq!.Log.ReadAll());
        Assert.Matches(@"DHCPREPLY\(sv0\) fd00:77::1[0-9a-f]{3}", _dnsmasq.Log.ReadAll());
    }

    /// <summary>An http:// bootfile-url is fetched by HTTP GET; the HTTP server is netboot's (HTTP only, no DHCP), as
    /// dnsmasq serves no HTTP.</summary>
    [Fact]
    public async Task Probe_ipv6_fetches_an_http_bootfile_url_by_http()
    {
        await StartDnsmasqAsync($"dhcp-option=option6:bootfile-url,http://[{ServerAddress}]:8080/bootx64.efi");
        var config = Path.Combine(_work, "netboot-http.conf");
        File.WriteAllLines(config, ["interface=sv0", "bind-interfaces", $"http-root={Root}", "http-port=8080"]);
        _http = LabProcess.Start("netboot", Path.Combine(_work, "netboot.log"), "ip",
            ["netns", "exec", _server.Name, Path.Combine(await NetBootServer.PublishDirectoryAsync(), "netboot"), "serve", "-C", config]);
        await _http.Log.WaitForAsync(new Regex($@"HTTP listening on sv0 .*\[{Regex.Escape(ServerAddress)}\]"), TimeSpan.FromSeconds(30), stillAlive: _http.EnsureRunning);

        var (code, report) = await ProbeAsync(2);

        Assert.Equal(0, code);
        Assert.Contains($"  bootfile-url    http://[{ServerAddress}]:8080/bootx64.efi", report, StringComparison.Ordinal);
        Assert.Matches($@"boot file http://\[fd00:77::1\]:8080/bootx64.efi: {BootFileLength} bytes in [0-9.]+ s", report);
        await _http.Log.WaitForAsync(new Regex(@"HTTP GET /bootx64.efi from fd00:77::9: 200"), TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task Probe_ipv6_says_when_the_answer_has_no_bootfile_url()
    {
        await StartDnsmasqAsync();

        var (code, report) = await ProbeAsync(3);

        Assert.Equal(4, code);
        Assert.Contains("verdict: the answer has no bootfile-url (option 59): the firmware has nothing to boot", report, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Probe_ipv6_says_when_the_tftp_server_refuses_the_boot_file()
    {
        await StartDnsmasqAsync($"dhcp-option=option6:bootfile-url,tftp://[{ServerAddress}]/missing.efi");

        var (code, report) = await ProbeAsync(3);

        Assert.Equal(4, code);
        Assert.Matches(@"boot file tftp://\[fd00:77::1\]/missing.efi: failed: .*error 1", report);
    }

    [Fact]
    public async Task Without_a_DHCPv6_server_probe_ipv6_ends_after_its_wait_with_no_advertise()
    {
        var (code, report) = await ProbeAsync(1);

        Assert.Equal(3, code);
        Assert.Contains("verdict: no ADVERTISE within 1 s", report, StringComparison.Ordinal);
    }
}

using System.Text.RegularExpressions;
using NetBoot.Interop.Tests.Lab;
using NetBoot.Interop.Tests.Servers;
using Xunit.Abstractions;

namespace NetBoot.Interop.Tests;

/// <summary><c>netboot probe --ipv6</c> (UEFI PXEv6 firmware) against <b>dnsmasq</b> as the DHCPv6 and TFTP server: this
/// tests the probe, with the reference implementation on the other end, not NetBoot's DHCPv6 service. The shared cases are
/// in <see cref="ProbeIPv6Lab"/>.</summary>
[Trait("Category", "Interop")]
public sealed class ProbeIPv6DnsmasqTests(ITestOutputHelper output) : ProbeIPv6Lab(output)
{
    // dnsmasq grants blksize; it does not implement windowsize (RFC 7440), so the firmware's ask of 4 falls back to 1.
    protected override int ExpectedWindowSize => 1;

    protected override async Task StartServerAsync(string[] directives)
    {
        var config = Path.Combine(Work, "dnsmasq.conf");
        File.WriteAllLines(config,
        [
            "port=0", "interface=sv0", "bind-interfaces", "log-dhcp",
            "dhcp-range=fd00:77::1000,fd00:77::1fff,64",
            "enable-tftp", $"tftp-root={Root}",
            .. directives,
        ]);
        // --user=root: dnsmasq would otherwise drop to a user that may not read the lab's folder.
        ServerProcess = LabProcess.Start("dnsmasq", Path.Combine(Work, "dnsmasq.log"), "ip",
        [
            "netns", "exec", Server.Name, "dnsmasq", "--no-daemon", $"--conf-file={config}", "--log-facility=-", "--pid-file=",
            "--user=root", $"--dhcp-leasefile={Path.Combine(Work, "leases")}",
        ]);
        await ServerProcess.Log.WaitForAsync(new Regex("TFTP root is"), TimeSpan.FromSeconds(20), stillAlive: ServerProcess.EnsureRunning);
    }

    /// <summary>What dnsmasq saw (log-dhcp): the PXEv6 vendor class and the options the firmware asks for.</summary>
    [Fact]
    public async Task Dnsmasq_sees_the_PXEv6_vendor_class_and_the_requested_options()
    {
        await StartServerAsync([$"dhcp-option=option6:bootfile-url,tftp://[{ServerAddress}]/bootx64.efi"]);

        var (code, _) = await ProbeAsync(3);

        Assert.Equal(0, code);
        var log = ServerProcess!.Log.ReadAll();
        Assert.Contains("vendor class: 343", log, StringComparison.Ordinal);
        Assert.Contains("requested options: 23:dns-server, 24:domain-search, 59:bootfile-url,", log, StringComparison.Ordinal);
    }

    /// <summary>An http:// bootfile-url is fetched by HTTP GET; the HTTP server is netboot's (HTTP only, no DHCP), as
    /// dnsmasq serves no HTTP.</summary>
    [Fact]
    public async Task Probe_ipv6_fetches_an_http_bootfile_url_by_http()
    {
        await StartServerAsync([$"dhcp-option=option6:bootfile-url,http://[{ServerAddress}]:8080/bootx64.efi"]);
        var config = Path.Combine(Work, "netboot-http.conf");
        File.WriteAllLines(config, ["interface=sv0", "bind-interfaces", $"http-root={Root}", "http-port=8080"]);
        Http = LabProcess.Start("netboot", Path.Combine(Work, "netboot.log"), "ip",
            ["netns", "exec", Server.Name, Path.Combine(await NetBootServer.PublishDirectoryAsync(), "netboot"), "serve", "-C", config]);
        await Http.Log.WaitForAsync(new Regex($@"HTTP listening on sv0 .*\[{Regex.Escape(ServerAddress)}\]"), TimeSpan.FromSeconds(30), stillAlive: Http.EnsureRunning);

        var (code, report) = await ProbeAsync(2);

        Assert.Equal(0, code);
        Assert.Contains($"  bootfile-url    http://[{ServerAddress}]:8080/bootx64.efi", report, StringComparison.Ordinal);
        Assert.Matches($@"boot file http://\[fd00:77::1\]:8080/bootx64.efi: {BootFileLength} bytes in [0-9.]+ s", report);
        await Http.Log.WaitForAsync(new Regex(@"HTTP GET /bootx64.efi from fd00:77::9: 200"), TimeSpan.FromSeconds(10));
    }

    /// <summary>No server on the link: the SOLICIT is retransmitted within the wait, then the probe says so.</summary>
    [Fact]
    public async Task Without_a_DHCPv6_server_probe_ipv6_ends_after_its_wait_with_no_advertise()
    {
        var (code, report) = await ProbeAsync(1);

        Assert.Equal(3, code);
        Assert.Contains("verdict: no ADVERTISE within 1 s", report, StringComparison.Ordinal);
    }
}

using System.Text.Json;
using System.Text.RegularExpressions;
using NetBoot.Interop.Tests.Lab;
using NetBoot.Interop.Tests.Servers;
using NetBoot.Testing;
using Xunit.Abstractions;

namespace NetBoot.Interop.Tests;

/// <summary><c>netboot probe --ipv6</c> (UEFI PXEv6 firmware) against <b>netboot serve</b> alone: its DHCPv6 service
/// (SOLICIT/ADVERTISE/REQUEST/REPLY with option6:bootfile-url) and its TFTP over IPv6, which grants the firmware's
/// windowsize 4 as well as blksize 1228. The shared cases are in <see cref="ProbeIPv6Lab"/>.</summary>
[Trait("Category", "Interop")]
public sealed class ProbeIPv6NetBootTests(ITestOutputHelper output) : ProbeIPv6Lab(output)
{
    protected override int ExpectedWindowSize => 4;

    protected override async Task StartServerAsync(string[] directives)
    {
        var config = Path.Combine(Work, "netboot.conf");
        File.WriteAllLines(config,
        [
            "port=0", "interface=sv0", "bind-interfaces",
            "dhcp-range=fd00:77::1000,fd00:77::1fff,64",
            "enable-tftp", $"tftp-root={Root}",
            $"dhcp-leasefile={Path.Combine(Work, "leases")}",
            .. directives,
        ]);
        // The lease database in the lab's folder, never the machine's.
        ServerProcess = LabProcess.Start("netboot", Path.Combine(Work, "netboot.log"), "ip",
        [
            "netns", "exec", Server.Name, "env", $"NETBOOT_LEASE_DB={Path.Combine(Work, "leases.sqlite")}", "NETBOOT_LOG_LEVEL=Information",
            Path.Combine(await NetBootServer.PublishDirectoryAsync(), "netboot"), "serve", "-C", config,
        ]);
        // "started" is logged after every service has opened its sockets.
        await ServerProcess.Log.WaitForAsync(new Regex(@"started, version"), TimeSpan.FromSeconds(30), stillAlive: ServerProcess.EnsureRunning);
        Assert.Matches($@"TFTP listening on sv0 .*\[{Regex.Escape(ServerAddress)}\]", ServerProcess.Log.ReadAll());
    }

    /// <summary>NetBoot's TFTP log line for the firmware's transfer, with what it granted. The probe fetches from the
    /// interface's own address (it does not configure the one assigned), so the line names fd00:77::9.</summary>
    [Fact]
    public async Task NetBoot_logs_the_IPv6_transfer_with_blksize_1228_and_windowsize_4()
    {
        await StartServerAsync([$"dhcp-option=option6:bootfile-url,tftp://[{ServerAddress}]/bootx64.efi"]);

        var (code, _) = await ProbeAsync(3);

        Assert.Equal(0, code);
        await ServerProcess!.Log.WaitForAsync(new Regex($@"sent \S+/bootx64.efi to fd00:77::9: {BootFileLength} bytes .* blksize 1228, windowsize 4"), TimeSpan.FromSeconds(10));
    }

    /// <summary>The dashboard's client table after an IPv6 boot: the DHCPv6 client under the MAC its DUID-LL carries, with
    /// its leased address and the boot file URL; and the transfer, under the address it came from (the probe fetches from
    /// cl0's own fd00:77::9, not the leased address it does not configure, so that is a row of its own).</summary>
    [Fact]
    public async Task The_dashboard_shows_the_ipv6_client_with_its_leased_address_and_the_fetched_file()
    {
        const int dashboardPort = 9168;
        var url = $"tftp://[{ServerAddress}]/bootx64.efi";
        await StartServerAsync([$"dhcp-option=option6:bootfile-url,{url}", $"dashboard-listen={dashboardPort}"]);
        await ServerProcess!.Log.WaitForAsync(new Regex("status endpoint listening"), TimeSpan.FromSeconds(10));

        var (code, _) = await ProbeAsync(3);
        Assert.Equal(0, code);
        // The transfer's end is reported to the dashboard before this line is logged.
        await ServerProcess.Log.WaitForAsync(new Regex(@"sent \S+/bootx64.efi to fd00:77::9"), TimeSpan.FromSeconds(10));

        var mac = Shell.Run("ip", "netns", "exec", ClientNamespace, "cat", "/sys/class/net/cl0/address").Trim();
        using var state = JsonDocument.Parse(Shell.Run("ip", "netns", "exec", Server.Name, "curl", "-sf", $"http://127.0.0.1:{dashboardPort}/state"));
        var clients = state.RootElement.GetProperty("clients").EnumerateArray().ToDictionary(c => c.GetProperty("key").GetString()!);
        var client = clients[mac];
        Assert.Equal("ack", client.GetProperty("stageText").GetString());
        Assert.Matches(@"^fe80::\S+ fd00:77::1[0-9a-f]{3}$", client.GetProperty("addresses").GetString());
        Assert.Equal(url, client.GetProperty("file").GetString());
        var transfer = clients["ip:fd00:77::9"];
        Assert.Equal("done", transfer.GetProperty("stageText").GetString());
        Assert.Equal("bootx64.efi", transfer.GetProperty("file").GetString());
    }

    /// <summary><c>dhcp-host=&lt;MAC&gt;,[address]</c>: the firmware's DUID-LL carries cl0's MAC, so it gets the reserved
    /// address, outside the range but on its prefix (dnsmasq parity).</summary>
    [Fact]
    public async Task A_dhcp_host_by_mac_gives_the_firmware_its_reserved_ipv6_address()
    {
        var mac = Shell.Run("ip", "netns", "exec", ClientNamespace, "cat", "/sys/class/net/cl0/address").Trim();
        await StartServerAsync([$"dhcp-option=option6:bootfile-url,tftp://[{ServerAddress}]/bootx64.efi", $"dhcp-host={mac},[fd00:77::5]"]);

        var (code, report) = await ProbeAsync(3);

        Assert.Equal(0, code);
        Assert.Matches(@"REPLY from fe80::\S+: address fd00:77::5, valid \d+ s", report);
        Assert.Matches(@"DHCPREPLY\(sv0\) fd00:77::5 ", ServerProcess!.Log.ReadAll());
    }
}

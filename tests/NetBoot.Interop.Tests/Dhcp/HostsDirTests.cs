using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using NetBoot.Wire.Dhcp;
using NetBoot.Wire.Net;
using Xunit.Abstractions;

namespace NetBoot.Interop.Tests.Dhcp;

/// <summary>The ways OpenStack Ironic/Bifrost and Cobbler feed dnsmasq its hosts, against the published server in a
/// namespace lab (full DHCP, one relayed client socket): files dropped into dhcp-hostsdir/dhcp-optsdir apply without
/// restart or SIGHUP; a regenerated dhcp-hostsfile applies at SIGHUP; a bad line is logged with file and line and the
/// rest keeps working. Each step waits for the server's log line or for the reply, never for a fixed time.</summary>
[Trait("Category", "Interop")]
public sealed class HostsDirTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);
    /// <summary>How long an ignored client is listened for: its silence is the behaviour under test.</summary>
    private static readonly TimeSpan Silence = TimeSpan.FromSeconds(2);
    private static readonly IPv4Address Relay = IPv4Address.Parse("10.78.0.2");
    private static readonly IPEndPoint Server = new(IPAddress.Parse("10.78.0.1"), 67);
    private static readonly HardwareAddress Node = HardwareAddress.Ethernet([0x52, 0x54, 0x00, 0x4e, 0x42, 0x01]);
    private static readonly HardwareAddress Other = HardwareAddress.Ethernet([0x52, 0x54, 0x00, 0x4e, 0x42, 0x02]);
    private static readonly HardwareAddress Stranger = HardwareAddress.Ethernet([0x52, 0x54, 0x00, 0x4e, 0x42, 0x03]);

    private static string Config(string extra) => $"""
        port=0
        no-ping
        dhcp-range=10.78.0.20,10.78.0.60,255.255.255.0,1h
        dhcp-boot=default.efi
        {extra}
        """;

    private uint _xid = 0x4e42_0000;

    [Fact]
    public async Task Ironic_hostsdir_file_rewritten_from_ignore_to_a_tag_applies_without_sighup_and_a_bad_file_line_spares_the_rest()
    {
        await using var lab = DhcpLab.Create();
        var dir = Directory.CreateDirectory(Path.Combine(lab.WorkDirectory, "dhcphosts")).FullName;
        var nodeFile = Path.Combine(dir, "node");
        File.WriteAllText(nodeFile, $"{Node},ignore\n");
        await lab.StartServerAsync(Config($"dhcp-hostsdir={dir}\ndhcp-boot=tag:ironic,ironic.efi"));
        using var client = Client(lab);
        var log = lab.ServerProcess.Log;

        Assert.Equal("default.efi", (await DiscoverAsync(client, Stranger, Patience))?.BootFileName);
        Assert.Null(await DiscoverAsync(client, Node, Silence));

        var from = log.ReadAll().Length;
        var clock = Stopwatch.StartNew();
        File.WriteAllText(nodeFile, $"{Node},set:ironic\n");
        await log.WaitForAsync(new Regex($"inotify: {Regex.Escape(nodeFile)} new or modified: 1 dhcp-host"), Patience, from, lab.ServerProcess.EnsureRunning);
        output.WriteLine($"hostsdir file applied {clock.ElapsedMilliseconds} ms after it was written (log line seen)");
        Assert.Equal("ironic.efi", (await DiscoverAsync(client, Node, Patience))?.BootFileName);

        var broken = Path.Combine(dir, "broken");
        from = log.ReadAll().Length;
        File.WriteAllText(broken, $"{Other},set:ironic\nnot-a-mac,,set:x,bad name!\n");
        await log.WaitForAsync(new Regex($"at line 2 of {Regex.Escape(broken)}: .*that line is skipped"), Patience, from, lab.ServerProcess.EnsureRunning);
        Assert.Equal("ironic.efi", (await DiscoverAsync(client, Other, Patience))?.BootFileName);
        Assert.Equal("ironic.efi", (await DiscoverAsync(client, Node, Patience))?.BootFileName);
        Assert.DoesNotContain("configuration reloaded", log.ReadAll(), StringComparison.Ordinal);
        lab.ServerProcess.EnsureRunning();
    }

    [Fact]
    public async Task Bifrost_optsdir_file_applies_its_tagged_option_without_sighup()
    {
        await using var lab = DhcpLab.Create();
        var hosts = Directory.CreateDirectory(Path.Combine(lab.WorkDirectory, "dhcphosts")).FullName;
        var opts = Directory.CreateDirectory(Path.Combine(lab.WorkDirectory, "dhcpopts")).FullName;
        File.WriteAllText(Path.Combine(hosts, "node1"), $"{Node},set:node1\n");
        await lab.StartServerAsync(Config($"dhcp-hostsdir={hosts}\ndhcp-optsdir={opts}"));
        using var client = Client(lab);
        var log = lab.ServerProcess.Log;

        var before = await DiscoverAsync(client, Node, Patience);
        Assert.NotNull(before);
        Assert.False(before.Options.Contains(DhcpOptionCode.DomainName));

        var optsFile = Path.Combine(opts, "node1");
        var from = log.ReadAll().Length;
        File.WriteAllText(optsFile, "tag:node1,option:domain-name,bifrost.lan\n");
        await log.WaitForAsync(new Regex($"inotify: {Regex.Escape(optsFile)} new or modified: 0 dhcp-host and 1 dhcp-option"), Patience, from, lab.ServerProcess.EnsureRunning);

        var after = await DiscoverAsync(client, Node, Patience);
        Assert.True(after is not null && after.Options.TryGetString(DhcpOptionCode.DomainName, out var domain) && domain == "bifrost.lan",
            lab.Failure("option 15 from the optsdir file not sent"));
        Assert.False((await DiscoverAsync(client, Stranger, Patience))!.Options.Contains(DhcpOptionCode.DomainName));
    }

    [Fact]
    public async Task Cobbler_hostsfile_regenerated_applies_at_sighup_and_a_deleted_hostsdir_file_stops_applying_there()
    {
        await using var lab = DhcpLab.Create();
        var hostsFile = Path.Combine(lab.WorkDirectory, "cobbler.hosts");
        var dir = Directory.CreateDirectory(Path.Combine(lab.WorkDirectory, "dhcphosts")).FullName;
        var other = Path.Combine(dir, "other");
        File.WriteAllText(hostsFile, $"{Node},ignore\n");
        File.WriteAllText(other, $"{Other},set:cobbler\n");
        await lab.StartServerAsync(Config($"dhcp-hostsfile={hostsFile}\ndhcp-hostsdir={dir}\ndhcp-boot=tag:cobbler,pxelinux.0"));
        using var client = Client(lab);
        var server = lab.ServerProcess;

        Assert.Null(await DiscoverAsync(client, Node, Silence));
        Assert.Equal("pxelinux.0", (await DiscoverAsync(client, Other, Patience))?.BootFileName);

        // Cobbler's way: write the file anew, then SIGHUP the server (its own process id).
        File.WriteAllText(hostsFile, $"{Node},set:cobbler\n");
        File.Delete(other);
        var from = server.Log.ReadAll().Length;
        server.Signal(1);
        await server.Log.WaitForAsync(new Regex("configuration reloaded from"), Patience, from, server.EnsureRunning);

        Assert.Equal("pxelinux.0", (await DiscoverAsync(client, Node, Patience))?.BootFileName);
        Assert.Equal("default.efi", (await DiscoverAsync(client, Other, Patience))?.BootFileName);
    }

    private static RelayDoraClient Client(DhcpLab lab)
    {
        lab.Client.Exec("ip", "addr", "add", "10.78.0.2/24", "dev", "nbc0");
        var socket = lab.Client.Run(() =>
        {
            var s = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
            s.Bind(new IPEndPoint(IPAddress.Parse("10.78.0.2"), 67));
            return s;
        });
        return new RelayDoraClient(socket, Relay, Server);
    }

    /// <summary>One relayed DISCOVER; the OFFER, or null when the server stayed silent for <paramref name="timeout"/>.</summary>
    private async Task<DhcpMessage?> DiscoverAsync(RelayDoraClient client, HardwareAddress mac, TimeSpan timeout)
    {
        var discover = DhcpMessage.CreateRequest(DhcpMessageType.Discover, mac, _xid++) with { RelayAgentAddress = Relay, Hops = 1 };
        return await client.ExchangeAsync(discover, timeout) is { MessageType: DhcpMessageType.Offer } offer ? offer : null;
    }
}

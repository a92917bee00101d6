using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.RegularExpressions;
using NetBoot.Interop.Tests.Lab;
using NetBoot.Testing;
using NetBoot.Wire.Dhcp;
using NetBoot.Wire.Net;

namespace NetBoot.Interop.Tests.Dhcp;

/// <summary>Issue 18's directives on the wire: rapid commit with dhcpcd, a forced broadcast reply, option 82 matching and
/// the relay as server identifier through a relay socket.</summary>
[Trait("Category", "Interop")]
public sealed class ProtocolDirectiveTests
{
    private static readonly TimeSpan ClientLimit = TimeSpan.FromSeconds(40);
    private static readonly TimeSpan ReplyWait = TimeSpan.FromSeconds(5);

    [Fact]
    public async Task Dhcpcd_with_rapid_commit_is_acked_without_an_offer()
    {
        await using var lab = DhcpLab.Create();
        await lab.StartServerAsync("port=0\ndhcp-range=10.78.0.20,10.78.0.60,1h\ndhcp-rapid-commit\nno-ping\n");
        lab.Owns("/var/lib/dhcpcd/nbc0.lease");
        var conf = Path.Combine(lab.WorkDirectory, "dhcpcd.conf");
        await File.WriteAllTextAsync(conf, "option rapid_commit\n");

        var (_, output) = DhcpLab.RunClient(lab.Client, ClientLimit, "dhcpcd", "-4", "-1", "-B", "-f", conf, "-c", "/bin/true", "nbc0");

        var leased = Regex.Match(output, @"leased (\S+) for 3600 seconds");
        Assert.True(leased.Success, lab.Failure(output));
        await lab.ServerProcess.Log.WaitForAsync(new Regex($@"DHCPACK\(nbs0\) {Regex.Escape(leased.Groups[1].Value)} "), ReplyWait);
        Assert.False(lab.ServerProcess.Log.Contains(new Regex(@"DHCPOFFER\(nbs0\)")), lab.Failure("an OFFER was sent to a rapid-commit client"));
    }

    [Fact]
    public async Task Dhcp_broadcast_sends_the_offer_to_255_255_255_255_although_the_client_did_not_ask()
    {
        await using var lab = DhcpLab.Create();
        await lab.StartServerAsync("port=0\ndhcp-range=10.78.0.20,10.78.0.60,1h\ndhcp-broadcast\nno-ping\n");
        using var socket = lab.Client.Run(() =>
        {
            var s = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp) { EnableBroadcast = true };
            s.SetRawSocketOption(1, 25, Encoding.ASCII.GetBytes("nbc0\0")); // SO_BINDTODEVICE: no address, no route
            s.SetSocketOption(SocketOptionLevel.IP, SocketOptionName.PacketInformation, true);
            s.Bind(new IPEndPoint(IPAddress.Any, 68));
            return s;
        });
        var discover = DhcpMessage.CreateRequest(DhcpMessageType.Discover, HardwareAddress.Ethernet([0x52, 0x54, 0x00, 0x18, 0, 1]), 0x18001);
        Assert.False(discover.IsBroadcast);

        await socket.SendToAsync(DhcpMessageEncoder.Encode(discover), new IPEndPoint(IPAddress.Broadcast, 67));
        var buffer = new byte[1500];
        using var wait = new CancellationTokenSource(ReplyWait);
        var received = await socket.ReceiveMessageFromAsync(buffer, new IPEndPoint(IPAddress.Any, 0), wait.Token);

        Assert.True(DhcpMessageDecoder.TryDecode(buffer.AsSpan(0, received.ReceivedBytes), out var offer, out _), lab.Failure("undecodable reply"));
        Assert.Equal((DhcpMessageType.Offer, true), (offer.MessageType!.Value, offer.IsBroadcast));
        Assert.Equal(IPAddress.Broadcast, received.PacketInformation.Address);
    }

    [Fact]
    public async Task Shared_network_serves_an_interface_from_another_subnets_range()
    {
        await using var lab = DhcpLab.Create();
        // nbs0 is 10.78.0.1/24 and no range lies on that network: only shared-network makes it answer.
        await lab.StartServerAsync("port=0\ndhcp-range=10.88.0.20,10.88.0.30,255.255.255.0,1h\nshared-network=nbs0,10.88.0.1\nno-ping\n");

        // -B: the client asks for broadcast replies (the server has no route to the shared subnet's addresses).
        var (code, output) = DhcpLab.RunClient(lab.Client, ClientLimit, "busybox", "udhcpc", "-i", "nbc0", "-n", "-q", "-f", "-B", "-s", "/bin/true");

        var obtained = Regex.Match(output, @"lease of (10\.88\.0\.\d+) obtained from 10\.78\.0\.1");
        Assert.True(code == 0 && obtained.Success, lab.Failure(output));
        Assert.Equal(obtained.Groups[1].Value, Assert.Single(await lab.LeasesAsync()).Address);
    }

    [Fact]
    public async Task Bridge_interface_serves_an_unaddressed_alias_from_the_bridge_interfaces_range()
    {
        // [srv] nbr0 10.79.0.1/24 (a bridge without ports)   tap0 (no address) ── veth ── nbt0 [cli2]
        await using var lab = DhcpLab.Create();
        var client = lab.AddLink("tap0", "0.0.0.0/32", "nbt0");
        lab.Server.Exec("ip", "addr", "flush", "dev", "tap0");
        lab.Server.Exec("ip", "link", "add", "nbr0", "type", "bridge");
        lab.Server.Exec("ip", "addr", "add", "10.79.0.1/24", "dev", "nbr0");
        lab.Server.Exec("ip", "link", "set", "nbr0", "up");
        await lab.StartServerAsync("port=0\ndhcp-range=10.79.0.20,10.79.0.30,1h\nbridge-interface=nbr0,tap*\nno-ping\n");

        var (code, output) = DhcpLab.RunClient(client, ClientLimit, "busybox", "udhcpc", "-i", "nbt0", "-n", "-q", "-f", "-s", "/bin/true");

        // The only way to nbt0 is tap0: the reply left by the alias, with nbr0's address as server identifier.
        var obtained = Regex.Match(output, @"lease of (10\.79\.0\.(2\d|30)) obtained from 10\.79\.0\.1\b");
        Assert.True(code == 0 && obtained.Success, lab.Failure(output));
        // Decided as nbr0, as dnsmasq logs it.
        await lab.ServerProcess.Log.WaitForAsync(new Regex($@"DHCPACK\(nbr0\) {Regex.Escape(obtained.Groups[1].Value)} "), ReplyWait);
        Assert.Equal(obtained.Groups[1].Value, Assert.Single(await lab.LeasesAsync()).Address);
    }

    [Fact]
    public async Task Dhcp_relay_forwards_a_clients_dora_to_dnsmasq_on_another_network()
    {
        // [cli] nbc0 ── nbs0 10.78.0.1 [netboot relay] nbs1 10.82.0.1 ── nbu0 10.82.0.2 [dnsmasq, range 10.78.0.50-60]
        await using var lab = DhcpLab.Create();
        var upstream = lab.AddLink("nbs1", "10.82.0.1/24", "nbu0");
        upstream.Exec("ip", "addr", "add", "10.82.0.2/24", "dev", "nbu0");
        upstream.Exec("ip", "route", "add", "10.78.0.0/24", "via", "10.82.0.1");
        await using var dnsmasq = LabProcess.Start("dnsmasq", Path.Combine(lab.WorkDirectory, "dnsmasq.log"), "ip",
        [
            "netns", "exec", upstream.Name, "dnsmasq", "--keep-in-foreground", "--conf-file=/dev/null", "--port=0", "--user=root",
            "--log-facility=-", "--interface=nbu0", "--bind-interfaces", "--dhcp-range=10.78.0.50,10.78.0.60,255.255.255.0,1h",
            $"--dhcp-leasefile={Path.Combine(lab.WorkDirectory, "upstream.leases")}", $"--pid-file={Path.Combine(lab.WorkDirectory, "dnsmasq.pid")}",
        ]);
        await dnsmasq.Log.WaitForAsync(new Regex(@"DHCP, IP range 10\.78\.0\.50"), ReplyWait, 0, dnsmasq.EnsureRunning);
        await lab.StartServerAsync("port=0\ndhcp-relay=10.78.0.1,10.82.0.2\n");

        var (code, output) = DhcpLab.RunClient(lab.Client, ClientLimit, "busybox", "udhcpc", "-i", "nbc0", "-n", "-q", "-f", "-s", "/bin/true");

        var obtained = Regex.Match(output, @"lease of (10\.78\.0\.5\d|10\.78\.0\.60) obtained from 10\.82\.0\.2");
        Assert.True(code == 0 && obtained.Success, lab.Failure(output + "\n" + dnsmasq.Log.Tail()));
        await dnsmasq.Log.WaitForAsync(new Regex($@"DHCPACK\(nbu0\) {Regex.Escape(obtained.Groups[1].Value)} "), ReplyWait);
    }

    private static readonly IPv4Address Relay = IPv4Address.Parse("10.79.0.2");

    [Fact]
    public async Task Circuit_id_from_a_relay_sets_a_tag_and_dhcp_proxy_names_the_relay_as_server()
    {
        await using var lab = DhcpLab.Create();
        lab.Server.Exec("ip", "addr", "flush", "dev", "nbs0");
        lab.Server.Exec("ip", "addr", "add", "10.79.0.1/24", "dev", "nbs0");
        lab.Client.Exec("ip", "addr", "add", "10.79.0.2/24", "dev", "nbc0");
        await lab.StartServerAsync("""
            port=0
            dhcp-range=10.79.0.10,10.79.0.60,255.255.255.0,1h
            dhcp-circuitid=set:port7,port-7
            dhcp-option=tag:port7,option:domain-name,seven.example
            dhcp-proxy
            no-ping
            """);
        using var client = new RelayDoraClient(lab.Client.Run(() =>
        {
            var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
            socket.Bind(new IPEndPoint(IPAddress.Parse("10.79.0.2"), 67));
            return socket;
        }), Relay, new IPEndPoint(IPAddress.Parse("10.79.0.1"), 67));

        var onPort7 = await client.ExchangeAsync(RelayedDiscover(1, "port-7"), ReplyWait);
        var onPort8 = await client.ExchangeAsync(RelayedDiscover(2, "port-8"), ReplyWait);

        Assert.True(onPort7 is not null && onPort8 is not null, lab.Failure("no OFFER through the relay"));
        Assert.True(onPort7.Options.TryGetString(DhcpOptionCode.DomainName, out var domain), lab.Failure("port-7 got no domain name"));
        Assert.Equal("seven.example", domain.TrimEnd('\0'));
        Assert.False(onPort8.Options.Contains(DhcpOptionCode.DomainName));
        Assert.True(onPort7.Options.TryGetAddress(DhcpOptionCode.ServerIdentifier, out var server));
        Assert.Equal(Relay, server);
        Assert.True(onPort7.Options.TryGet(DhcpOptionCode.RelayAgentInformation, out var echoed));
        Assert.Equal(AgentInformation("port-7"), echoed.ToArray());
    }

    private static byte[] AgentInformation(string circuitId) => [1, (byte)circuitId.Length, .. Encoding.ASCII.GetBytes(circuitId)];

    private static DhcpMessage RelayedDiscover(int n, string circuitId)
    {
        var discover = DhcpMessage.CreateRequest(DhcpMessageType.Discover, RelayDoraClient.Mac(0x1800 + n), 0x1800_0000u + (uint)n) with { RelayAgentAddress = Relay, Hops = 1 };
        return discover with { Options = discover.Options.With(DhcpOptionCode.RelayAgentInformation, AgentInformation(circuitId)) };
    }
}

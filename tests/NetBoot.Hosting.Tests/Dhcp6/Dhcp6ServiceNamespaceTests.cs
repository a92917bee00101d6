using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging.Abstractions;
using NetBoot.Configuration.Parsing;
using NetBoot.Engine.Dhcp6;
using NetBoot.Hosting.Dhcp6;
using NetBoot.Leases;
using NetBoot.Testing;
using NetBoot.Wire.Dhcp6;
using NetBoot.Wire.Net;

namespace NetBoot.Hosting.Tests.Dhcp6;

/// <summary>The DHCPv6 service on real sockets: a server namespace and a client namespace joined by a veth pair, the client
/// a UDP socket on [::]:546 sending to ff02::1:2 as a client does. Root only.</summary>
[Trait("Category", "Namespace")]
public sealed class Dhcp6ServiceNamespaceTests : IDisposable
{
    private static readonly Duid ClientDuid = Duid.LinkLayer(HardwareAddress.Ethernet([0x52, 0x54, 0x00, 0x12, 0x34, 0x56]));

    private readonly NetworkNamespace _server = NetworkNamespace.Create("nb6srv");
    private readonly NetworkNamespace _client = NetworkNamespace.Create("nb6cli");
    private readonly CancellationTokenSource _stop = new(TimeSpan.FromMinutes(1));

    public Dhcp6ServiceNamespaceTests()
    {
        NetworkNamespace.Link(_server, "nb0", "10.96.0.1/24", _client, "nb1", "10.96.0.2/24");
        _server.Exec("ip", "-6", "addr", "add", "fd79::1/64", "dev", "nb0", "nodad");
    }

    /// <summary>A store whose commits become durable only when the test says so.</summary>
    private sealed class GatedStore : IIpv6LeaseStore
    {
        private readonly MemoryIpv6LeaseStore _inner = new();

        public TaskCompletionSource Gate { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Ipv6LeaseDecision Execute(Func<IIpv6LeaseView, Dhcp6Outcome> decide)
        {
            var decision = _inner.Execute(decide);
            return decision with { Durable = decision.Outcome.Changes.IsEmpty ? Task.CompletedTask : Gate.Task };
        }

        public IReadOnlyList<Ipv6Lease> Expire(DateTimeOffset now) => _inner.Expire(now);

        public IReadOnlyList<Ipv6Lease> Snapshot() => _inner.Snapshot();

        public Task FlushAsync() => Task.CompletedTask;

        public Duid ServerDuid(string serverName, Func<Duid> create, bool replace) => _inner.ServerDuid(serverName, create, replace);

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }

    private readonly NetBoot.Hosting.Status.StatusHost _status = new(new Configuration.Model.ServerConfig(), TimeProvider.System);

    private (Task Running, Dhcp6Service Service) StartServer(IIpv6LeaseStore store, CancellationToken? stop = null)
    {
        var loaded = DnsmasqConfigReader.Parse("port=0\ndhcp-range=fd79::100,fd79::1ff,64,1h\ndhcp-duid=43793,01:02:03:04\n", "dhcp6.conf");
        Assert.True(loaded.IsValid, string.Join("; ", loaded.Errors));
        var service = new Dhcp6Service(new ConfigSnapshot(loaded.Config!), NullLogger<Dhcp6Service>.Instance, TimeProvider.System, store,
            _status.Telemetry, () => _server.Run(Ipv6Interfaces.Read));
        // The socket is created synchronously inside RunAsync, on the namespace thread.
        return (_server.Run(() => service.RunAsync(stop ?? _stop.Token)), service);
    }

    private async Task<Socket> ClientSocketAsync()
    {
        await WaitForLinkLocalAsync(_server, "nb0");
        await WaitForLinkLocalAsync(_client, "nb1");
        return _client.Run(() =>
        {
            var socket = new Socket(AddressFamily.InterNetworkV6, SocketType.Dgram, ProtocolType.Udp);
            socket.Bind(new IPEndPoint(IPAddress.IPv6Any, Dhcp6Links.ClientPort));
            return socket;
        });
    }

    private static async Task WaitForLinkLocalAsync(NetworkNamespace ns, string device)
    {
        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (!ns.Exec("ip", "-6", "addr", "show", "dev", device, "scope", "link", "-tentative").Contains("inet6 fe80", StringComparison.Ordinal))
        {
            Assert.True(DateTime.UtcNow < deadline, $"{device} has no usable link-local address after 15 s");
            await Task.Delay(TimeSpan.FromMilliseconds(100));
        }
    }

    private IPEndPoint Servers() =>
        new(new IPAddress(Dhcp6Links.AllRelayAgentsAndServers.GetAddressBytes(), int.Parse(_client.Exec("cat", "/sys/class/net/nb1/ifindex").Trim(), System.Globalization.CultureInfo.InvariantCulture)), Dhcp6Links.ServerPort);

    private static Dhcp6Message Message(Dhcp6MessageType type, uint xid, Duid? server = null, IPv6Address? address = null)
    {
        var ia = new Dhcp6IaNa(7, TimeSpan.Zero, TimeSpan.Zero, address is { } a
            ? new Dhcp6OptionList([new Dhcp6IaAddress(a, TimeSpan.Zero, TimeSpan.Zero, Dhcp6OptionList.Empty).ToOption()])
            : Dhcp6OptionList.Empty);
        List<Dhcp6Option> options = [ClientDuid.ToOption(Dhcp6OptionCode.ClientId), Dhcp6Options.ElapsedTime(TimeSpan.Zero), ia.ToOption()];
        if (server is { } id)
        {
            options.Add(id.ToOption(Dhcp6OptionCode.ServerId));
        }
        return new Dhcp6Message { Type = type, TransactionId = xid, Options = new Dhcp6OptionList(options) };
    }

    /// <summary>Sends and waits for the answer to <paramref name="xid"/>, sending again every second (a datagram sent while
    /// the fresh link still comes up is lost, not an error).</summary>
    private async Task<Dhcp6Message> ExchangeAsync(Socket socket, Dhcp6Message request)
    {
        var buffer = new byte[1500];
        while (true)
        {
            await socket.SendToAsync(Dhcp6MessageEncoder.Encode(request), Servers(), _stop.Token);
            if (await ReceiveAsync(socket, buffer, request.TransactionId, TimeSpan.FromSeconds(1)) is { } reply)
            {
                return reply;
            }
        }
    }

    private async Task<Dhcp6Message?> ReceiveAsync(Socket socket, byte[] buffer, uint xid, TimeSpan limit)
    {
        using var wait = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
        wait.CancelAfter(limit);
        try
        {
            while (true)
            {
                var received = await socket.ReceiveFromAsync(buffer, new IPEndPoint(IPAddress.IPv6Any, 0), wait.Token);
                Assert.True(Dhcp6MessageDecoder.TryDecode(buffer.AsSpan(0, received.ReceivedBytes), out var packet, out var error), error.ToString());
                if (packet is Dhcp6Message { } message && message.TransactionId == xid)
                {
                    return message;
                }
            }
        }
        catch (OperationCanceledException) when (!_stop.IsCancellationRequested)
        {
            return null;
        }
    }

    [Fact]
    public async Task Solicit_is_advertised_and_the_reply_to_request_leaves_only_once_the_lease_is_durable()
    {
        var store = new GatedStore();
        _status.Metrics.ObserveIpv6Leases(() => Dhcp6Text.CountByState(store.Snapshot(), DateTimeOffset.UtcNow));
        using var exporter = new NetBoot.Hosting.Telemetry.PrometheusExporter(_status.Metrics.Meter);
        var (running, service) = StartServer(store);
        using var socket = await ClientSocketAsync();

        var advertise = await ExchangeAsync(socket, Message(Dhcp6MessageType.Solicit, 0x000101));

        Assert.Equal(Dhcp6MessageType.Advertise, advertise.Type);
        Assert.Equal(Duid.Enterprise(43793, [1, 2, 3, 4]), advertise.Options.ServerId);
        var offered = Assert.Single(Assert.Single(advertise.Options.IdentityAssociations).Addresses).Address;
        Assert.True(offered >= IPv6Address.Parse("fd79::100") && offered <= IPv6Address.Parse("fd79::1ff"), $"{offered} is not in the range");

        var request = Message(Dhcp6MessageType.Request, 0x000202, advertise.Options.ServerId, offered);
        await socket.SendToAsync(Dhcp6MessageEncoder.Encode(request), Servers(), _stop.Token);
        var buffer = new byte[1500];
        // The lease is decided and held, but not durable: no REPLY may leave.
        Assert.Null(await ReceiveAsync(socket, buffer, request.TransactionId, TimeSpan.FromSeconds(1)));
        Assert.Contains(store.Snapshot(), l => l.Address == offered && l.State == Ipv6LeaseState.Bound);

        store.Gate.SetResult();
        var reply = await ReceiveAsync(socket, buffer, request.TransactionId, TimeSpan.FromSeconds(5));

        Assert.NotNull(reply);
        Assert.Equal(Dhcp6MessageType.Reply, reply.Type);
        Assert.Equal(offered, Assert.Single(Assert.Single(reply.Options.IdentityAssociations).Addresses).Address);
        Assert.Equal(Duid.Enterprise(43793, [1, 2, 3, 4]), service.ServerDuid);
        // A reply is counted once sendmmsg returned, which may be just after the client has it.
        const string Replied = "netboot_dhcp6_replies_total{message_type=\"reply\"} 1\n";
        var counted = DateTime.UtcNow.AddSeconds(5);
        while (!exporter.Collect().Contains(Replied, StringComparison.Ordinal) && DateTime.UtcNow < counted)
        {
            await Task.Delay(10);
        }
        var metrics = exporter.Collect();
        Assert.Contains("netboot_dhcp6_requests_total{message_type=\"request\"} 1\n", metrics, StringComparison.Ordinal);
        Assert.Contains("netboot_dhcp6_replies_total{message_type=\"reply\"} 1\n", metrics, StringComparison.Ordinal);
        Assert.Contains("netboot_dhcp6_replies_total{message_type=\"advertise\"}", metrics, StringComparison.Ordinal);
        Assert.Contains("netboot_dhcp6_leases{state=\"bound\"} 1\n", metrics, StringComparison.Ordinal);
        await _stop.CancelAsync();
        await running;
    }

    [Fact]
    public async Task A_reply_whose_lease_commit_fails_is_not_sent_and_is_counted()
    {
        var store = new GatedStore();
        using var exporter = new NetBoot.Hosting.Telemetry.PrometheusExporter(_status.Metrics.Meter);
        var (running, _) = StartServer(store);
        using var socket = await ClientSocketAsync();
        var advertise = await ExchangeAsync(socket, Message(Dhcp6MessageType.Solicit, 0x000111));
        var offered = Assert.Single(Assert.Single(advertise.Options.IdentityAssociations).Addresses).Address;
        var request = Message(Dhcp6MessageType.Request, 0x000222, advertise.Options.ServerId, offered);
        await socket.SendToAsync(Dhcp6MessageEncoder.Encode(request), Servers(), _stop.Token);
        var buffer = new byte[1500];
        Assert.Null(await ReceiveAsync(socket, buffer, request.TransactionId, TimeSpan.FromSeconds(1)));

        store.Gate.SetException(new IOException("disk full"));

        // The loop learns of the failure (the drop is counted), and the REPLY never leaves (the client asks again).
        const string NotDurable = "netboot_dhcp6_drops_total{reason=\"not_durable\"} 1\n";
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!exporter.Collect().Contains(NotDurable, StringComparison.Ordinal))
        {
            Assert.True(DateTime.UtcNow < deadline, "the failed commit was not counted as a not_durable drop within 10 s");
            await Task.Delay(TimeSpan.FromMilliseconds(50));
        }
        Assert.Null(await ReceiveAsync(socket, buffer, request.TransactionId, TimeSpan.FromMilliseconds(500)));
        Assert.DoesNotContain("netboot_dhcp6_replies_total{message_type=\"reply\"}", exporter.Collect(), StringComparison.Ordinal);
        await _stop.CancelAsync();
        await running;
    }

    [Fact]
    public async Task Stopping_sends_the_reply_whose_commit_completes_during_the_drain()
    {
        var store = new GatedStore();
        using var stopServer = new CancellationTokenSource();
        var (running, _) = StartServer(store, stopServer.Token);
        using var socket = await ClientSocketAsync();
        var advertise = await ExchangeAsync(socket, Message(Dhcp6MessageType.Solicit, 0x000511));
        var offered = Assert.Single(Assert.Single(advertise.Options.IdentityAssociations).Addresses).Address;
        var request = Message(Dhcp6MessageType.Request, 0x000522, advertise.Options.ServerId, offered);
        await socket.SendToAsync(Dhcp6MessageEncoder.Encode(request), Servers(), _stop.Token);
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!store.Snapshot().Any(l => l.Address == offered && l.State == Ipv6LeaseState.Bound))
        {
            Assert.True(DateTime.UtcNow < deadline, "the REQUEST was not decided within 10 s");
            await Task.Delay(TimeSpan.FromMilliseconds(20));
        }

        // Stop asked while the REPLY waits for its commit; the commit completes during the drain.
        await stopServer.CancelAsync();
        store.Gate.SetResult();

        var buffer = new byte[1500];
        var reply = await ReceiveAsync(socket, buffer, request.TransactionId, TimeSpan.FromSeconds(5));
        Assert.NotNull(reply);
        Assert.Equal(Dhcp6MessageType.Reply, reply.Type);
        await running.WaitAsync(TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task Malformed_datagram_is_dropped_and_the_next_solicit_is_answered()
    {
        var (running, _) = StartServer(new MemoryIpv6LeaseStore());
        using var socket = await ClientSocketAsync();

        // A relay header cut short, then a valid SOLICIT.
        await socket.SendToAsync(new byte[] { 12, 0, 1, 2 }, Servers(), _stop.Token);
        var advertise = await ExchangeAsync(socket, Message(Dhcp6MessageType.Solicit, 0x000303));

        Assert.Equal(Dhcp6MessageType.Advertise, advertise.Type);
        Assert.False(running.IsCompleted);
        await _stop.CancelAsync();
        await running;
    }

    [Fact]
    public async Task Relay_forward_to_the_server_address_is_answered_by_relay_reply_to_the_relay_port()
    {
        // The relay's client link (fd7a::/64) is not on any interface of the server: only the relay's link-address names it.
        var loaded = DnsmasqConfigReader.Parse("port=0\ndhcp-range=fd79::100,fd79::1ff,64,1h\ndhcp-range=fd7a::100,fd7a::1ff,64,1h\n", "relay.conf");
        Assert.True(loaded.IsValid, string.Join("; ", loaded.Errors));
        var service = new Dhcp6Service(new ConfigSnapshot(loaded.Config!), NullLogger<Dhcp6Service>.Instance, TimeProvider.System, new MemoryIpv6LeaseStore(),
            readInterfaces: () => _server.Run(Ipv6Interfaces.Read));
        var running = _server.Run(() => service.RunAsync(_stop.Token));
        _client.Exec("ip", "-6", "addr", "add", "fd79::2/64", "dev", "nb1", "nodad");
        await WaitForLinkLocalAsync(_server, "nb0");
        using var relay = _client.Run(() =>
        {
            var socket = new Socket(AddressFamily.InterNetworkV6, SocketType.Dgram, ProtocolType.Udp);
            socket.Bind(new IPEndPoint(IPAddress.IPv6Any, Dhcp6Links.ServerPort));
            return socket;
        });
        var forward = new Dhcp6RelayMessage
        {
            Type = Dhcp6MessageType.RelayForward,
            HopCount = 0,
            LinkAddress = IPv6Address.Parse("fd7a::1"),
            PeerAddress = IPv6Address.Parse("fe80::5054:ff:fe12:3456"),
            Options = new Dhcp6OptionList([new Dhcp6Option(Dhcp6OptionCode.InterfaceId, [.. "port7"u8])]),
            Relayed = Message(Dhcp6MessageType.Solicit, 0x000404),
        };
        var buffer = new byte[1500];
        Dhcp6RelayMessage? answer = null;
        while (answer is null)
        {
            await relay.SendToAsync(Dhcp6MessageEncoder.Encode(forward), new IPEndPoint(IPAddress.Parse("fd79::1"), Dhcp6Links.ServerPort), _stop.Token);
            using var wait = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
            wait.CancelAfter(TimeSpan.FromSeconds(1));
            try
            {
                var received = await relay.ReceiveFromAsync(buffer, new IPEndPoint(IPAddress.IPv6Any, 0), wait.Token);
                Assert.True(Dhcp6MessageDecoder.TryDecode(buffer.AsSpan(0, received.ReceivedBytes), out var packet, out var error), error.ToString());
                answer = Assert.IsType<Dhcp6RelayMessage>(packet);
            }
            catch (OperationCanceledException) when (!_stop.IsCancellationRequested)
            {
            }
        }

        Assert.Equal(Dhcp6MessageType.RelayReply, answer.Type);
        Assert.Equal(forward.PeerAddress, answer.PeerAddress);
        Assert.True(answer.Options.TryGet(Dhcp6OptionCode.InterfaceId, out var interfaceId));
        Assert.Equal("port7"u8.ToArray(), interfaceId.Data.ToArray());
        var advertise = Assert.IsType<Dhcp6Message>(answer.Relayed);
        Assert.Equal(Dhcp6MessageType.Advertise, advertise.Type);
        var offered = Assert.Single(Assert.Single(advertise.Options.IdentityAssociations).Addresses).Address;
        Assert.True(offered >= IPv6Address.Parse("fd7a::100") && offered <= IPv6Address.Parse("fd7a::1ff"), $"{offered} is not in the relay's range");
        await _stop.CancelAsync();
        await running;
    }

    public void Dispose()
    {
        _stop.Cancel();
        _stop.Dispose();
        _status.Dispose();
        _client.Dispose();
        _server.Dispose();
    }
}

using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using NetBoot.Configuration.Parsing;
using NetBoot.Hosting.Dhcp;
using NetBoot.Hosting.Net;
using NetBoot.Hosting.Udp;
using NetBoot.Testing;
using NetBoot.Wire.Dhcp;
using NetBoot.Wire.Net;
using NetBoot.Wire.Pxe;

namespace NetBoot.Hosting.Tests.Dhcp;

/// <summary>The DHCP service on real sockets: a server namespace and a client namespace joined by a veth pair.
/// Root only; these run in the full suite (scripts/test), not in <c>--unit</c>.</summary>
[Trait("Category", "Namespace")]
public sealed class DhcpServiceNamespaceTests : IDisposable
{
    private static readonly HardwareAddress ClientMac = HardwareAddress.Ethernet([0x52, 0x54, 0x00, 0x12, 0x34, 0x56]);

    private readonly NetworkNamespace _server = NetworkNamespace.Create("nbsrv");
    private readonly NetworkNamespace _client = NetworkNamespace.Create("nbcli");
    private readonly CancellationTokenSource _stop = new(TimeSpan.FromMinutes(1));

    public DhcpServiceNamespaceTests() =>
        NetworkNamespace.Link(_server, "nb0", "10.99.0.1/24", _client, "nb1", "10.99.0.2/24");

    private const string LtspConfig = """
        port=0
        dhcp-boot=/ltsp/i386/pxelinux.0
        dhcp-option=17,/opt/ltsp/i386
        dhcp-option=vendor:PXEClient,6,2b
        dhcp-no-override
        pxe-prompt="Press F8 for boot menu", 3
        pxe-service=X86PC, "Boot from network", /ltsp/i386/pxelinux
        pxe-service=X86PC, "Boot from local hard disk", 0
        dhcp-range=10.99.0.0,proxy
        """;

    private Task StartServer()
    {
        var loaded = DnsmasqConfigReader.Parse(LtspConfig, "ltsp.conf");
        Assert.True(loaded.IsValid, string.Join("; ", loaded.Errors));
        var service = new DhcpService(new ConfigSnapshot(loaded.Config!), NullLogger<DhcpService>.Instance, TimeProvider.System);
        // Sockets are created synchronously inside RunAsync, on the namespace thread.
        return _server.Run(() => service.RunAsync(HostInterface.Enumerate(), _stop.Token));
    }

    private Socket ClientSocket() =>
        _client.Run(() => BoundUdpSocket.Open("nb1", IPAddress.Any, 68, allowBroadcast: true));

    private static DhcpMessage PxeRequest(DhcpMessageType type, ushort architecture) =>
        DhcpMessage.CreateRequest(type, ClientMac, 0x1234_5678) with
        {
            Flags = 0x8000,
            Options = DhcpOptionList.Empty
                .With(DhcpOptionCode.DhcpMessageType, [(byte)type])
                .With(DhcpOptionCode.ClientSystemArchitecture, [(byte)(architecture >> 8), (byte)architecture])
                .With(DhcpOptionCode.ClientNetworkInterfaceIdentifier, [1, 2, 1])
                .With(DhcpOptionCode.VendorClassIdentifier, Encoding.ASCII.GetBytes($"PXEClient:Arch:{architecture:D5}:UNDI:002001"))
                .With(DhcpOptionCode.ClientMachineIdentifier, [0, .. Enumerable.Range(1, 16).Select(i => (byte)i)]),
        };

    private async Task<DhcpMessage> ReceiveReply(Socket socket)
    {
        var buffer = new byte[1500];
        var received = await socket.ReceiveFromAsync(buffer, new IPEndPoint(IPAddress.Any, 0), _stop.Token);
        Assert.True(DhcpMessageDecoder.TryDecode(buffer.AsSpan(0, received.ReceivedBytes), out var reply, out var error), error.ToString());
        return reply;
    }

    [Fact]
    public async Task Pxe_discover_broadcast_gets_the_proxy_offer_with_the_menu_from_the_arrival_interface_address()
    {
        var server = StartServer();
        using var client = ClientSocket();
        var discover = DhcpMessageEncoder.Encode(PxeRequest(DhcpMessageType.Discover, 0));
        await client.SendToAsync(discover, new IPEndPoint(IPAddress.Broadcast, 67), _stop.Token);

        var offer = await ReceiveReply(client);

        Assert.Equal(DhcpMessageType.Offer, offer.MessageType);
        Assert.True(offer.Options.TryGetAddress(DhcpOptionCode.ServerIdentifier, out var serverId));
        Assert.Equal(IPv4Address.Parse("10.99.0.1"), serverId);
        Assert.True(offer.YourAddress.IsZero);
        Assert.True(offer.Options.TryGet(DhcpOptionCode.VendorSpecificInformation, out var pxe));
        Assert.True(PxeVendorOptions.TryDecode(pxe.AsSpan(), out var subOptions, out _));
        var menu = subOptions.First(s => s.Code == PxeSubOptionCode.BootMenu);
        Assert.True(PxeVendorOptions.TryReadBootMenu(menu.Data.AsSpan(), out var entries));
        Assert.Equal(["Boot from network", "Boot from local hard disk"], entries.Select(e => e.Description));
        Assert.False(offer.Options.Contains(DhcpOptionCode.RootPath));
        await _stop.CancelAsync();
        await server;
    }

    [Fact]
    public async Task Boot_server_request_on_4011_is_answered_with_the_boot_file_to_the_client_address()
    {
        var server = StartServer();
        using var client = ClientSocket();
        var request = PxeRequest(DhcpMessageType.Request, 0) with
        {
            Flags = 0,
            ClientAddress = IPv4Address.Parse("10.99.0.2"),
        };
        var bootItem = PxeVendorOptions.Encode([PxeVendorOptions.BootItem(new PxeBootItem(0x8000, 0))]);
        request = request with { Options = request.Options.With(DhcpOptionCode.VendorSpecificInformation, bootItem.AsSpan()) };
        await client.SendToAsync(DhcpMessageEncoder.Encode(request), new IPEndPoint(IPAddress.Parse("10.99.0.1"), 4011), _stop.Token);

        var ack = await ReceiveReply(client);

        Assert.Equal(DhcpMessageType.Ack, ack.MessageType);
        Assert.Equal("/ltsp/i386/pxelinux.0", ack.BootFileName);
        Assert.Equal(IPv4Address.Parse("10.99.0.2"), ack.YourAddress);
        await _stop.CancelAsync();
        await server;
    }

    [Fact]
    public async Task Malformed_and_truncated_packets_are_dropped_and_the_next_client_is_still_served()
    {
        var server = StartServer();
        using var client = ClientSocket();
        var broadcast = new IPEndPoint(IPAddress.Broadcast, 67);
        var valid = DhcpMessageEncoder.Encode(PxeRequest(DhcpMessageType.Discover, 0));
        byte[][] garbage =
        [
            [],
            [1, 2, 3],
            valid[..240],
            [.. valid[..236], 0x63, 0x82, 0x53, 0x63, 53, 200, 1],
            [.. Enumerable.Repeat((byte)0xFF, 600)],
        ];
        foreach (var datagram in garbage)
        {
            await client.SendToAsync(datagram, broadcast, _stop.Token);
        }
        await client.SendToAsync(valid, broadcast, _stop.Token);

        var offer = await ReceiveReply(client);

        Assert.Equal(DhcpMessageType.Offer, offer.MessageType);
        Assert.False(server.IsFaulted);
        await _stop.CancelAsync();
        await server;
    }

    public void Dispose()
    {
        _stop.Dispose();
        _client.Dispose();
        _server.Dispose();
    }
}

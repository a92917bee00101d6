using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.Logging;
using NetBoot.Configuration.Parsing;
using NetBoot.Engine.Pxe;
using NetBoot.Hosting.Dhcp;
using NetBoot.Hosting.Net;
using NetBoot.Hosting.Udp;
using NetBoot.Testing;
using NetBoot.Wire.Dhcp;
using NetBoot.Wire.Net;
using NetBoot.Wire.Pxe;

namespace NetBoot.Hosting.Tests.Dhcp;

/// <summary>The exchange lines the DHCP service writes on real sockets (with log-dhcp): what it answered and why it did
/// not, each value a field of its own, the rendered line in dnsmasq's wording. Root only, like
/// <see cref="DhcpServiceNamespaceTests"/>.</summary>
[Trait("Category", "Namespace")]
public sealed class DhcpExchangeLogNamespaceTests : IDisposable
{
    private static readonly HardwareAddress ClientMac = HardwareAddress.Ethernet([0x52, 0x54, 0x00, 0x12, 0x34, 0x57]);

    private readonly NetworkNamespace _server = NetworkNamespace.Create("nblsrv");
    private readonly NetworkNamespace _client = NetworkNamespace.Create("nblcli");
    private readonly CancellationTokenSource _stop = new(TimeSpan.FromMinutes(1));
    private readonly CapturingLogger _log = new();

    public DhcpExchangeLogNamespaceTests() =>
        NetworkNamespace.Link(_server, "nb0", "10.98.0.1/24", _client, "nb1", "10.98.0.2/24");

    private const string Config = """
        port=0
        log-dhcp
        pxe-prompt="Press F8 for boot menu", 3
        pxe-service=X86PC, "Boot from network", /ltsp/i386/pxelinux
        dhcp-range=10.98.0.0,proxy
        """;

    private sealed record Entry(int Id, string Text, IReadOnlyDictionary<string, object?> Fields);

    /// <summary>Keeps every line and completes the waits for one, so the test waits for the line instead of sleeping.</summary>
    private sealed class CapturingLogger : ILogger<DhcpService>
    {
        private readonly List<Entry> _entries = [];
        private readonly List<(Func<Entry, bool> Match, TaskCompletionSource<Entry> Found)> _waits = [];

        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var fields = state is IEnumerable<KeyValuePair<string, object?>> pairs ? pairs.ToDictionary(p => p.Key, p => p.Value) : [];
            var entry = new Entry(eventId.Id, formatter(state, exception), fields);
            lock (_entries)
            {
                _entries.Add(entry);
                foreach (var wait in _waits.Where(w => w.Match(entry)).ToList())
                {
                    wait.Found.TrySetResult(entry);
                    _waits.Remove(wait);
                }
            }
        }

        public Task<Entry> Next(Func<Entry, bool> match)
        {
            lock (_entries)
            {
                if (_entries.FirstOrDefault(match) is { } logged)
                {
                    return Task.FromResult(logged);
                }
                var found = new TaskCompletionSource<Entry>(TaskCreationOptions.RunContinuationsAsynchronously);
                _waits.Add((match, found));
                return found.Task;
            }
        }
    }

    private Task StartServer()
    {
        var loaded = DnsmasqConfigReader.Parse(Config, "pxe.conf");
        Assert.True(loaded.IsValid, string.Join("; ", loaded.Errors));
        var service = new DhcpService(new ConfigSnapshot(loaded.Config!), _log, TimeProvider.System);
        return _server.Run(() => service.RunAsync(HostInterface.Enumerate(), _stop.Token));
    }

    private Socket ClientSocket() =>
        _client.Run(() => BoundUdpSocket.Open("nb1", IPAddress.Any, 68, allowBroadcast: true));

    private static DhcpMessage Request(DhcpMessageType type, uint xid, string vendorClass) =>
        DhcpMessage.CreateRequest(type, ClientMac, xid) with
        {
            Flags = 0x8000,
            Options = DhcpOptionList.Empty
                .With(DhcpOptionCode.DhcpMessageType, [(byte)type])
                .With(DhcpOptionCode.ClientSystemArchitecture, [0, 0])
                .With(DhcpOptionCode.VendorClassIdentifier, Encoding.ASCII.GetBytes(vendorClass)),
        };

    /// <summary>Sends <paramref name="request"/> every second (as firmware does, RFC 2131 §4.1: a datagram sent while
    /// the fresh veth link comes up is lost) until the server logs the line <paramref name="match"/> looks for.</summary>
    private async Task<Entry> SendUntilLogged(Socket socket, DhcpMessage request, IPEndPoint server, Func<Entry, bool> match)
    {
        var logged = _log.Next(match);
        var bytes = DhcpMessageEncoder.Encode(request);
        while (!logged.IsCompleted)
        {
            await socket.SendToAsync(bytes, server, _stop.Token);
            await Task.WhenAny(logged, Task.Delay(TimeSpan.FromSeconds(1), _stop.Token));
        }
        return await logged;
    }

    [Fact]
    public async Task Answers_and_refusals_are_logged_with_each_value_as_a_field()
    {
        var server = StartServer();
        using var client = ClientSocket();
        var broadcast = new IPEndPoint(IPAddress.Broadcast, 67);

        var proxy = await SendUntilLogged(client, Request(DhcpMessageType.Discover, 1, "PXEClient:Arch:00000:UNDI:002001"), broadcast,
            e => e.Id == 1107);
        var notPxe = await SendUntilLogged(client, Request(DhcpMessageType.Discover, 2, "MSFT 5.0"), broadcast,
            e => e.Id == 1127);
        var bootRequest = Request(DhcpMessageType.Request, 3, "PXEClient:Arch:00000:UNDI:002001") with { Flags = 0, ClientAddress = IPv4Address.Parse("10.98.0.2") };
        bootRequest = bootRequest with
        {
            Options = bootRequest.Options.With(DhcpOptionCode.VendorSpecificInformation,
                PxeVendorOptions.Encode([PxeVendorOptions.BootItem(new PxeBootItem(0x1234, 0))]).AsSpan()),
        };
        var noService = await SendUntilLogged(client, bootRequest, new IPEndPoint(IPAddress.Parse("10.98.0.1"), 4011), e => e.Id == 1123);

        Assert.Equal("1 PXE(nb0) 52:54:00:12:34:57 proxy [DHCPDISCOVER on 67, arch 0 X86Bios, PXEClient:Arch:00000:UNDI:002001]", proxy.Text);
        Assert.Equal((ushort)0, proxy.Fields["ClientArchitecture"]);
        Assert.Equal("nb0", proxy.Fields["Interface"]);
        Assert.Equal("2 DHCP(nb0) 52:54:00:12:34:57 no reply: NotPxeVendorClass (MSFT 5.0) [DHCPDISCOVER on 67]", notPxe.Text);
        Assert.Equal(ProxySilenceReason.NotPxeVendorClass, notPxe.Fields["Reason"]);
        Assert.Equal("MSFT 5.0", notPxe.Fields["VendorClass"]);
        Assert.Equal("3 PXE(nb0) 52:54:00:12:34:57 no reply: NoServiceOfType (boot item 0x1234 layer 0) [DHCPREQUEST on 4011]", noService.Text);
        Assert.Equal(ProxySilenceReason.NoServiceOfType, noService.Fields["Reason"]);
        Assert.Equal((ushort)0x1234, noService.Fields["BootItemType"]);
        // log-dhcp: the client's vendor class follows a no-reply line too.
        await _log.Next(e => e.Id == 1103 && e.Text == "2 vendor class: MSFT 5.0");
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

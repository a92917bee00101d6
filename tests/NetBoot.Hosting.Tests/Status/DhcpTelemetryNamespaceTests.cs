using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging.Abstractions;
using NetBoot.Configuration.Model;
using NetBoot.Configuration.Parsing;
using NetBoot.Hosting.Dhcp;
using NetBoot.Hosting.Net;
using NetBoot.Hosting.Status;
using NetBoot.Hosting.Telemetry;
using NetBoot.Leases;
using NetBoot.Hosting.Tests.Dhcp;
using NetBoot.Wire.Dhcp;
using NetBoot.Wire.Net;

namespace NetBoot.Hosting.Tests.Status;

/// <summary>Full DHCP on real sockets in namespaces with the SQLite store, reporting to telemetry: after one DORA the
/// exposition counts requests and replies in mode <c>full</c>, a lease commit latency, and one address used in the
/// pool; the tracker has the client at "ack" with its address.</summary>
[Trait("Category", "Namespace")]
public sealed class DhcpTelemetryNamespaceTests : IDisposable
{
    private readonly RelayLab _lab = new("nt", 97);

    public void Dispose() => _lab.Dispose();

    [Fact]
    public async Task A_dora_is_counted_in_full_mode_with_commit_latency_and_pool_use()
    {
        var loaded = DnsmasqConfigReader.Parse("port=0\ndhcp-range=10.97.0.50,10.97.0.60,1h\ndashboard-listen=9168\n", "telemetry.conf");
        Assert.True(loaded.IsValid, string.Join("; ", loaded.Errors));
        var config = loaded.Config! with { Status = new StatusConfig { Dashboard = loaded.Config!.Status.Dashboard } };
        using var status = new StatusHost(config, TimeProvider.System);
        using var exporter = new PrometheusExporter(status.Metrics.Meter);
        await using var store = SqliteLeaseStore.Open(Path.Combine(_lab.WorkDirectory, "leases.sqlite"));
        var snapshot = new ConfigSnapshot(config with { Status = new StatusConfig() });
        await status.RunAsync(snapshot, store, NullLogger.Instance, _lab.Stop.Token);
        var service = new DhcpService(snapshot, NullLogger<DhcpService>.Instance, TimeProvider.System, store, status.Telemetry);
        var server = _lab.Server.Run(() => service.RunAsync(HostInterface.Enumerate(), _lab.Stop.Token));
        using var socket = _lab.RelaySocket();

        var offer = await Exchange(socket, Relayed(DhcpMessageType.Discover));
        var ack = await Exchange(socket, Relayed(DhcpMessageType.Request,
            (DhcpOptionCode.RequestedIPAddress, offer.YourAddress.ToBytes()), (DhcpOptionCode.ServerIdentifier, [10, 97, 0, 1])));
        Assert.Equal(DhcpMessageType.Ack, ack.MessageType);

        var text = exporter.Collect();
        Assert.Contains("netboot_dhcp_requests_total{message_type=\"discover\",mode=\"full\"} 1\n", text, StringComparison.Ordinal);
        Assert.Contains("netboot_dhcp_replies_total{message_type=\"offer\",mode=\"full\"} 1\n", text, StringComparison.Ordinal);
        Assert.Contains("netboot_dhcp_replies_total{message_type=\"ack\",mode=\"full\"} 1\n", text, StringComparison.Ordinal);
        Assert.Contains("netboot_dhcp_lease_commit_duration_seconds_count ", text, StringComparison.Ordinal);
        Assert.Contains("netboot_dhcp_pool_size{range=\"10.97.0.50-10.97.0.60\"} 11\n", text, StringComparison.Ordinal);
        Assert.Contains("netboot_dhcp_pool_used{range=\"10.97.0.50-10.97.0.60\"} 1\n", text, StringComparison.Ordinal);

        var client = status.Telemetry.Clients.Clients["02:00:00:00:00:07"];
        Assert.Equal("ack", client.StageText);
        Assert.Contains(ack.YourAddress, client.Addresses);
        await _lab.Stop.CancelAsync();
        await server;
    }

    private static DhcpMessage Relayed(DhcpMessageType type, params (DhcpOptionCode Code, byte[] Data)[] options)
    {
        var message = DhcpMessage.CreateRequest(type, HardwareAddress.Ethernet([2, 0, 0, 0, 0, 7]), 0x7007)
            with { RelayAgentAddress = IPv4Address.Parse("10.97.0.2") };
        return message with { Options = options.Aggregate(message.Options, (list, o) => list.With(o.Code, o.Data)) };
    }

    private async Task<DhcpMessage> Exchange(Socket socket, DhcpMessage message)
    {
        await socket.SendToAsync(DhcpMessageEncoder.Encode(message), new IPEndPoint(IPAddress.Parse("10.97.0.1"), 67), _lab.Stop.Token);
        var buffer = new byte[1500];
        var received = await socket.ReceiveFromAsync(buffer, new IPEndPoint(IPAddress.Any, 0), _lab.Stop.Token);
        Assert.True(DhcpMessageDecoder.TryDecode(buffer.AsSpan(0, received.ReceivedBytes), out var reply, out var error), error.ToString());
        return reply;
    }
}

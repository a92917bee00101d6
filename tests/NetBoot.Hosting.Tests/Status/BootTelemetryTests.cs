using NetBoot.Configuration.Model;
using NetBoot.Engine;
using NetBoot.Hosting.Status;
using NetBoot.Hosting.Telemetry;
using NetBoot.Wire.Dhcp;
using NetBoot.Wire.Net;
using NetBoot.Wire.Pxe;

namespace NetBoot.Hosting.Tests.Status;

public sealed class BootTelemetryTests : IDisposable
{
    private static readonly ArrivalInterface Lan = new("lan0", 2, IPv4Address.Parse("10.0.0.1"), IPv4Address.Parse("255.255.255.0"));

    private readonly StatusHost _off = new(new ServerConfig(), TimeProvider.System);
    private readonly StatusHost _tracking = new(new ServerConfig
    {
        Status = new StatusConfig { Dashboard = new ListenEndpoint(IPv4Address.Parse("127.0.0.1"), 9168) },
    }, TimeProvider.System);

    public void Dispose()
    {
        _off.Dispose();
        _tracking.Dispose();
    }

    private static DhcpRequest Discover(int client, ushort port = 67) => new(
        DhcpMessage.CreateRequest(DhcpMessageType.Discover, HardwareAddress.Ethernet([2, 0, 0, 0, (byte)(client >> 8), (byte)client]), 1),
        Lan, default, 68, port);

    private static SendReply ProxyOffer(DhcpRequest request) => new(
        DhcpMessage.CreateRequest(DhcpMessageType.Offer, request.Message.ClientHardwareAddress, 1),
        ReplyDestination.BroadcastOn(2, 68), ReplyAnswer.Proxy(0));

    [Fact]
    public void Counting_a_decision_allocates_nothing_when_only_metrics_are_on()
    {
        using var exporter = new PrometheusExporter(_off.Metrics.Meter);
        var request = Discover(1);
        var offer = ProxyOffer(request);
        var ignored = new NoReply(NoReplyReason.NotAPxeClient);
        for (var i = 0; i < 100; i++)
        {
            _off.Telemetry.DhcpDecided(request, offer, hasLeaseStore: false);
            _off.Telemetry.DhcpDecided(request, ignored, hasLeaseStore: false);
        }

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 10_000; i++)
        {
            _off.Telemetry.DhcpDecided(request, offer, hasLeaseStore: false);
            _off.Telemetry.DhcpDecided(request, ignored, hasLeaseStore: false);
        }
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(0, allocated);
        Assert.Contains("netboot_dhcp_replies_total{message_type=\"offer\",mode=\"proxy\"} 10100\n", exporter.Collect(), StringComparison.Ordinal);
        Assert.Contains("netboot_dhcp_drops_total{reason=\"not_a_pxe_client\"} 10100\n", exporter.Collect(), StringComparison.Ordinal);
        Assert.Empty(_off.Telemetry.Clients.Clients);
    }

    [Fact]
    public void A_storm_of_new_clients_keeps_the_tracker_bounded()
    {
        for (var i = 0; i < 3 * BootTelemetry.MaxClients; i++)
        {
            var request = Discover(i);
            _tracking.Telemetry.DhcpDecided(request, ProxyOffer(request), hasLeaseStore: false);
        }
        Assert.InRange(_tracking.Telemetry.Clients.Clients.Count, 1, 2 * BootTelemetry.MaxClients);
    }

    [Fact]
    public void A_4011_request_is_counted_in_mode_4011_and_moves_the_client_there()
    {
        using var exporter = new PrometheusExporter(_tracking.Metrics.Meter);
        var request = Discover(5, DhcpRequest.PxePort) with { SourceAddress = IPv4Address.Parse("10.0.0.77") };
        var ack = new SendReply(DhcpMessage.CreateRequest(DhcpMessageType.Ack, request.Message.ClientHardwareAddress, 1),
            new ReplyDestination(IPv4Address.Parse("10.0.0.77"), 4011, false, 2), ReplyAnswer.BootServer(new PxeBootItem(0x8000, 0), 0));

        _tracking.Telemetry.DhcpDecided(request, ack, hasLeaseStore: false);

        Assert.Contains("netboot_dhcp_replies_total{message_type=\"ack\",mode=\"4011\"} 1\n", exporter.Collect(), StringComparison.Ordinal);
        var client = _tracking.Telemetry.Clients.Clients["02:00:00:00:00:05"];
        Assert.Equal("4011", client.StageText);
        Assert.Contains(IPv4Address.Parse("10.0.0.77"), client.Addresses);
    }
}

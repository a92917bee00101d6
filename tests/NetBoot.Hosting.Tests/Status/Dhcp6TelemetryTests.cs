using System.Buffers;
using System.Net;
using System.Text;
using NetBoot.Configuration.Model;
using NetBoot.Engine.Dhcp6;
using NetBoot.Hosting.Status;
using NetBoot.Wire.Dhcp6;
using NetBoot.Wire.Net;

namespace NetBoot.Hosting.Tests.Status;

public sealed class Dhcp6TelemetryTests : IDisposable
{
    private static readonly Duid Client = Duid.LinkLayer(HardwareAddress.Ethernet([0x52, 0x54, 0, 0x12, 0x34, 0x56]));
    private static readonly IPAddress LinkLocal = IPAddress.Parse("fe80::5054:ff:fe12:3456");
    private const string Url = "tftp://[2001:db8::1]/ipxe.efi";

    private readonly StatusHost _tracking = new(new ServerConfig
    {
        Status = new StatusConfig { Dashboard = new ListenEndpoint(IPv4Address.Parse("127.0.0.1"), 9168) },
    }, TimeProvider.System);

    public void Dispose() => _tracking.Dispose();

    private static Dhcp6Message Request() => new()
    {
        Type = Dhcp6MessageType.Request,
        TransactionId = 7,
        Options = Dhcp6OptionList.Empty.Add(Client.ToOption(Dhcp6OptionCode.ClientId))
            .Add(Dhcp6Option.Create(Dhcp6OptionCode.ClientArchitectureType, [0, 7])),
    };

    private static Dhcp6Send Reply(string address)
    {
        var ia = new Dhcp6IaNa(1, TimeSpan.FromMinutes(30), TimeSpan.FromMinutes(45), Dhcp6OptionList.Empty.Add(
            new Dhcp6IaAddress(IPv6Address.Parse(address), TimeSpan.FromHours(1), TimeSpan.FromHours(2), Dhcp6OptionList.Empty).ToOption()));
        var reply = new Dhcp6Message
        {
            Type = Dhcp6MessageType.Reply,
            TransactionId = 7,
            Options = Dhcp6OptionList.Empty.Add(ia.ToOption()).Add(Dhcp6Option.Create(Dhcp6OptionCode.BootfileUrl, Encoding.UTF8.GetBytes(Url))),
        };
        return new Dhcp6Send(reply, "REPLY(lan0) " + address);
    }

    [Fact]
    public void A_dhcpv6_reply_and_an_ipv6_http_transfer_are_one_client_row_with_its_addresses_and_boot_file()
    {
        _tracking.Telemetry.Dhcp6Decided(Request(), LinkLocal, Reply("2001:db8::5"));
        _tracking.Telemetry.HttpStarted(IPAddress.Parse("2001:db8::5"), "/ipxe.efi", 10);
        _tracking.Telemetry.HttpEnded(IPAddress.Parse("2001:db8::5"), "/ipxe.efi", 200, 10, System.Diagnostics.Stopwatch.GetTimestamp(), null);

        var client = Assert.Single(_tracking.Telemetry.Clients.Clients.Values);
        Assert.Equal("52:54:00:12:34:56", client.Key);
        Assert.Equal("done", client.StageText);
        Assert.Equal("uefi-x64", client.Architecture);
        Assert.Equal(["fe80::5054:ff:fe12:3456", "2001:db8::5"], client.Addresses.Select(a => a.ToString()));
        Assert.Contains(client.History, h => h.Text == $"REQUEST (DHCPv6) -> REPLY 2001:db8::5 boot file {Url}");
    }

    [Fact]
    public void A_relayed_request_does_not_give_the_client_the_relays_address()
    {
        var relayed = new Dhcp6RelayMessage
        {
            LinkAddress = IPv6Address.Parse("2001:db8:1::1"),
            PeerAddress = IPv6Address.FromIPAddress(LinkLocal),
            Relayed = Request(),
        };

        _tracking.Telemetry.Dhcp6Decided(relayed, IPAddress.Parse("2001:db8:1::1"), Reply("2001:db8:1::5"));

        var client = Assert.Single(_tracking.Telemetry.Clients.Clients.Values);
        Assert.Equal(["2001:db8:1::5"], client.Addresses.Select(a => a.ToString()));
    }

    [Fact]
    public void The_dashboard_json_shows_the_ipv6_addresses_and_the_boot_file_url()
    {
        _tracking.Telemetry.Dhcp6Decided(Request(), LinkLocal, Reply("2001:db8::5"));
        var buffer = new ArrayBufferWriter<byte>();

        DashboardJson.Write(buffer, DateTimeOffset.UtcNow, _tracking.Telemetry.Clients, [], [], []);

        var json = Encoding.UTF8.GetString(buffer.WrittenSpan);
        Assert.Contains("\"key\":\"52:54:00:12:34:56\"", json, StringComparison.Ordinal);
        Assert.Contains("\"addresses\":\"fe80::5054:ff:fe12:3456 2001:db8::5\"", json, StringComparison.Ordinal);
        Assert.Contains($"\"file\":\"{Url}\"", json, StringComparison.Ordinal);
    }
}

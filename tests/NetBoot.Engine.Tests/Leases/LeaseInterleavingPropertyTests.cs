using NetBoot.Engine.Tests.Dhcp;
using NetBoot.Wire.Dhcp;
using NetBoot.Wire.Net;
using static NetBoot.Engine.Tests.Dhcp.Messages;

namespace NetBoot.Engine.Tests.Leases;

/// <summary>Random interleavings of many clients' messages against a small pool: an outside model of every ACK checks
/// that no address is ever held by two clients at once, that none lies outside the range, and that released addresses
/// are handed out again.</summary>
public class LeaseInterleavingPropertyTests
{
    private static readonly IPv4Address Start = IPv4Address.Parse("192.168.67.20");
    private static readonly IPv4Address End = IPv4Address.Parse("192.168.67.31");
    private const int Clients = 20;

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    [InlineData(6)]
    [InlineData(7)]
    [InlineData(8)]
    public void No_address_is_leased_twice_or_outside_its_range(int seed)
    {
        var random = new Random(seed);
        var harness = new LeaseHarness(LeaseHarness.OwnedConfig(Start.ToString(), End.ToString()) with { Authoritative = seed % 2 == 0 });
        var model = new AckModel();
        var offers = new Dictionary<int, IPv4Address>();

        for (var step = 0; step < 4000; step++)
        {
            var client = random.Next(Clients);
            var mac = Mac(client);
            var held = model.AddressOf(client, harness.Now);
            switch (random.Next(8))
            {
                case 0:
                    if (harness.Send(Discover(mac)).Decision is SendReply offer)
                    {
                        offers[client] = offer.Message.YourAddress;
                    }
                    break;
                case 1 when offers.Remove(client, out var offered):
                    Observe(harness.Send(Selecting(mac, offered, LeaseHarness.Server)).Decision, client, model, harness.Now);
                    break;
                case 2:
                    var guess = new IPv4Address(Start.Value + (uint)random.Next(14) - 1);
                    Observe(harness.Send(InitReboot(mac, held ?? guess)).Decision, client, model, harness.Now);
                    break;
                case 3 when held is { } renewing:
                    Observe(harness.Send(Renewing(mac, renewing)).Decision, client, model, harness.Now);
                    break;
                case 4 when held is { } releasing:
                    harness.Send(Release(mac, releasing, LeaseHarness.Server));
                    model.Forget(client);
                    break;
                case 5 when held is { } declined && random.Next(10) == 0:
                    harness.Send(Decline(mac, declined, LeaseHarness.Server));
                    model.Forget(client);
                    break;
                case 6:
                    harness.Now += TimeSpan.FromMinutes(random.Next(1, 120));
                    break;
                default:
                    break;
            }
        }

        // Released addresses are reusable: once every client lets go, fresh clients fill the whole pool.
        for (var client = 0; client < Clients; client++)
        {
            if (model.AddressOf(client, harness.Now) is { } address)
            {
                harness.Send(Release(Mac(client), address, LeaseHarness.Server));
            }
        }
        harness.Now += TimeSpan.FromMinutes(11);
        var fresh = Enumerable.Range(1000, 12).Select(i => harness.Dora(Mac(i))).ToHashSet();
        Assert.Equal(12, fresh.Count);
    }

    private static void Observe(Decision decision, int client, AckModel model, DateTimeOffset now)
    {
        if (decision is not SendReply { Message.MessageType: DhcpMessageType.Ack } ack)
        {
            return;
        }
        var address = ack.Message.YourAddress;
        Assert.InRange(address.Value, Start.Value, End.Value);
        var seconds = ack.Message.Options.TryGetUInt32(DhcpOptionCode.IPAddressLeaseTime, out var s) ? s : 0;
        model.Bind(client, address, now + TimeSpan.FromSeconds(seconds), now);
    }

    /// <summary>What clients were told: address → holder and expiry.</summary>
    private sealed class AckModel
    {
        private readonly Dictionary<IPv4Address, (int Client, DateTimeOffset Expires)> _held = [];

        public IPv4Address? AddressOf(int client, DateTimeOffset now) =>
            _held.Where(h => h.Value.Client == client && h.Value.Expires > now).Select(h => (IPv4Address?)h.Key).FirstOrDefault();

        public void Bind(int client, IPv4Address address, DateTimeOffset expires, DateTimeOffset now)
        {
            if (_held.TryGetValue(address, out var other) && other.Client != client && other.Expires > now)
            {
                Assert.Fail($"{address} ACKed to client {client} while client {other.Client} holds it until {other.Expires}");
            }
            Forget(client);
            _held[address] = (client, expires);
        }

        public void Forget(int client)
        {
            foreach (var address in _held.Where(h => h.Value.Client == client).Select(h => h.Key).ToList())
            {
                _held.Remove(address);
            }
        }
    }
}

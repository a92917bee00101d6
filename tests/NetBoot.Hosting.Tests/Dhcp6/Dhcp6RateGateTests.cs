using System.Net;
using Microsoft.Extensions.Time.Testing;
using NetBoot.Configuration.Model;
using NetBoot.Engine.Dhcp6;
using NetBoot.Hosting.Dhcp;
using NetBoot.Hosting.Dhcp6;
using NetBoot.Hosting.Tests.Http;
using NetBoot.Leases;
using NetBoot.Wire.Dhcp6;
using NetBoot.Wire.Net;

namespace NetBoot.Hosting.Tests.Dhcp6;

public sealed class Dhcp6RateGateTests
{
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly ServerConfig Limited = new() { DhcpRateLimit = new DhcpRateLimitConfig(5, 100) };
    private static readonly IPAddress Laptop = IPAddress.Parse("fe80::bad");

    private readonly FakeTimeProvider _time = new(T0);
    private readonly RecordingLogger<Dhcp6Service> _logger = new();
    private readonly MemoryIpv6LeaseStore _leases = new();
    private readonly Dhcp6RateGate _gate;

    public Dhcp6RateGateTests() => _gate = new Dhcp6RateGate(new DhcpRateGate(_logger, _time), _leases);

    private static Duid RandomDuid(int n) => Duid.Enterprise(32473, [(byte)(n >> 24), (byte)(n >> 16), (byte)(n >> 8), (byte)n]);

    private static Dhcp6Message Solicit(Duid duid, uint iaid = 1) => new()
    {
        Type = Dhcp6MessageType.Solicit,
        TransactionId = 1,
        Options = Dhcp6OptionList.Empty.Add(duid.ToOption(Dhcp6OptionCode.ClientId))
            .Add(new Dhcp6IaNa(iaid, TimeSpan.Zero, TimeSpan.Zero, Dhcp6OptionList.Empty).ToOption()),
    };

    private static IPAddress Source(int n) => IPAddress.Parse($"fe80::{(n >> 16) + 1:x}:{n & 0xffff:x}");

    [Fact]
    public void Random_duids_from_one_address_spend_that_address_budget_and_another_client_is_still_admitted()
    {
        var admitted = Enumerable.Range(0, 5000).Count(n => _gate.Admit("eth0", Limited, Laptop, Solicit(RandomDuid(n))));

        Assert.Equal(5 * DhcpRateLimitConfig.BurstSeconds, admitted);
        Assert.True(_gate.Admit("eth0", Limited, IPAddress.Parse("fe80::600d"), Solicit(RandomDuid(-1))), "another client is shed with the flood");
        Assert.Equal("DHCP rate limit reached on eth0 port 547", Assert.Single(_logger.Lines)[..40]);
    }

    [Fact]
    public void Random_duids_from_random_addresses_spend_the_new_client_budget_but_a_client_with_a_lease_passes()
    {
        var known = Duid.LinkLayer(HardwareAddress.Ethernet([0x52, 0x54, 0, 0, 0, 1]));
        _leases.Execute(_ => new Dhcp6Outcome(new Dhcp6Drop(Dhcp6DropReason.NoMatchingRange, "seed"),
            [new Ipv6LeaseUpsert(new Ipv6Lease(known, 7, IPv6Address.Parse("2001:db8::5"), TimeSpan.FromHours(1), TimeSpan.FromHours(1), T0.AddHours(1), Ipv6LeaseState.Bound))]));

        var admitted = Enumerable.Range(0, 5000).Count(n => _gate.Admit("eth0", Limited, Source(n), Solicit(RandomDuid(n))));

        Assert.Equal(100 * DhcpRateLimitConfig.BurstSeconds, admitted);
        Assert.True(_gate.Admit("eth0", Limited, Source(9999), Solicit(known, iaid: 7)), "a client with a lease is shed with the flood");
        Assert.False(_gate.Admit("eth0", Limited, Source(9998), Solicit(known, iaid: 8)), "a request for an IA the client holds no lease for passed the spent new-client budget");
    }

    [Fact]
    public void The_budget_refills_with_time()
    {
        var duid = RandomDuid(1);
        Assert.Equal(20, Enumerable.Range(0, 100).Count(_ => _gate.Admit("eth0", Limited, Laptop, Solicit(duid))));

        _time.Advance(TimeSpan.FromSeconds(1));

        Assert.Equal(5, Enumerable.Range(0, 100).Count(_ => _gate.Admit("eth0", Limited, Laptop, Solicit(duid))));
    }

    [Fact]
    public void A_relayed_request_is_charged_to_the_client_behind_the_relay_not_to_the_relay()
    {
        var relay = IPAddress.Parse("2001:db8:1::1");
        Dhcp6RelayMessage Relayed(int n) => new()
        {
            LinkAddress = IPv6Address.Parse("2001:db8:1::1"),
            PeerAddress = IPv6Address.FromIPAddress(Source(n)),
            Relayed = Solicit(RandomDuid(n)),
        };

        var admitted = Enumerable.Range(0, 50).Count(n => _gate.Admit("eth0", Limited, relay, Relayed(n)));

        Assert.Equal(50, admitted);
        Assert.Equal("fe80::1:7", Dhcp6RateGate.ClientAddress(Relayed(7), relay));
    }

    [Fact]
    public void Off_admits_everything_and_logs_nothing()
    {
        var off = new ServerConfig { DhcpRateLimit = DhcpRateLimitConfig.Off };

        Assert.All(Enumerable.Range(0, 1000), n => Assert.True(_gate.Admit("eth0", off, Laptop, Solicit(RandomDuid(n)))));
        Assert.Empty(_logger.Lines);
    }
}

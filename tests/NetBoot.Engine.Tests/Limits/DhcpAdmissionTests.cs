using NetBoot.Configuration.Model;
using NetBoot.Configuration.Parsing;
using NetBoot.Engine.Leases;
using NetBoot.Engine.Limits;
using NetBoot.Wire.Dhcp;
using NetBoot.Wire.Net;

namespace NetBoot.Engine.Tests.Limits;

public sealed class DhcpAdmissionTests
{
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private static HardwareAddress Mac(int n) => HardwareAddress.Ethernet([0x02, 0, 0, (byte)(n >> 16), (byte)(n >> 8), (byte)n]);

    [Fact]
    public void A_client_gets_its_burst_then_its_rate()
    {
        var gate = new DhcpAdmission(new DhcpRateLimitConfig(5, 0));
        var burst = 5 * DhcpRateLimitConfig.BurstSeconds;
        Assert.All(Enumerable.Range(0, burst), _ => Assert.Equal(Admission.Admitted, gate.Admit(Mac(1), false, T0)));
        Assert.Equal(Admission.ClientOverLimit, gate.Admit(Mac(1), false, T0));
        // Another client is not affected; after 200 ms (one token at 5/s) the first may send one more.
        Assert.Equal(Admission.Admitted, gate.Admit(Mac(2), false, T0));
        Assert.Equal(Admission.Admitted, gate.Admit(Mac(1), false, T0.AddMilliseconds(200)));
        Assert.Equal(Admission.ClientOverLimit, gate.Admit(Mac(1), false, T0.AddMilliseconds(200)));
    }

    [Fact]
    public void A_flood_of_new_clients_spends_only_the_new_client_budget_known_clients_pass()
    {
        var gate = new DhcpAdmission(new DhcpRateLimitConfig(5, 100));
        var admitted = Enumerable.Range(0, 10_000).Count(n => gate.Admit(Mac(n), false, T0) == Admission.Admitted);
        Assert.Equal(100 * DhcpRateLimitConfig.BurstSeconds, admitted);
        Assert.Equal(Admission.NewClientsOverLimit, gate.Admit(Mac(20_000), false, T0));
        Assert.Equal(Admission.Admitted, gate.Admit(Mac(20_001), true, T0));
        // One second later, 100 more new clients.
        Assert.Equal(100, Enumerable.Range(30_000, 1000).Count(n => gate.Admit(Mac(n), false, T0.AddSeconds(1)) == Admission.Admitted));
    }

    [Fact]
    public void The_client_table_stays_bounded_under_a_flood_of_random_macs()
    {
        var gate = new DhcpAdmission(new DhcpRateLimitConfig(5, 0), clientCapacity: 1000);
        var now = T0;
        var noisyAdmitted = 0;
        for (var n = 0; n < 200_000; n++)
        {
            now = now.AddMicroseconds(50); // 20 000 new MACs a second for 10 s
            Assert.Equal(Admission.Admitted, gate.Admit(Mac(n), false, now));
            Assert.InRange(gate.TrackedClients, 0, 1000);
            if (n % 10 == 0 && gate.Admit(Mac(999_999), true, now) == Admission.Admitted)
            {
                noisyAdmitted++;
            }
        }
        // One noisy client among them (2000/s) is still held near its 5/s while the table churns: its bucket is busy,
        // so sweeps keep it.
        Assert.InRange(noisyAdmitted, 50, 200);
    }

    [Fact]
    public void Off_admits_everything()
    {
        var gate = new DhcpAdmission(DhcpRateLimitConfig.Off);
        Assert.All(Enumerable.Range(0, 50_000), n => Assert.Equal(Admission.Admitted, gate.Admit(Mac(n % 3), false, T0)));
    }

    [Fact]
    public void Known_means_a_lease_in_any_state_or_a_dhcp_host()
    {
        var config = DnsmasqConfigReader.Parse("dhcp-host=02:00:00:00:00:07,10.0.0.7\ndhcp-host=id:01:02:03,10.0.0.8\ndhcp-host=02:00:00:*:*:09,10.0.0.9", "t.conf").Config!;
        var table = new LeaseTable();
        var leased = DhcpMessage.CreateRequest(DhcpMessageType.Request, Mac(5), 1);
        table.Put(new Lease(IPv4Address.Parse("10.0.0.50"), ClientKey.Of(leased), Mac(5), [], null, T0.AddHours(1), LeaseState.Offered));

        Assert.True(DhcpAdmission.IsKnown(leased, config, table));
        Assert.True(DhcpAdmission.IsKnown(DhcpMessage.CreateRequest(DhcpMessageType.Discover, Mac(7), 1), config, null));
        Assert.True(DhcpAdmission.IsKnown(DhcpMessage.CreateRequest(DhcpMessageType.Discover, Mac(0x0a0b09), 1), config, null));
        var withId = DhcpMessage.CreateRequest(DhcpMessageType.Discover, Mac(8), 1);
        withId = withId with { Options = withId.Options.With(DhcpOptionCode.ClientIdentifier, [1, 2, 3]) };
        Assert.True(DhcpAdmission.IsKnown(withId, config, null));
        Assert.False(DhcpAdmission.IsKnown(DhcpMessage.CreateRequest(DhcpMessageType.Discover, Mac(6), 1), config, table));
    }
}

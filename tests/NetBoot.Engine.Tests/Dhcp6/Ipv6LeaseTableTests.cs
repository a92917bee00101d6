using NetBoot.Engine.Dhcp6;
using NetBoot.Wire.Dhcp6;
using NetBoot.Wire.Net;

namespace NetBoot.Engine.Tests.Dhcp6;

/// <summary>The table's DUID+IAID index agrees with its address key through every kind of change.</summary>
public sealed class Ipv6LeaseTableTests
{
    private static readonly Duid A = Duid.Enterprise(343, [1]);
    private static readonly Duid B = Duid.Enterprise(343, [2]);
    private static readonly DateTimeOffset Expires = new(2026, 12, 7, 9, 0, 0, TimeSpan.Zero);

    private static Ipv6Lease Lease(Duid duid, uint iaid, string address) =>
        new(duid, iaid, IPv6Address.Parse(address), TimeSpan.FromHours(1), TimeSpan.FromHours(1), Expires, Ipv6LeaseState.Bound);

    [Fact]
    public void Client_lookup_follows_upserts_moves_and_removals()
    {
        var table = new Ipv6LeaseTable();
        table.Apply([new Ipv6LeaseUpsert(Lease(A, 1, "2001:db8::20")), new Ipv6LeaseUpsert(Lease(A, 1, "2001:db8::10")), new Ipv6LeaseUpsert(Lease(A, 2, "2001:db8::30"))]);
        Assert.Equal(["2001:db8::10", "2001:db8::20"], table.ByClient(A, 1).Select(l => l.Address.ToString()));

        // The address passes to another client: it leaves A's list.
        table.Apply([new Ipv6LeaseUpsert(Lease(B, 1, "2001:db8::20"))]);
        Assert.Equal(["2001:db8::10"], table.ByClient(A, 1).Select(l => l.Address.ToString()));
        Assert.Equal(["2001:db8::20"], table.ByClient(B, 1).Select(l => l.Address.ToString()));

        // A removal naming a client that no longer holds the address changes nothing.
        table.Apply([new Ipv6LeaseRemoval(Lease(A, 1, "2001:db8::20"))]);
        Assert.Single(table.ByClient(B, 1));

        table.Apply([new Ipv6LeaseRemoval(Lease(A, 1, "2001:db8::10")), new Ipv6LeaseRemoval(Lease(A, 2, "2001:db8::30"))]);
        Assert.Empty(table.ByClient(A, 1));
        Assert.Empty(table.ByClient(A, 2));
        Assert.Equal(1, table.Count);
    }
}

using NetBoot.Engine.Dhcp6;
using NetBoot.Engine.Leases;
using NetBoot.Wire.Dhcp6;
using NetBoot.Wire.Net;

namespace NetBoot.Engine.Tests.Leases;

/// <summary>The DHCPv6 side of <see cref="DurabilityRule"/>: which outcomes a store carries out only while it can make
/// leases durable (a shared database out of reach pauses them).</summary>
public class Dhcp6DurabilityRuleTests
{
    private static readonly Ipv6Lease Lease = new(Duid.LinkLayer(HardwareAddress.Ethernet([0x52, 0x54, 0, 0, 0, 1])), 1,
        IPv6Address.Parse("2001:db8::10"), TimeSpan.FromMinutes(30), TimeSpan.FromHours(1), DateTimeOffset.UnixEpoch, Ipv6LeaseState.Bound);

    private static Dhcp6Outcome Send(Dhcp6MessageType type, params Dhcp6Option[] options) =>
        new(new Dhcp6Send(new Dhcp6Message { Type = type, Options = new Dhcp6OptionList(options) }, "test"));

    [Fact]
    public void A_lease_change_needs_the_store_whatever_the_reply()
    {
        Assert.True(DurabilityRule.NeedsDurableStore(new Dhcp6Outcome(new Dhcp6Drop(Dhcp6DropReason.Malformed, new Dhcp6Silence(Dhcp6SilenceReason.NoDecision)), [new Ipv6LeaseUpsert(Lease)])));
        Assert.True(DurabilityRule.NeedsDurableStore(new Dhcp6Outcome(new Dhcp6Drop(Dhcp6DropReason.Malformed, new Dhcp6Silence(Dhcp6SilenceReason.NoDecision)), [new Ipv6LeaseRemoval(Lease)])));
    }

    [Fact]
    public void An_advertise_or_reply_about_addresses_needs_the_store_even_without_a_change()
    {
        // A REPLY to RENEW saying NoBinding rests on the lease view, which may be stale while the database is away.
        Assert.True(DurabilityRule.NeedsDurableStore(Send(Dhcp6MessageType.Reply, Dhcp6Option.Create(Dhcp6OptionCode.IaNa, new byte[12]))));
        Assert.True(DurabilityRule.NeedsDurableStore(Send(Dhcp6MessageType.Advertise, Dhcp6Option.Create(Dhcp6OptionCode.IaNa, new byte[12]))));
    }

    [Fact]
    public void A_reply_without_addresses_and_a_drop_without_changes_go_on()
    {
        Assert.False(DurabilityRule.NeedsDurableStore(Send(Dhcp6MessageType.Reply, Dhcp6Option.Empty(Dhcp6OptionCode.RapidCommit))));
        Assert.False(DurabilityRule.NeedsDurableStore(new Dhcp6Outcome(new Dhcp6Drop(Dhcp6DropReason.ForAnotherServer, new Dhcp6Silence(Dhcp6SilenceReason.NoDecision)))));
    }
}

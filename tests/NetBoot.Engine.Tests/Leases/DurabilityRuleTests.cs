using NetBoot.Engine.Leases;
using NetBoot.Engine.Tests.Dhcp;
using NetBoot.Wire.Dhcp;
using NetBoot.Wire.Net;
using static NetBoot.Engine.Tests.DecisionAssert;
using static NetBoot.Engine.Tests.Dhcp.Messages;

namespace NetBoot.Engine.Tests.Leases;

/// <summary>Which outcomes a store may carry out only while it can make leases durable (leasing pauses otherwise).</summary>
public class DurabilityRuleTests
{
    private static readonly IPv4Address Server = LeaseHarness.Server;

    [Fact]
    public void An_offer_of_an_address_and_an_ack_need_the_store()
    {
        var harness = new LeaseHarness(LeaseHarness.OwnedConfig());
        var offer = harness.Send(Discover(Mac(1)));
        var ack = harness.Send(Selecting(Mac(1), Reply(offer.Decision).Message.YourAddress, Server));

        Assert.True(DurabilityRule.NeedsDurableStore(offer));
        Assert.True(DurabilityRule.NeedsDurableStore(ack));
        // The OFFER of an address the client already holds carries no change, and still needs the store: its ACK would.
        var again = harness.Send(Discover(Mac(1)));
        Assert.Null(again.Change);
        Assert.True(DurabilityRule.NeedsDurableStore(again));
    }

    [Fact]
    public void A_nak_needs_the_store()
    {
        var harness = new LeaseHarness(LeaseHarness.OwnedConfig() with { Authoritative = true });
        var nak = harness.Send(InitReboot(Mac(1), IPv4Address.Parse("10.9.9.9")));

        Assert.Equal(DhcpMessageType.Nak, Reply(nak.Decision).Message.MessageType);
        Assert.True(DurabilityRule.NeedsDurableStore(nak));
    }

    [Fact]
    public void An_inform_ack_and_silence_without_a_change_do_not()
    {
        var harness = new LeaseHarness(LeaseHarness.OwnedConfig());
        var inform = harness.Send(Inform(Mac(1), IPv4Address.Parse("192.168.67.9")));
        var silent = new DhcpOutcome(new NoReply(NoReplyReason.NotForUs));

        Assert.Equal(DhcpMessageType.Ack, Reply(inform.Decision).Message.MessageType);
        Assert.False(DurabilityRule.NeedsDurableStore(inform));
        Assert.False(DurabilityRule.NeedsDurableStore(silent));
    }

    [Fact]
    public void A_release_needs_the_store()
    {
        var harness = new LeaseHarness(LeaseHarness.OwnedConfig());
        var address = harness.Dora(Mac(1));

        var release = harness.Send(Release(Mac(1), address, Server));

        Assert.IsType<NoReply>(release.Decision);
        Assert.True(DurabilityRule.NeedsDurableStore(release));
    }
}

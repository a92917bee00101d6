using NetBoot.Configuration.Model;
using NetBoot.Engine.Dhcp;
using NetBoot.Engine.Leases;
using NetBoot.Wire.Dhcp;
using NetBoot.Wire.Net;
using static NetBoot.Engine.Tests.DecisionAssert;
using static NetBoot.Engine.Tests.Dhcp.Messages;

namespace NetBoot.Engine.Tests.Dhcp;

/// <summary>Probe-then-offer as two pure decisions: the DISCOVER's decision asks for a probe (<see cref="DhcpOutcome.ProbeFirst"/>);
/// the probe's result is the input of the second (<see cref="FullDhcpResponder.Probed"/>). The harness's clock is the
/// only time either reads.</summary>
public class ProbeThenOfferTests
{
    private static LeaseHarness Harness() => new(LeaseHarness.OwnedConfig() with { SequentialIp = true });

    private static ProbeVerdict Probed(LeaseHarness harness, IPv4Address address, HardwareAddress client, bool answered)
    {
        var verdict = FullDhcpResponder.Probed(harness.Leases, address, client, answered, harness.Now);
        if (verdict.Outcome.Change is { } change)
        {
            harness.Leases.Apply(change);
        }
        return verdict;
    }

    [Fact]
    public void A_new_address_is_offered_only_after_a_probe_and_a_silent_probe_sends_that_offer_unchanged()
    {
        var harness = Harness();
        var first = harness.Send(Discover(Mac(1)));
        var probed = first.ProbeFirst!.Value;
        Assert.Equal(Reply(first.Decision).Message.YourAddress, probed);
        var version = harness.Leases.Version;

        var verdict = Probed(harness, probed, Mac(1), answered: false);

        Assert.Equal(ProbeNext.SendOffer, verdict.Next);
        Assert.Null(verdict.Outcome.Change);
        Assert.Equal(version, harness.Leases.Version);
        Assert.Equal(LeaseState.Offered, harness.Leases.ByAddress(probed)!.State);
    }

    [Fact]
    public void An_answered_probe_quarantines_the_address_and_the_decision_again_probes_another()
    {
        var harness = Harness();
        var probed = harness.Send(Discover(Mac(1))).ProbeFirst!.Value;

        var verdict = Probed(harness, probed, Mac(1), answered: true);
        var again = harness.Send(Discover(Mac(1)));

        Assert.Equal(ProbeNext.DecideAgain, verdict.Next);
        var quarantine = Assert.IsType<LeaseUpsert>(verdict.Outcome.Change).Lease;
        Assert.Equal(LeaseState.Declined, quarantine.State);
        Assert.Equal(harness.Now + FullDhcpResponder.InUseQuarantine, quarantine.Expires);
        var next = again.ProbeFirst!.Value;
        Assert.NotEqual(probed, next);
        Assert.Equal(next, Reply(again.Decision).Message.YourAddress);
    }

    [Fact]
    public void The_quarantine_ends_with_its_time_and_the_address_is_offered_again()
    {
        var harness = Harness();
        var probed = harness.Send(Discover(Mac(1))).ProbeFirst!.Value;
        Probed(harness, probed, Mac(1), answered: true);

        harness.Now += FullDhcpResponder.InUseQuarantine - TimeSpan.FromSeconds(1);
        Assert.NotEqual(probed, harness.Send(Discover(Mac(2))).ProbeFirst);
        harness.Now += TimeSpan.FromSeconds(1) + FullDhcpResponder.OfferHold;

        Assert.Equal(probed, harness.Send(Discover(Mac(3))).ProbeFirst);
    }

    [Fact]
    public void An_answer_for_an_address_bound_meanwhile_sends_nothing_and_changes_nothing()
    {
        var harness = Harness();
        var probed = harness.Send(Discover(Mac(1))).ProbeFirst!.Value;
        Assert.Equal(DhcpMessageType.Ack, Reply(harness.Send(Selecting(Mac(1), probed, LeaseHarness.Server)).Decision).Message.MessageType);

        var verdict = Probed(harness, probed, Mac(1), answered: true);

        Assert.Equal(ProbeNext.Drop, verdict.Next);
        Assert.Null(verdict.Outcome.Change);
        Assert.Equal(LeaseState.Bound, harness.Leases.ByAddress(probed)!.State);
    }
}

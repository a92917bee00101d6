using Microsoft.Extensions.Time.Testing;
using NetBoot.Hosting.Ra;

namespace NetBoot.Hosting.Tests.Ra;

public sealed class SolicitationGateTests
{
    [Fact]
    public void Solicitations_beyond_the_limit_in_one_second_are_not_answered_and_the_next_second_starts_afresh()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 12, 7, 6, 0, 0, TimeSpan.Zero));
        var gate = new SolicitationGate(clock, perSecond: 3);

        Assert.Equal([true, true, true, false], Enumerable.Range(0, 4).Select(_ => gate.TryAnswer(2)).ToArray());
        Assert.True(gate.TryAnswer(3)); // another interface has its own share
        clock.Advance(TimeSpan.FromSeconds(1));
        Assert.True(gate.TryAnswer(2));
    }
}

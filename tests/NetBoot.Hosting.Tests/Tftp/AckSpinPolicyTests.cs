using System.Net;
using System.Net.Sockets;
using NetBoot.Hosting.Tftp;
using NetBoot.Wire.Tftp;

namespace NetBoot.Hosting.Tests.Tftp;

/// <summary>The poll-before-sleep of a lock-step transfer: when it polls, when it backs off, and that a link that
/// polls still receives the ACK and still answers a stranger with ERROR 5 (loopback only).</summary>
public sealed class AckSpinPolicyTests
{
    [Fact]
    public void Polls_while_the_ACK_is_caught()
    {
        var policy = new AckSpinPolicy();
        for (var i = 0; i < 100; i++)
        {
            Assert.True(policy.ShouldSpin());
            policy.Record(AckSpinOutcome.Caught);
        }
    }

    [Fact]
    public void Backs_off_after_consecutive_misses_then_tries_again()
    {
        var policy = new AckSpinPolicy();
        for (var i = 0; i < AckSpinPolicy.MissesBeforeBackoff; i++)
        {
            Assert.True(policy.ShouldSpin());
            policy.Record(AckSpinOutcome.Missed);
        }
        for (var i = 0; i < AckSpinPolicy.BackoffWaits; i++)
        {
            Assert.False(policy.ShouldSpin());
        }
        Assert.True(policy.ShouldSpin());
    }

    [Fact]
    public void A_catch_resets_the_miss_count()
    {
        var policy = new AckSpinPolicy();
        for (var round = 0; round < 10; round++)
        {
            for (var i = 0; i < AckSpinPolicy.MissesBeforeBackoff - 1; i++)
            {
                Assert.True(policy.ShouldSpin());
                policy.Record(AckSpinOutcome.Missed);
            }
            Assert.True(policy.ShouldSpin());
            policy.Record(AckSpinOutcome.Caught);
        }
    }

    [Theory]
    [InlineData(null, AckSpinPolicy.DefaultSpinMicroseconds)]
    [InlineData("", AckSpinPolicy.DefaultSpinMicroseconds)]
    [InlineData("0", 0)]
    [InlineData("40", 40)]
    [InlineData("-5", AckSpinPolicy.DefaultSpinMicroseconds)]
    [InlineData("5000", AckSpinPolicy.DefaultSpinMicroseconds)]
    [InlineData("abc", AckSpinPolicy.DefaultSpinMicroseconds)]
    public void Poll_time_comes_from_the_environment_setting(string? setting, int expected) =>
        Assert.Equal(expected, AckSpinPolicy.SpinMicroseconds(setting));
}

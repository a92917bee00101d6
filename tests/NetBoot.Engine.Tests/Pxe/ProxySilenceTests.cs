using NetBoot.Engine.Pxe;
using NetBoot.Wire.Net;
using NetBoot.Wire.Pxe;

namespace NetBoot.Engine.Tests.Pxe;

/// <summary>Every case of the proxy path's silence belongs to one drop counter and reads as words on the dashboard,
/// with the value it is about.</summary>
public sealed class ProxySilenceTests
{
    public static TheoryData<ProxySilenceReason> Reasons() => [.. Enum.GetValues<ProxySilenceReason>()];

    [Theory]
    [MemberData(nameof(Reasons))]
    public void Every_case_has_a_drop_reason_and_words(ProxySilenceReason reason)
    {
        var silence = new ProxySilence(reason);

        Assert.True(Enum.IsDefined(silence.DropReason));
        Assert.False(string.IsNullOrWhiteSpace(silence.Describe()));
        Assert.Equal(silence, NoReply.Of(silence).Proxy);
        Assert.Equal(silence.DropReason, NoReply.Of(silence).Reason);
    }

    [Fact]
    public void The_values_appear_in_the_words()
    {
        Assert.Equal("no dhcp-range with 'proxy' on the client's network (via relay 10.1.0.1)",
            new ProxySilence(ProxySilenceReason.NoProxyRange, IPv4Address.Parse("10.1.0.1")).Describe());
        Assert.Equal("10.98.0.2: boot file asked from an address in no dhcp-range served here",
            new ProxySilence(ProxySilenceReason.ClientAddressNotServed, IPv4Address.Parse("10.98.0.2")).Describe());
        Assert.Equal("boot item 0x1234 layer 0: no pxe-service has that type",
            new ProxySilence(ProxySilenceReason.NoServiceOfType, BootItem: new PxeBootItem(0x1234, 0)).Describe());
        Assert.Equal("htype 1 hlen 0: not a client NetBoot can tell apart",
            new ProxySilence(ProxySilenceReason.UnusableHardwareAddress, HardwareType: 1, HardwareAddressLength: 0).Describe());
    }
}

using NetBoot.Engine.Ra;
using NetBoot.Hosting.Ra;
using NetBoot.Hosting.Tests.Http;
using NetBoot.Wire.Icmp6;

namespace NetBoot.Hosting.Tests.Ra;

/// <summary>The router-advertisement lines that say why not name the reason as a value (the planner's
/// <see cref="RaNotSentReason"/>, the decoder's <see cref="Icmp6DecodeError"/>), not as a sentence.</summary>
public sealed class RaLogFieldsTests
{
    private readonly RecordingLogger<RouterAdvertisementService> _log = new();

    [Fact]
    public void No_advertisement_on_an_interface_names_the_planners_reason_as_an_enum_field()
    {
        RaLog.NotAdvertising(_log, "eth1", RaNotSentReason.NoRaModeRangeMatches);

        var line = Assert.Single(_log.Lines);
        Assert.Equal("no router advertisements on eth1: NoRaModeRangeMatches", line);
        Assert.Equal(RaNotSentReason.NoRaModeRangeMatches, _log.EntryOf(line).Fields["Reason"]);
    }

    [Fact]
    public void A_malformed_solicitation_names_the_decoders_reason_as_an_enum_field()
    {
        RaLog.Malformed(_log, "fe80::1", "eth0", Icmp6DecodeError.TooShort);

        var line = Assert.Single(_log.Lines);
        Assert.Equal("malformed router solicitation from fe80::1 on eth0 dropped: TooShort", line);
        Assert.Equal(Icmp6DecodeError.TooShort, _log.EntryOf(line).Fields["Reason"]);
    }
}

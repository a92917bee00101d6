using NetBoot.Configuration.Model;

namespace NetBoot.Configuration.Tests.Tftp;

public class TftpDirectiveEffectTests
{
    [Theory]
    [InlineData("tftp-secure")]
    [InlineData("tftp-unique-root")]
    [InlineData("tftp-unique-root=ip")]
    [InlineData("tftp-unique-root=mac")]
    [InlineData("tftp-port-range=5000,5100")]
    [InlineData("tftp-single-port")]
    [InlineData("tftp-mtu=1400")]
    [InlineData("tftp-no-blocksize")]
    [InlineData("tftp-lowercase")]
    [InlineData("tftp-max=300")]
    [InlineData("quiet-tftp")]
    [InlineData("tftp-follow-symlinks")]
    [InlineData("tftp-cache-size=16")]
    [InlineData("tftp-busy-poll=0")]
    public void Tftp_directives_are_in_effect_without_a_notice(string line) =>
        Assert.DoesNotContain(ConfigAssert.Valid(line).Notices, n => n.Kind == ConfigNoticeKind.NotInEffect);

    [Fact]
    public void Symlinks_outside_the_root_are_refused_unless_tftp_follow_symlinks()
    {
        Assert.False(ConfigAssert.Valid("tftp-root=/srv/tftp").Tftp.FollowSymlinksOutsideRoot);
        Assert.True(ConfigAssert.Valid("tftp-follow-symlinks").Tftp.FollowSymlinksOutsideRoot);
    }

    [Fact]
    public void Cache_size_is_in_mebibytes_with_a_default_of_16() =>
        Assert.Equal((16, 8), (new TftpConfig().CacheMegabytes, ConfigAssert.Valid("tftp-cache-size=8").Tftp.CacheMegabytes));

    [Fact]
    public void Busy_poll_is_in_microseconds_with_its_default_and_zero_turns_it_off()
    {
        Assert.Equal(TimeSpan.FromMicroseconds(TftpConfig.DefaultBusyPollMicroseconds), new TftpConfig().BusyPoll);
        Assert.Equal(TimeSpan.FromMicroseconds(250), ConfigAssert.Valid("tftp-busy-poll=250").Tftp.BusyPoll);
        Assert.Equal(TimeSpan.Zero, ConfigAssert.Valid("tftp-busy-poll=0").Tftp.BusyPoll);
    }

    [Theory]
    [InlineData("tftp-busy-poll=1001")]
    [InlineData("tftp-busy-poll=-1")]
    [InlineData("tftp-busy-poll=100us")]
    public void Busy_poll_out_of_range_or_not_a_number_is_an_error_at_its_line(string line)
    {
        var error = ConfigAssert.Error("tftp-max=50\n" + line, "bad tftp-busy-poll", line: 2);
        Assert.Contains("up to 1000", error.Hint, StringComparison.Ordinal);
    }

    [Fact]
    public void Busy_poll_may_be_given_once() =>
        Assert.Equal(new SourceLocation(ConfigAssert.File, 2), ConfigAssert.SingleError("tftp-busy-poll=10\ntftp-busy-poll=20").Source);
}

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
}

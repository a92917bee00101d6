using NetBoot.Hosting.Status;

namespace NetBoot.Hosting.Tests.Status;

/// <summary>The Host check (DNS rebinding) and the token comparison of the metrics and dashboard ports.</summary>
public class StatusAccessTests
{
    private static readonly string[] Names = ["netboot01", "netboot.example.org"];

    [Theory]
    [InlineData("127.0.0.1:9168", true)]
    [InlineData("192.168.1.10:9168", true)]
    [InlineData("192.168.1.10", true)]
    [InlineData("[::1]:9168", true)]
    [InlineData("localhost:9168", true)]
    [InlineData("LocalHost.", true)]
    [InlineData("netboot01:9167", true)]
    [InlineData("NETBOOT.example.org", true)]
    [InlineData("netboot.example.org.:9168", true)]
    [InlineData("", true)]
    [InlineData(null, true)]
    [InlineData("evil.example", false)]
    [InlineData("evil.example:9168", false)]
    [InlineData("netboot01.evil.example", false)]
    [InlineData("127.0.0.1.evil.example", false)]
    [InlineData("localhost.evil.example", false)]
    [InlineData("1.2.3", false)]
    [InlineData("256.1.1.1", false)]
    [InlineData("[evil.example]:80", false)]
    [InlineData("localhost:http", false)]
    [InlineData("::1", false)]
    public void Only_addresses_localhost_and_known_names_are_answered(string? host, bool allowed) =>
        Assert.Equal(allowed, StatusAccess.IsAllowedHost(host, arrivedOnLoopback: true, Names));

    [Fact]
    public void Localhost_is_a_name_only_for_a_request_that_arrived_on_loopback()
    {
        Assert.False(StatusAccess.IsAllowedHost("localhost:9168", arrivedOnLoopback: false, Names));
        Assert.True(StatusAccess.IsAllowedHost("10.0.0.2:9168", arrivedOnLoopback: false, Names));
    }

    [Theory]
    [InlineData("s3cret", true)]
    [InlineData("s3cre", false)]
    [InlineData("s3cret2", false)]
    [InlineData("S3cret", false)]
    [InlineData("", false)]
    [InlineData("s3cret\0", false)]
    public void Only_the_exact_token_matches(string given, bool matches) =>
        Assert.Equal(matches, StatusAccess.TokenMatches(given, "s3cret"));

    [Fact]
    public void The_token_is_compared_as_a_digest_of_the_same_length_whatever_the_guess()
    {
        // FixedTimeEquals returns at once when lengths differ; comparing 32-byte digests removes that signal.
        Assert.All(new[] { "", "a", "s3cret", new string('x', 10_000) }, guess => Assert.Equal(32, StatusAccess.Digest(guess).Length));
    }
}

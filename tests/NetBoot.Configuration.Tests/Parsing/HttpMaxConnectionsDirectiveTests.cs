using NetBoot.Configuration.Model;
using NetBoot.Configuration.Summary;

namespace NetBoot.Configuration.Tests.Parsing;

public sealed class HttpMaxConnectionsDirectiveTests
{
    [Theory]
    [InlineData("http-port=8080", HttpConfig.DefaultMaxConnections, HttpConfig.DefaultMaxConnectionsPerClient)]
    [InlineData("http-port=8080\nhttp-max-connections=500", 500, HttpConfig.DefaultMaxConnectionsPerClient)]
    [InlineData("http-port=8080\nhttp-max-connections=500,4", 500, 4)]
    [InlineData("http-port=8080\nhttp-max-connections=0,0", 0, 0)]
    public void Total_and_per_client_limits(string text, int total, int perClient)
    {
        var config = ConfigAssert.Valid(text);
        Assert.Equal((total, perClient), (config.Http.MaxConnections, config.Http.MaxConnectionsPerClient));
        Assert.DoesNotContain(config.Notices, n => n.Directive == "http-max-connections");
    }

    [Fact]
    public void The_limits_alone_do_not_turn_the_http_server_on() =>
        Assert.False(ConfigAssert.Valid("http-max-connections=100,2").Http.IsEnabled);

    [Theory]
    [InlineData("http-max-connections=many")]
    [InlineData("http-max-connections=1,2,3")]
    [InlineData("http-max-connections=-5")]
    [InlineData("http-max-connections=100,")]
    [InlineData("http-max-connections=99999999")]
    public void Bad_values_say_how_to_write_it(string line) =>
        Assert.Contains("http-max-connections=2048,32", ConfigAssert.Error(line, "bad http-max-connections").Hint);

    [Fact]
    public void Check_summary_names_limits_that_differ_from_the_defaults()
    {
        var summary = ConfigSummary.Render(ConfigAssert.Valid("tftp-root=/srv/tftp\nhttp-port=8080\nhttp-max-connections=0,4"));
        Assert.Contains("HTTP connections: as many as the file descriptors allow in all, 4 per client address", summary, StringComparison.Ordinal);
        Assert.DoesNotContain("HTTP connections:", ConfigSummary.Render(ConfigAssert.Valid("tftp-root=/srv/tftp\nhttp-port=8080")), StringComparison.Ordinal);
    }
}

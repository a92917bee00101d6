using NetBoot.Configuration.Model;
using NetBoot.Configuration.Parsing;
using NetBoot.Configuration.Summary;
using NetBoot.Wire.Net;

namespace NetBoot.Configuration.Tests.Parsing;

public class StatusParserTests
{
    [Fact]
    public void Observability_is_off_unless_asked()
    {
        var config = ConfigAssert.Valid("dhcp-range=10.0.0.0,proxy");
        Assert.False(config.Status.IsEnabled);
        Assert.Null(config.Status.Metrics);
        Assert.Null(config.Status.Dashboard);
    }

    [Fact]
    public void A_port_alone_binds_to_loopback()
    {
        var config = ConfigAssert.Valid("metrics-listen=9167\ndashboard-listen=9168");
        Assert.Equal(new ListenEndpoint(IPv4Address.Parse("127.0.0.1"), 9167), config.Status.Metrics);
        Assert.Equal(new ListenEndpoint(IPv4Address.Parse("127.0.0.1"), 9168), config.Status.Dashboard);
        Assert.True(config.Status.Dashboard!.Value.IsLoopback);
    }

    [Fact]
    public void An_address_and_a_token_are_kept()
    {
        var config = ConfigAssert.Valid("dashboard-listen=10.0.0.2:8080\ndashboard-token=s3cret");
        Assert.Equal(new ListenEndpoint(IPv4Address.Parse("10.0.0.2"), 8080), config.Status.Dashboard);
        Assert.False(config.Status.Dashboard!.Value.IsLoopback);
        Assert.Equal("s3cret", config.Status.DashboardToken);
    }

    [Theory]
    [InlineData("metrics-listen=localhost:9167", "bad metrics-listen address")]
    [InlineData("metrics-listen=127.0.0.1:0", "bad metrics-listen port")]
    [InlineData("dashboard-listen=99999", "bad dashboard-listen port")]
    [InlineData("dashboard-listen=", "bad dashboard-listen port")]
    [InlineData("dashboard-token=\"a b\"", "bad dashboard-token")]
    [InlineData("status-host=", "bad status-host")]
    [InlineData("status-host=evil.example:80", "bad status-host")]
    [InlineData("status-host=a b", "bad status-host")]
    public void Bad_values_are_errors_with_line_and_hint(string line, string message) =>
        ConfigAssert.Error(line, message);

    [Fact]
    public void Status_host_names_add_up_lower_case_without_a_trailing_dot()
    {
        var config = ConfigAssert.Valid("metrics-listen=0.0.0.0:9167\nstatus-host=NetBoot.example.org.,netboot01\nstatus-host=metrics.lab");
        Assert.Equal(["netboot.example.org", "netboot01", "metrics.lab"], config.Status.HostNames.ToArray());
    }

    [Fact]
    public void Each_directive_may_be_given_once() =>
        ConfigAssert.SingleError("metrics-listen=9167\nmetrics-listen=9168");

    [Fact]
    public void Check_summary_names_the_endpoints()
    {
        var summary = ConfigSummary.Render(ConfigAssert.Valid("metrics-listen=9167\ndashboard-listen=0.0.0.0:9168\ndashboard-token=x"));
        Assert.Contains("Prometheus metrics at http://127.0.0.1:9167/metrics (this host only)", summary, StringComparison.Ordinal);
        Assert.Contains("live dashboard at http://0.0.0.0:9168/, token required (?token=…)", summary, StringComparison.Ordinal);
        Assert.Contains("answers requests naming its address, localhost, this host's name (Host header; others get 421)", summary, StringComparison.Ordinal);
    }
}

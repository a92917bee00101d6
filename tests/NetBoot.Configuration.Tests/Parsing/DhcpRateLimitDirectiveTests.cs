using NetBoot.Configuration.Model;

namespace NetBoot.Configuration.Tests.Parsing;

public sealed class DhcpRateLimitDirectiveTests
{
    [Theory]
    [InlineData("", 5, 2000)]
    [InlineData("dhcp-rate-limit=10", 10, 2000)]
    [InlineData("dhcp-rate-limit=10,500", 10, 500)]
    [InlineData("dhcp-rate-limit=0,500", 0, 500)]
    [InlineData("dhcp-rate-limit=off", 0, 0)]
    public void Rates_per_client_and_per_interface(string line, int perClient, int perInterface)
    {
        var config = ConfigAssert.Valid(line);
        Assert.Equal(new DhcpRateLimitConfig(perClient, perInterface), config.DhcpRateLimit);
        Assert.DoesNotContain(config.Notices, n => n.Directive == "dhcp-rate-limit");
    }

    [Theory]
    [InlineData("dhcp-rate-limit=fast")]
    [InlineData("dhcp-rate-limit=1,2,3")]
    [InlineData("dhcp-rate-limit=-1")]
    [InlineData("dhcp-rate-limit=99999999")]
    public void Bad_values_say_how_to_write_it(string line) =>
        Assert.Contains("dhcp-rate-limit=5,2000", ConfigAssert.Error(line, "bad dhcp-rate-limit").Hint);
}

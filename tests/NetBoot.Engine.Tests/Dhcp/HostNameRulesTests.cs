using NetBoot.Engine.Dhcp;

namespace NetBoot.Engine.Tests.Dhcp;

/// <summary>dnsmasq's <c>legal_hostname()</c> (util.c), case by case.</summary>
public class HostNameRulesTests
{
    [Theory]
    [InlineData("thin01")]
    [InlineData("PC-1")]
    [InlineData("pc_1")]
    [InlineData("1host")]
    [InlineData("pc-1.example.org")]
    [InlineData("pc-1.example.org.")]
    [InlineData("pc.weird domain!")] // the domain part is only check_name()'d: printable ASCII
    public void Legal(string name) => Assert.True(HostNameRules.IsLegal(name), name);

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData(".")]
    [InlineData("-rf")]
    [InlineData("--help")]
    [InlineData("_x")]
    [InlineData("pc 1")]
    [InlineData("pc;rm")]
    [InlineData("pc$(id)")]
    [InlineData("pc\n01")]
    [InlineData("pc.ex\u001bample")]
    [InlineData("caf\u00e9")]
    [InlineData(".example.org")]
    [InlineData("   ")]
    public void Illegal(string? name) => Assert.False(HostNameRules.IsLegal(name), name);

    [Fact]
    public void A_label_longer_than_63_characters_is_illegal()
    {
        Assert.True(HostNameRules.IsLegal(new string('a', 63)));
        Assert.False(HostNameRules.IsLegal(new string('a', 64)));
        Assert.False(HostNameRules.IsLegal("pc." + new string('b', 64)));
    }

    [Theory]
    [InlineData("pc-1.example.org", "pc-1", "example.org")]
    [InlineData("pc-1.example.org.", "pc-1", "example.org")]
    [InlineData("pc-1", "pc-1", null)]
    public void The_host_part_and_the_domain_are_split_at_the_first_dot(string name, string host, string? domain)
    {
        Assert.Equal(host, HostNameRules.HostPart(name));
        Assert.Equal(domain, HostNameRules.DomainPart(name));
    }
}

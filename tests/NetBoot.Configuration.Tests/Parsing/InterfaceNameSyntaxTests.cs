using NetBoot.Configuration.Parsing;

namespace NetBoot.Configuration.Tests.Parsing;

/// <summary>Interface names are refused at parse time when no kernel could have them (Linux dev_valid_name), so check,
/// start and reload refuse them alike; whether the interface exists is start-up's business.</summary>
public class InterfaceNameSyntaxTests
{
    [Theory]
    [InlineData("eth0"), InlineData("enp0s31f6"), InlineData("eth*"), InlineData("br-lab.42"), InlineData("wlp2s0-abcdefg")]
    public void Names_the_kernel_could_have_are_accepted(string name) => Assert.Null(InterfaceNameSyntax.Problem(name));

    [Theory]
    [InlineData("enp0s31f6-abcdef", "at most 15 characters")]
    [InlineData("eth0:1", "alias label")]
    [InlineData("eth/0", "no '/'")]
    [InlineData("eth 0", "no '/', space")]
    [InlineData("*eth", "wildcard only at the end")]
    [InlineData("..", "not interface names")]
    public void Impossible_names_are_refused_with_the_reason(string name, string reason) =>
        Assert.Contains(reason, InterfaceNameSyntax.Problem(name), StringComparison.Ordinal);

    [Theory]
    [InlineData("interface=eth0:1")]
    [InlineData("except-interface=a-name-far-too-long")]
    [InlineData("no-dhcp-interface=eth 0")]
    [InlineData("enable-tftp=eth0,eth/1")]
    [InlineData("tftp-root=/srv/tftp,eth0:1")]
    public void Every_directive_naming_an_interface_refuses_an_impossible_name_with_its_line(string line)
    {
        var error = ConfigAssert.SingleError(line);
        Assert.StartsWith("bad interface name '", error.Message, StringComparison.Ordinal);
        Assert.Equal(1, error.Source.Line);
        Assert.False(string.IsNullOrEmpty(error.Hint));
    }
}

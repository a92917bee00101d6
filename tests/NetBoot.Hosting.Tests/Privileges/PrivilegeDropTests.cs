using NetBoot.Configuration.Parsing;
using NetBoot.Hosting.Privileges;

namespace NetBoot.Hosting.Tests.Privileges;

public class PrivilegeDropTests
{
    private static Configuration.Model.ServerConfig Config(string text) => DnsmasqConfigReader.Parse(text).Config!;

    [Fact]
    public void Without_user_nothing_is_resolved() => Assert.Null(PrivilegeDrop.Resolve(Config("dhcp-range=10.0.0.0,proxy\n")));

    [Fact]
    public void User_without_group_takes_the_users_primary_group()
    {
        var target = PrivilegeDrop.Resolve(Config("user=nobody\n"))!;
        Assert.Equal((65534u, 65534u), (target.Uid, target.Gid));
        Assert.Equal("nogroup", target.Group);
    }

    [Fact]
    public void An_unknown_user_names_the_directive_line_and_says_what_to_do()
    {
        var error = Assert.Throws<PrivilegeException>(() => PrivilegeDrop.Resolve(Config("port=0\nuser=no-such-netboot-user\n")));
        Assert.StartsWith("unknown user no-such-netboot-user at line 2 of ", error.Message, StringComparison.Ordinal);
        Assert.Contains("useradd", error.Hint, StringComparison.Ordinal);
    }

    [Fact]
    public void An_unknown_group_and_a_group_without_user_are_errors()
    {
        Assert.StartsWith("unknown group no-such-group at line 2",
            Assert.Throws<PrivilegeException>(() => PrivilegeDrop.Resolve(Config("user=nobody\ngroup=no-such-group\n"))).Message, StringComparison.Ordinal);
        Assert.Contains("needs user=", Assert.Throws<PrivilegeException>(() => PrivilegeDrop.Resolve(Config("group=nogroup\n"))).Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0u, 0u, PrivilegePlan.Drop)]
    [InlineData(65534u, 65534u, PrivilegePlan.AlreadyThere)]
    [InlineData(998u, 998u, PrivilegePlan.NotRoot)]
    public void The_plan_depends_on_who_runs_it(uint uid, uint gid, PrivilegePlan expected) =>
        Assert.Equal(expected, PrivilegeDrop.Plan(new PrivilegeTarget("nobody", 65534, "nogroup", 65534), uid, gid));

    [Fact]
    public void No_user_means_keep() => Assert.Equal(PrivilegePlan.Keep, PrivilegeDrop.Plan(null, 0, 0));
}

using NetBoot.Configuration.Model;
using NetBoot.Configuration.Parsing;

namespace NetBoot.Configuration.Tests.Parsing;

public class DirectiveErrorTests
{
    [Fact]
    public void Unknown_directive_is_bad_option_with_a_suggestion()
    {
        var error = ConfigAssert.Error("log-dhcp\ndhcp-rnage=10.0.0.0,proxy", "bad option", 2);
        Assert.Contains("dhcp-range", error.Hint, StringComparison.Ordinal);
    }

    [Fact]
    public void Stray_hosts_line_is_bad_option_at_line_1() =>
        ConfigAssert.Error("127.0.0.1 localhost", "bad option", 1);

    [Theory]
    [InlineData("log-dhcp=yes")]
    [InlineData("dhcp-no-override=1")]
    [InlineData("bind-interfaces=eth0")]
    public void Flag_with_a_value_is_extraneous_parameter(string line) =>
        ConfigAssert.Error(line, "extraneous parameter");

    [Theory]
    [InlineData("dhcp-range")]
    [InlineData("tftp-root")]
    [InlineData("pxe-service")]
    [InlineData("dhcp-option")]
    public void Valued_directive_without_value_is_missing_parameter(string line) =>
        ConfigAssert.Error(line, "missing parameter");

    [Fact]
    public void Optional_value_directives_accept_both_forms()
    {
        Assert.True(ConfigAssert.Valid("enable-tftp\ntftp-root=/srv/tftp").Tftp.IsEnabled);
        Assert.Equal(["eth1"], ConfigAssert.Valid("enable-tftp=eth1\ntftp-root=/srv/tftp").Tftp.Interfaces.ToArray());
    }

    [Theory]
    [InlineData("dhcp-leasefile=/a\ndhcp-leasefile=/b")]
    [InlineData("user=nobody\nuser=root")]
    [InlineData("tftp-max=5\ntftp-max=6")]
    [InlineData("port=0\nport=0")]
    public void Single_valued_directive_repeated_in_files_is_illegal_repeated_keyword(string text) =>
        ConfigAssert.Error(text, "illegal repeated keyword", 2);

    [Fact]
    public void Single_valued_directive_repeated_on_the_command_line_is_illegal_repeated_flag()
    {
        var result = DnsmasqConfigReader.Load(new ConfigInput { CommandLine = ["user=a", "user=b"] });
        Assert.Equal("illegal repeated flag", Assert.Single(result.Errors).Message);
    }

    [Fact]
    public void File_may_override_a_single_valued_command_line_directive()
    {
        using var directory = new TemporaryDirectory();
        var file = directory.Write("a.conf", "user=fromfile\n");
        var result = DnsmasqConfigReader.Load(new ConfigInput { CommandLine = ["user=fromcli"], Files = [file] });
        Assert.True(result.IsValid);
        Assert.Equal("fromfile", result.Config!.User);
    }

    [Fact]
    public void Repeatable_directives_accumulate_in_order()
    {
        var config = ConfigAssert.Valid("interface=eth0\ninterface=eth1,eth2\nexcept-interface=lo");
        Assert.Equal(["eth0", "eth1", "eth2"], config.Interfaces.Include.ToArray());
        Assert.Equal(["lo"], config.Interfaces.Exclude.ToArray());
    }

    [Fact]
    public void Every_error_of_a_file_is_reported_and_the_config_is_null()
    {
        var result = DnsmasqConfigReader.Parse("bogus\nlog-dhcp\ndhcp-range=x\nlog-dhcp=1", "f.conf");
        Assert.Null(result.Config);
        Assert.Equal(["bad option", "bad dhcp-range", "extraneous parameter"], result.Errors.Select(e => e.Message));
        Assert.Equal([1, 3, 4], result.Errors.Select(e => e.Source.Line));
    }

    [Theory]
    [InlineData("server=8.8.8.8")]
    [InlineData("domain-needed")]
    [InlineData("bogus-priv")]
    [InlineData("no-resolv")]
    [InlineData("resolv-file=/etc/resolv.dnsmasq")]
    [InlineData("cache-size=1000")]
    [InlineData("local=/lan/")]
    [InlineData("domain=lan")]
    [InlineData("expand-hosts")]
    [InlineData("no-hosts")]
    [InlineData("addn-hosts=/etc/hosts.extra")]
    [InlineData("address=/example.com/10.0.0.1")]
    [InlineData("log-queries")]
    [InlineData("port=5353")]
    public void Dns_directives_are_accepted_with_a_not_served_notice(string line)
    {
        var notice = Assert.Single(ConfigAssert.Valid(line).Notices);
        Assert.Equal(ConfigNoticeKind.NotServedDns, notice.Kind);
        Assert.Equal(new SourceLocation(ConfigAssert.File, 1), notice.Source);
    }

    [Fact]
    public void Port_zero_turns_dns_off_without_a_notice() =>
        Assert.Empty(ConfigAssert.Valid("port=0").Notices);

    [Theory]
    [InlineData("conf-script=/bin/true")]
    [InlineData("dhcp-luascript=/etc/dnsmasq.lua")]
    public void Directives_not_acted_on_carry_a_notice(string line)
    {
        var config = ConfigAssert.Valid(line);
        Assert.Contains(config.Notices, n => n.Kind == ConfigNoticeKind.NotInEffect && n.Source.Line == 1);
    }

    [Theory]
    [InlineData("dhcp-script=/bin/echo")]
    [InlineData("dhcp-authoritative")]
    [InlineData("dhcp-lease-max=150")]
    [InlineData("dhcp-leasefile=/var/lib/misc/dnsmasq.leases")]
    [InlineData("dhcp-sequential-ip")]
    [InlineData("no-ping")]
    [InlineData("bootp-dynamic")]
    [InlineData("bootp-dynamic=tag:lab,old")]
    [InlineData("dhcp-host=00:11:22:33:44:55,10.0.0.5")]
    [InlineData("pid-file=/run/netboot.pid")]
    [InlineData("log-facility=/var/log/netboot.log")]
    [InlineData("log-facility=LOCAL0")]
    [InlineData("script-on-renewal")]
    [InlineData("leasefile-ro")]
    [InlineData("dhcp-scriptuser=nobody")]
    public void Full_dhcp_directives_are_in_effect(string line) =>
        Assert.DoesNotContain(ConfigAssert.Valid(line).Notices, n => n.Kind == ConfigNoticeKind.NotInEffect);

    [Fact]
    public void Bootp_dynamic_lists_the_tags_a_bootp_client_needs_or_none()
    {
        var config = ConfigAssert.Valid("bootp-dynamic\nbootp-dynamic=tag:lab,old");
        Assert.Equal(2, config.BootpDynamic.Length);
        Assert.True(config.BootpDynamic[0].IsEmpty);
        Assert.Equal("tag:lab,tag:old", config.BootpDynamic[1].ToString());
    }

    [Fact]
    public void A_leasing_range_without_no_ping_is_in_effect_since_the_ping_check_is_made() =>
        Assert.DoesNotContain(ConfigAssert.Valid("dhcp-range=10.0.0.10,10.0.0.20").Notices, n => n.Kind == ConfigNoticeKind.NotInEffect);

    [Fact]
    public void Keep_in_foreground_is_ignored_with_a_notice()
    {
        var config = ConfigAssert.Valid("keep-in-foreground\nno-daemon");
        Assert.True(config.KeepInForeground);
        Assert.All(config.Notices, n => Assert.Equal(ConfigNoticeKind.Ignored, n.Kind));
    }
}

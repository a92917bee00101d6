using NetBoot.Configuration.Model;
using NetBoot.Configuration.Parsing;

namespace NetBoot.Configuration.Tests.Parsing;

/// <summary>What NetBoot still does not serve (DNS, router advertisements, Lua scripts) is accepted with a notice that says
/// so truly, never silently; what it serves now (DHCPv6) gets no such notice.</summary>
public sealed class NotServedNoticeTests
{
    [Theory]
    [InlineData("server=192.0.2.53", ConfigNoticeKind.NotServedDns, "NetBoot serves no DNS")]
    [InlineData("port=53", ConfigNoticeKind.NotServedDns, "NetBoot serves no DNS")]
    [InlineData("dhcp-range=::,constructor:eth0,ra-only", ConfigNoticeKind.NotInEffect, "router advertisements are not served")]
    [InlineData("enable-ra", ConfigNoticeKind.NotInEffect, "router advertisements are not served")]
    [InlineData("ra-param=eth0,60", ConfigNoticeKind.NotInEffect, "router advertisements are not served")]
    [InlineData("no-dhcpv6-interface=eth0", ConfigNoticeKind.Ignored, "not honoured: DHCPv6 answers on every interface with a DHCPv6 dhcp-range")]
    [InlineData("dhcp-luascript=/etc/netboot/hook.lua", ConfigNoticeKind.NotInEffect, "Lua scripts are not run")]
    public void Not_served_directive_gets_a_notice_saying_why(string line, ConfigNoticeKind kind, string reason)
    {
        var result = DnsmasqConfigReader.Parse("dhcp-range=192.168.67.0,proxy\n" + line, "t.conf");

        Assert.True(result.IsValid, string.Join("; ", result.Errors));
        Assert.Contains(result.Config!.Notices, n => n.Kind == kind && n.Message.Contains(reason, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("dhcp-range=::10,::200,constructor:eth0")]
    [InlineData("dhcp-range=2001:db8::10,2001:db8::20,64,1h")]
    [InlineData("dhcp-option=option6:dns-server,[fd00::1]")]
    [InlineData("dhcp-match=set:efi6,option6:61,7")]
    [InlineData("dhcp-duid=1234,00:01")]
    public void Dhcpv6_lines_are_not_said_to_be_unserved(string line)
    {
        var result = DnsmasqConfigReader.Parse("dhcp-range=192.168.67.0,proxy\n" + line, "t.conf");

        Assert.True(result.IsValid, string.Join("; ", result.Errors));
        Assert.DoesNotContain(result.Config!.Notices, n => n.Message.Contains("DHCPv6", StringComparison.Ordinal) && n.Message.Contains("not served", StringComparison.Ordinal));
        Assert.DoesNotContain(result.Config!.Notices, n => n.Kind == ConfigNoticeKind.NotInEffect);
    }

    [Theory]
    [InlineData("dhcp-split-relay=192.0.2.1,192.0.2.2,eth0")]
    [InlineData("leasequery")]
    public void A_dnsmasq_directive_netboot_does_not_know_is_refused(string line)
    {
        var result = DnsmasqConfigReader.Parse("dhcp-range=192.168.67.0,proxy\n" + line, "t.conf");

        Assert.False(result.IsValid);
        Assert.Contains(result.Errors, e => e.Message.Contains("bad option", StringComparison.Ordinal));
    }
}

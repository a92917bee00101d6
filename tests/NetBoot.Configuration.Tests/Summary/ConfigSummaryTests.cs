using NetBoot.Configuration.Parsing;
using NetBoot.Configuration.Summary;
using NetBoot.Testing;

namespace NetBoot.Configuration.Tests.Summary;

/// <summary>Golden renderings of <c>netboot check</c>'s summary; regenerate with NETBOOT_UPDATE_GOLDEN=1.</summary>
public class ConfigSummaryTests
{
    private static string GoldenPath(string name) =>
        Path.Combine(TestPaths.RepositoryRoot, "tests", "NetBoot.Configuration.Tests", "Golden", name);

    private static void AssertGolden(string name, string actual)
    {
        var path = GoldenPath(name);
        if (Environment.GetEnvironmentVariable("NETBOOT_UPDATE_GOLDEN") == "1")
        {
            File.WriteAllText(path, actual);
        }
        Assert.True(File.Exists(path), $"golden file {path} is missing; run with NETBOOT_UPDATE_GOLDEN=1");
        Assert.Equal(File.ReadAllText(path), actual);
    }

    private static string Render(string text, string fileName)
    {
        var result = DnsmasqConfigReader.Parse(text, fileName);
        Assert.True(result.IsValid, string.Join("; ", result.Errors));
        return ConfigSummary.Render(result.Config!);
    }

    [Theory]
    [InlineData("ltsp.conf")]
    [InlineData("ltsp-2nic.conf")]
    [InlineData("uefi-mixed.conf")]
    public void Example_summary_matches_golden(string example) =>
        AssertGolden(Path.ChangeExtension(example, ".summary.txt"), Render(File.ReadAllText(ExampleConfigTests.ExamplePath(example)), example));

    [Fact]
    public void Http_server_and_uefi_direct_offers_are_shown()
    {
        var summary = Render("""
            dhcp-range=10.0.0.0,proxy
            enable-tftp
            tftp-root=/srv/tftp
            http-port=8080
            pxe-uefi-direct=tag:hp
            pxe-service=X86-64_EFI,"UEFI",ipxe.efi
            """, "http.conf");
        Assert.Contains("HTTP boot server on port 8080, root /srv/tftp", summary, StringComparison.Ordinal);
        Assert.Contains("pxe-uefi-direct  [tag:hp]: these UEFI clients get their boot file in the offer on port 67", summary, StringComparison.Ordinal);
    }

    [Fact]
    public void Modern_ltsp_summary_matches_golden() =>
        AssertGolden("ltsp-dnsmasq.summary.txt", Render(ExampleConfigTests.ModernLtspDirectives, "ltsp-dnsmasq.conf"));

    [Fact]
    public void Summary_says_proxy_clients_do_not_receive_ordinary_options()
    {
        var summary = Render("dhcp-range=192.168.1.0,proxy\npxe-service=x86PC,\"Net\",pxelinux\ndhcp-option=17,/opt/ltsp/i386", "t.conf");
        Assert.Contains("Not sent to proxy clients", summary, StringComparison.Ordinal);
        Assert.Contains("17 root-path", summary, StringComparison.Ordinal);
    }

    [Fact]
    public void Server_ip_address_is_shown_as_the_siaddr_field_never_as_option_255_end()
    {
        var summary = Render("dhcp-range=10.0.0.10,10.0.0.50\ndhcp-option=option:server-ip-address,10.0.0.9", "t.conf");
        Assert.Contains("  server-ip-address (siaddr, the next-server header field; not an option) = 10.0.0.9\n", summary, StringComparison.Ordinal);
        Assert.DoesNotContain("255", summary, StringComparison.Ordinal);
    }

    [Fact]
    public void Dhcp_hosts_are_listed_with_who_what_tags_lease_and_line()
    {
        var summary = Render("dhcp-range=10.0.0.10,10.0.0.50\ndhcp-host=06-aa:bb:cc:dd:ee:ff,id:*,set:known-pc,infinite\ndhcp-host=id:01:02:03,10.0.0.7,tag:lab", "t.conf");
        Assert.Contains("\ndhcp-host (2 hosts)\n"
            + "  06-aa:bb:cc:dd:ee:ff,id:*  address from a range  lease infinite  sets tag known-pc  (at line 2 of t.conf)\n"
            + "  id:01:02:03  10.0.0.7  lease of the range  [tag:lab]  (at line 3 of t.conf)\n", summary, StringComparison.Ordinal);
    }

    [Fact]
    public void Notices_of_directives_not_acted_on_are_titled_without_a_promise()
    {
        var summary = Render("dhcp-range=10.0.0.0,proxy\npxe-prompt=Boot,3\ndhcp-luascript=/etc/hook.lua", "t.conf");
        Assert.Contains("\nAccepted, not in effect\n  dhcp-luascript: Lua scripts are not run", summary, StringComparison.Ordinal);
        Assert.DoesNotContain("yet", summary, StringComparison.Ordinal);
    }

    [Fact]
    public void Summary_applies_the_dot_zero_rule_to_menu_files()
    {
        var summary = Render("dhcp-range=10.0.0.0,proxy\npxe-service=x86PC,\"Net\",/ltsp/i386/pxelinux", "t.conf");
        Assert.Contains("file /ltsp/i386/pxelinux.0 from this server", summary, StringComparison.Ordinal);
    }

    [Fact]
    public void Summary_without_pxe_says_nobody_gets_proxy_replies()
    {
        var summary = Render("dhcp-range=10.0.0.0,proxy\ndhcp-boot=pxelinux.0", "t.conf");
        Assert.Contains("off: no pxe-service or pxe-prompt", summary, StringComparison.Ordinal);
        Assert.Contains("will answer nobody", summary, StringComparison.Ordinal);
    }
}

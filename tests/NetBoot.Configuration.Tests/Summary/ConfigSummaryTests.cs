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

using NetBoot.Cli.Demo;
using NetBoot.Configuration.Parsing;

namespace NetBoot.Cli.Tests.Demo;

/// <summary>What <c>netboot demo</c> says before it does anything, and the configuration it gives NetBoot.</summary>
public sealed class DemoPreflightTests
{
    [Fact]
    public void Without_root_it_says_so_and_how_to_run_it()
    {
        var lines = DemoRun.Preflight(isRoot: false, [], installMissing: false);
        Assert.StartsWith("netboot demo: needs root", lines[0], StringComparison.Ordinal);
        Assert.Contains("sudo netboot demo", lines[1], StringComparison.Ordinal);
    }

    [Fact]
    public void Missing_packages_without_yes_give_the_exact_apt_get_line()
    {
        var lines = DemoRun.Preflight(isRoot: true, ["qemu-system-x86", "pxelinux"], installMissing: false);
        Assert.Contains("  sudo apt-get install --no-install-recommends qemu-system-x86 pxelinux", lines);
        Assert.Contains(lines, l => l.Contains("--yes", StringComparison.Ordinal));
    }

    [Fact]
    public void With_yes_and_root_missing_packages_are_no_obstacle()
    {
        Assert.Empty(DemoRun.Preflight(isRoot: true, ["ovmf"], installMissing: true));
        Assert.Empty(DemoRun.Preflight(isRoot: true, [], installMissing: false));
    }

    [Theory]
    [InlineData("bios", new[] { "iproute2", "dnsmasq-base", "coreutils", "qemu-system-x86", "seabios", "ipxe-qemu", "pxelinux", "syslinux-common" })]
    [InlineData("uefi", new[] { "iproute2", "dnsmasq-base", "coreutils", "qemu-system-x86", "ovmf", "ipxe" })]
    [InlineData("arm64", new[] { "iproute2", "dnsmasq-base", "coreutils", "qemu-system-arm", "qemu-efi-aarch64" })]
    public void On_an_empty_system_every_package_of_the_mode_is_listed_once(string mode, string[] packages) =>
        Assert.Equal(packages, DemoPrerequisites.MissingPackages(DemoPrerequisites.For(Mode(mode)), _ => false));

    [Theory]
    [InlineData("bios")]
    [InlineData("uefi")]
    [InlineData("arm64")]
    public void The_configuration_of_every_mode_is_valid_proxy_dhcp(string name)
    {
        var mode = Mode(name);
        var file = Path.Combine(Path.GetTempPath(), $"netboot-demo-test-{Guid.NewGuid():N}.conf");
        File.WriteAllText(file, DemoBootRoot.Config(mode, "/srv/demo-root"));
        try
        {
            var loaded = DnsmasqConfigReader.Load(new ConfigInput { Files = [file] });
            Assert.True(loaded.IsValid, string.Join("\n", loaded.Errors));
            var range = Assert.Single(loaded.Config!.Ranges);
            Assert.Equal(NetBoot.Configuration.Model.DhcpRangeMode.Proxy, range.Mode);
        }
        finally
        {
            File.Delete(file);
        }
    }

    private static DemoMode Mode(string name) => Enum.Parse<DemoMode>(name, ignoreCase: true);
}

using NetBoot.Interop.Tests.Lab;

namespace NetBoot.Interop.Tests;

/// <summary>The lab's own rewriting of the reference configuration: only three lines may change.</summary>
[Trait("Category", "Interop")]
public sealed class LtspScenarioTests
{
    [Fact]
    public void Adapted_reference_config_changes_only_the_proxy_range_tftp_switch_and_tftp_root()
    {
        var reference = File.ReadAllText(LtspScenario.ReferenceConfigPath);

        var adapted = LtspScenario.AdaptReferenceConfig(reference, "10.77.0.0", "/tmp/lab/tftp");

        var changed = reference.Split('\n').Zip(adapted.Split('\n'))
            .Where(pair => pair.First != pair.Second)
            .Select(pair => pair.Second)
            .ToArray();
        Assert.Equal(["enable-tftp", "tftp-root=/tmp/lab/tftp", "dhcp-range=10.77.0.0,proxy"], changed);
        Assert.Equal(reference.Split('\n').Length, adapted.Split('\n').Length);
    }

    [Fact]
    public void Adapting_a_config_without_a_proxy_range_fails_loudly()
    {
        var error = Assert.Throws<InvalidOperationException>(
            () => LtspScenario.AdaptReferenceConfig("# enable-tftp\ntftp-root=/x\n", "10.77.0.0", "/tmp"));

        Assert.Contains("dhcp-range", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Pxelinux_config_writes_the_marker_to_the_serial_console_and_boots_locally()
    {
        var config = LtspScenario.PxelinuxConfig("NETBOOT-LAB-1234");

        Assert.StartsWith("SERIAL 0 115200\n", config, StringComparison.Ordinal);
        Assert.Contains("SAY NETBOOT-LAB-1234\n", config, StringComparison.Ordinal);
        Assert.Contains("LOCALBOOT 0", config, StringComparison.Ordinal);
    }

    [Fact]
    public void Terminal_text_drops_escapes_backspaces_and_carriage_returns()
    {
        var raw = "\x1b[0;1miPXE\x1b[0m ok\r\nPress F8 for boot menu (3)\b \b\b \b\b \b (2)";

        Assert.Equal("iPXE ok\nPress F8 for boot menu (3) (2)", TerminalText.Clean(raw));
    }
}

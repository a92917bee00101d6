using NetBoot.Cli.Commands;
using NetBoot.Testing;

namespace NetBoot.Cli.Tests;

/// <summary>The commands end to end through the real command tree, as an administrator types them.</summary>
public class CommandTests
{
    private static string Example(string name) => Path.Combine(TestPaths.Examples, name);

    [Theory]
    [InlineData("ltsp.conf")]
    [InlineData("ltsp-2nic.conf")]
    [InlineData("uefi-mixed.conf")]
    public void Check_accepts_every_reference_configuration(string name)
    {
        var (exitCode, _, stderr) = RunCheck("-C", Example(name));
        Assert.Equal(0, exitCode);
        Assert.Equal("", stderr);
    }

    [Fact]
    public void Check_of_the_ltsp_configuration_shows_the_menu_and_the_boot_file()
    {
        var (_, stdout, _) = RunCheck("-C", Example("ltsp.conf"));
        Assert.Contains("\"Boot from network\"", stdout, StringComparison.Ordinal);
        Assert.Contains("/ltsp/i386/pxelinux.0", stdout, StringComparison.Ordinal);
        Assert.Contains("Press F8 for boot menu", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void Check_reports_a_bad_line_in_dnsmasq_format_with_a_hint_and_exits_1()
    {
        var file = Path.Combine(Path.GetTempPath(), $"netboot-bad-{Guid.NewGuid():N}.conf");
        File.WriteAllText(file, "port=0\n# comment\ndhcp-range=e0,10.0.0.1,10.0.0.9\n");
        try
        {
            var (exitCode, _, stderr) = RunCheck("-C", file);
            Assert.Equal(1, exitCode);
            Assert.StartsWith($"netboot: bad dhcp-range at line 3 of {file}\n", stderr, StringComparison.Ordinal);
            Assert.Contains("hint: ", stderr, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public void Check_takes_directives_from_the_command_line()
    {
        var (exitCode, stdout, _) = RunCheck("--dhcp-range=10.0.0.0,proxy", "--pxe-service=x86PC,Boot,pxelinux", "--enable-tftp", "--tftp-root=/srv/tftp");
        Assert.Equal(0, exitCode);
        Assert.Contains("10.0.0.0", stdout, StringComparison.Ordinal);
        Assert.Contains("pxelinux.0", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void Decode_renders_a_proxy_offer_with_its_menu()
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var exitCode = DecodeCommand.Run([Path.Combine(TestPaths.TestData, "lab", "bios-ipxe-proxy", "capture.pcap")], output, error);
        Assert.Equal(0, exitCode);
        Assert.Contains("DHCPOFFER", output.ToString(), StringComparison.Ordinal);
        Assert.Contains("\"iPXE script\"", output.ToString(), StringComparison.Ordinal);
        Assert.Equal("", error.ToString());
    }

    [Fact]
    public void Decode_of_a_file_that_is_not_a_capture_says_so_and_exits_1_but_decodes_the_others()
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var exitCode = DecodeCommand.Run([Example("ltsp.conf"), Path.Combine(TestPaths.TestData, "pcap", "tftp", "tcpdump-tftp.pcap")], output, error);
        Assert.Equal(1, exitCode);
        Assert.Contains("not a readable pcap/pcapng capture", error.ToString(), StringComparison.Ordinal);
        Assert.Contains("RRQ", output.ToString(), StringComparison.Ordinal);
    }

    /// <summary>check writes to Console; capture it by redirecting for the call.</summary>
    private static (int ExitCode, string Stdout, string Stderr) RunCheck(params string[] args)
    {
        lock (ConsoleLock)
        {
            var originalOut = Console.Out;
            var originalError = Console.Error;
            var stdout = new StringWriter();
            var stderr = new StringWriter();
            Console.SetOut(stdout);
            Console.SetError(stderr);
            try
            {
                var exitCode = NetBootCommandLine.Build().Parse(["check", .. args]).Invoke();
                return (exitCode, stdout.ToString(), stderr.ToString());
            }
            finally
            {
                Console.SetOut(originalOut);
                Console.SetError(originalError);
            }
        }
    }

    private static readonly Lock ConsoleLock = new();
}

using NetBoot.Cli.Commands;
using NetBoot.Testing;

namespace NetBoot.Cli.Tests;

/// <summary>The commands end to end through the real command tree, as an administrator types them.</summary>
public sealed class CommandTests : IDisposable
{
    private readonly string _work = Directory.CreateTempSubdirectory("netboot-cli-").FullName;

    private static string Example(string name) => Path.Combine(TestPaths.Examples, name);

    /// <summary>A reference configuration with its tftp-root moved to <paramref name="tftpRoot"/> (the examples name
    /// /var/lib/tftpboot and /srv/tftp, which a test machine need not have).</summary>
    private string ExampleWithRoot(string name, string tftpRoot)
    {
        var text = File.ReadAllText(Example(name))
            .Replace("tftp-root=/var/lib/tftpboot", $"tftp-root={tftpRoot}", StringComparison.Ordinal)
            .Replace("tftp-root=/srv/tftp", $"tftp-root={tftpRoot}", StringComparison.Ordinal);
        var path = Path.Combine(_work, name);
        File.WriteAllText(path, text);
        return path;
    }

    private string ExistingRoot() => Directory.CreateDirectory(Path.Combine(_work, "tftp")).FullName;

    [Theory]
    [InlineData("ltsp.conf")]
    [InlineData("ltsp-2nic.conf")]
    [InlineData("uefi-mixed.conf")]
    public void Check_accepts_every_reference_configuration_when_its_tftp_root_exists(string name)
    {
        var (exitCode, stdout, stderr) = RunCheck("-C", ExampleWithRoot(name, ExistingRoot()));
        Assert.Equal(0, exitCode);
        Assert.Equal("", stderr);
        // With enable-tftp and an empty root, every boot file the menu names is warned about, not silently offered
        // (ltsp.conf leaves TFTP to another server, as the LTSP wiki does).
        Assert.Equal(File.ReadAllText(Example(name)).Contains("\nenable-tftp", StringComparison.Ordinal),
            stdout.Contains("is not in " + ExistingRoot(), StringComparison.Ordinal));
    }

    /// <summary>The LTSP example of the README, word for word but for the TFTP root.</summary>
    private static string ReadmeLtsp(string tftpRoot) => $"""
        port=0
        log-dhcp
        enable-tftp
        tftp-root={tftpRoot}
        dhcp-boot=/ltsp/i386/pxelinux.0
        dhcp-option=17,/opt/ltsp/i386
        dhcp-option=vendor:PXEClient,6,2b
        dhcp-no-override
        pxe-prompt="Press F8 for boot menu", 3
        pxe-service=X86PC, "Boot from network", /ltsp/i386/pxelinux
        pxe-service=X86PC, "Boot from local hard disk", 0
        dhcp-range=192.168.1.0,proxy
        """;

    [Fact]
    public void Check_refuses_the_readme_ltsp_configuration_on_a_machine_without_its_tftp_root_as_serve_would()
    {
        var missing = Path.Combine(_work, "no-such-tftpboot");
        var file = Path.Combine(_work, "ltsp.conf");
        File.WriteAllText(file, ReadmeLtsp(missing));

        var (exitCode, stdout, stderr) = RunCheck("-C", file);

        Assert.Equal(1, exitCode);
        Assert.Equal("", stdout);
        Assert.StartsWith($"netboot: tftp-root {missing} does not exist at line 4 of {file}\nnetboot:   hint: create it (mkdir -p {missing})", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Check_serve_and_serve_test_refuse_what_start_up_refuses_in_the_same_words()
    {
        var file = Path.Combine(_work, "bad.conf");
        File.WriteAllText(file, $"port=0\nenable-tftp\ntftp-root={_work}/nonexistent/tftp\nuser=netbot\ndhcp-range=10.0.0.0,proxy\n");

        var check = Run("check", "-C", file);
        var test = Run("serve", "--test", "-C", file);
        // Refused before any socket: the configuration is invalid, so serve returns without binding.
        var serve = Run("serve", "-C", file);

        Assert.Equal((1, 1, 1), (check.ExitCode, test.ExitCode, serve.ExitCode));
        string[] expected =
        [
            $"netboot: tftp-root {_work}/nonexistent/tftp does not exist at line 3 of {file}",
            $"netboot:   hint: create it (mkdir -p {_work}/nonexistent/tftp) and put the boot files there, correct the path, or add tftp-no-fail to serve without it",
            $"netboot: unknown user netbot at line 4 of {file}",
            "netboot:   hint: create it (useradd --system --no-create-home netbot) or name an existing account",
        ];
        Assert.Equal(expected, Lines(check.Stderr));
        Assert.Equal(expected, Lines(test.Stderr));
        Assert.Equal([.. expected, "netboot: FAILED to start up"], Lines(serve.Stderr));
    }

    [Fact]
    public void Check_fails_on_a_bad_host_file_line_with_file_and_line_and_lists_the_hosts_read_while_serve_test_passes()
    {
        var hosts = Path.Combine(_work, "hosts");
        File.WriteAllText(hosts, "52:54:00:12:34:56,set:ironic\n52:54:00:12:34:57,bad name!\n");
        var file = Path.Combine(_work, "files.conf");
        File.WriteAllText(file, $"port=0\ndhcp-range=10.0.0.0,proxy\ndhcp-hostsfile={hosts}\n");

        var check = Run("check", "-C", file);
        var test = Run("serve", "--test", "-C", file);

        Assert.Equal(1, check.ExitCode);
        Assert.Equal($"netboot: bad DHCP host name at line 2 of {hosts}", Lines(check.Stderr)[0]);
        Assert.StartsWith("netboot:   hint: ", Lines(check.Stderr)[1], StringComparison.Ordinal);
        Assert.Contains($"dhcp-hostsfile={hosts}  re-read at SIGHUP  (at line 3 of {file})", check.Stdout, StringComparison.Ordinal);
        Assert.Contains($"52:54:00:12:34:56  address from a range  lease of the range  sets tag ironic  (at line 1 of {hosts})", check.Stdout, StringComparison.Ordinal);
        // As dnsmasq: a bad line of a host file does not stop start-up; serve logs it and serves the rest.
        Assert.Equal(0, test.ExitCode);
        Assert.Contains($"netboot: warning: bad DHCP host name at line 2 of {hosts} (skipped; the rest is served)", test.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Check_lists_each_dhcp_host_with_who_what_tags_lease_and_line()
    {
        var (exitCode, stdout, _) = RunCheck("--dhcp-range=10.0.0.10,10.0.0.50", "--dhcp-lease-db=sqlite://" + Path.Combine(_work, "leases.sqlite"),
            "--dhcp-host=52:54:00:12:34:56,id:01:02:03,set:lab,tag:bios,10.0.0.5,pc1,12h", "--dhcp-host=00:11:22:33:44:55,ignore");
        Assert.Equal(0, exitCode);
        Assert.Contains("\ndhcp-host (2 hosts)\n"
            + "  52:54:00:12:34:56,id:01:02:03  10.0.0.5  name pc1  lease 12h  sets tag lab  [tag:bios]  (on the command line)\n"
            + "  00:11:22:33:44:55  ignored: never answered  (on the command line)\n", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void Check_names_server_ip_address_as_the_siaddr_field_not_as_option_255()
    {
        var (exitCode, stdout, _) = RunCheck("--dhcp-range=10.0.0.0,proxy", "--pxe-prompt=Boot,3", "--dhcp-option=option:server-ip-address,10.0.0.9");
        Assert.Equal(0, exitCode);
        Assert.Contains("server-ip-address (siaddr, the next-server header field; not an option) = 10.0.0.9", stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("End", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void Check_of_the_ltsp_configuration_shows_the_menu_and_the_boot_file()
    {
        var (_, stdout, _) = RunCheck("-C", ExampleWithRoot("ltsp.conf", ExistingRoot()));
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
        var (exitCode, stdout, _) = RunCheck("--dhcp-range=10.0.0.0,proxy", "--pxe-service=x86PC,Boot,pxelinux", "--enable-tftp", "--tftp-root=" + ExistingRoot());
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

    private static string[] Lines(string text) => text.Split('\n', StringSplitOptions.RemoveEmptyEntries);

    private static (int ExitCode, string Stdout, string Stderr) RunCheck(params string[] args) => Run(["check", .. args]);

    /// <summary>The commands write to Console; capture it by redirecting for the call.</summary>
    private static (int ExitCode, string Stdout, string Stderr) Run(params string[] args)
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
                var exitCode = NetBootCommandLine.Build().Parse(args).Invoke();
                return (exitCode, stdout.ToString(), stderr.ToString());
            }
            finally
            {
                Console.SetOut(originalOut);
                Console.SetError(originalError);
            }
        }
    }

    /// <summary>Shared with every test class that redirects Console.</summary>
    internal static readonly Lock ConsoleLock = new();

    public void Dispose() => Directory.Delete(_work, recursive: true);
}

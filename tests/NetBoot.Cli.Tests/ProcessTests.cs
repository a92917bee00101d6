using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using NetBoot.Cli.Commands;

namespace NetBoot.Cli.Tests;

/// <summary>The real <c>netboot</c> executable as a child process, where what matters is what the process does to the
/// machine: the files it leaves, the sockets it binds, how soon it exits.</summary>
public sealed class ProcessTests : IDisposable
{
    private readonly string _work = Directory.CreateTempSubdirectory("netboot-process-").FullName;

    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    private sealed record Outcome(int ExitCode, string Stdout, string Stderr, int ProcessId);

    /// <summary>Runs netboot (the apphost next to the tests, else <c>dotnet netboot.dll</c>) in <paramref name="directory"/>
    /// with TMPDIR set to <paramref name="temp"/>; killed (by its PID) if it outlives <see cref="Patience"/>.</summary>
    private static Outcome Netboot(string directory, string temp, params string[] args)
    {
        var apphost = Path.Combine(AppContext.BaseDirectory, "netboot");
        var info = File.Exists(apphost) ? new ProcessStartInfo(apphost) : new ProcessStartInfo("dotnet") { ArgumentList = { Path.Combine(AppContext.BaseDirectory, "netboot.dll") } };
        foreach (var argument in args)
        {
            info.ArgumentList.Add(argument);
        }
        info.WorkingDirectory = directory;
        info.RedirectStandardOutput = true;
        info.RedirectStandardError = true;
        info.Environment["TMPDIR"] = temp;
        info.Environment["NETBOOT_LEASE_DB"] = Path.Combine(temp, "no-leases-here.sqlite");
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(Patience))
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"netboot {string.Join(' ', args)} was still running after {Patience.TotalSeconds} s (killed)");
        }
        return new Outcome(process.ExitCode, stdout.Result, stderr.Result, process.Id);
    }

    private string Folder(string name) => Directory.CreateDirectory(Path.Combine(_work, name)).FullName;

    [Fact]
    public void Serve_test_validates_prints_dnsmasqs_words_and_exits_without_binding_a_socket()
    {
        // Held by the test for the whole run: a netboot that started serving would fail to bind it and exit 2.
        using var held = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        held.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        held.Listen(1);
        var port = ((IPEndPoint)held.LocalEndPoint!).Port;
        var tftp = Folder("tftp");
        var config = Path.Combine(_work, "loopback.conf");
        File.WriteAllText(config, $"""
            interface=lo
            dhcp-range=127.0.0.0,proxy
            dhcp-alternate-port={port}
            pxe-prompt="Boot", 3
            pxe-service=X86PC,"Local disk",0
            enable-tftp=lo
            tftp-root={tftp}
            metrics-listen=127.0.0.1:{port}
            """);

        var outcome = Netboot(_work, Folder("tmp"), "serve", "--test", "-C", config);

        Assert.Equal(0, outcome.ExitCode);
        Assert.Equal("", outcome.Stdout);
        Assert.Equal("netboot: syntax check OK.\n", outcome.Stderr);
        // The port is still ours alone: a second listener on it is refused.
        using var second = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        Assert.Equal(SocketError.AddressAlreadyInUse,
            Assert.Throws<SocketException>(() => second.Bind(new IPEndPoint(IPAddress.Loopback, port))).SocketErrorCode);
    }

    [Fact]
    public void Serve_test_of_a_bad_configuration_prints_the_error_and_exits_1()
    {
        var config = Path.Combine(_work, "bad.conf");
        File.WriteAllText(config, "port=0\ndhcp-range=e0,10.0.0.1,10.0.0.9\n");

        var outcome = Netboot(_work, Folder("tmp"), "serve", "--test", "-C", config);

        Assert.Equal(1, outcome.ExitCode);
        Assert.StartsWith($"netboot: bad dhcp-range at line 2 of {config}\n", outcome.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("syntax check OK", outcome.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Check_and_leases_without_a_configuration_leave_no_file_in_the_working_folder_or_the_temporary_folder()
    {
        var directory = Folder("cwd");
        var temp = Folder("tmp");

        var check = Netboot(directory, temp, "check");
        var leases = Netboot(directory, temp, "leases");

        Assert.Equal(0, check.ExitCode);
        Assert.StartsWith("netboot: no configuration given; using the embedded default", check.Stdout, StringComparison.Ordinal);
        Assert.Contains($"tftp-root={Path.Combine(directory, "tftpboot")}", check.Stdout, StringComparison.Ordinal);
        // The embedded default's boot files are not there, and check says so, with the package.
        Assert.Contains($"boot file pxelinux.0 is not in {Path.Combine(directory, "tftpboot")}: install the Debian package pxelinux", check.Stdout, StringComparison.Ordinal);
        Assert.Contains("boot file bootx64.efi is not in", check.Stdout, StringComparison.Ordinal);
        Assert.Equal(1, leases.ExitCode);
        Assert.Equal($"netboot: no lease database at {Path.Combine(temp, "no-leases-here.sqlite")}\n", leases.Stderr);
        Assert.Empty(Directory.EnumerateFileSystemEntries(directory));
        Assert.Empty(Directory.EnumerateFileSystemEntries(temp));
        Assert.False(File.Exists($"/tmp/netboot-default-{check.ProcessId}.conf"));
        Assert.False(File.Exists($"/tmp/netboot-default-{leases.ProcessId}.conf"));
    }

    [Fact]
    public void Check_without_a_configuration_where_its_tftp_folder_cannot_be_created_says_so_in_one_line_and_exits_1()
    {
        var directory = Folder("blocked");
        File.WriteAllText(Path.Combine(directory, "tftpboot"), "a file where the folder would go");

        var check = Netboot(directory, Folder("tmp"), "check");

        Assert.Equal(1, check.ExitCode);
        Assert.Equal($"netboot: cannot create {directory}/tftpboot, the TFTP folder of the embedded default ({directory}/tftpboot is a file): "
            + "run netboot from a folder it may write to, or give a configuration with -C FILE\n", check.Stderr);
    }

    [Fact]
    public void Serve_creating_the_default_tftp_folder_reports_a_failure_as_one_line_not_an_exception()
    {
        var blocker = Path.Combine(_work, "file");
        File.WriteAllText(blocker, "not a folder");

        var error = EmbeddedDefault.CreateTftpRoot(Path.Combine(blocker, "tftpboot"));

        Assert.NotNull(error);
        Assert.StartsWith($"cannot create {blocker}/tftpboot, the TFTP folder of the embedded default (", error.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain('\n', error.ToString());
        Assert.Null(EmbeddedDefault.CreateTftpRoot(Path.Combine(_work, "made", "tftpboot")));
        Assert.True(Directory.Exists(Path.Combine(_work, "made", "tftpboot")));
    }

    public void Dispose() => Directory.Delete(_work, recursive: true);
}

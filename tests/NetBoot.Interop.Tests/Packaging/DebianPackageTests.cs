using System.Text.RegularExpressions;
using NetBoot.Interop.Tests.Lab;
using NetBoot.Testing;
using Xunit.Abstractions;

namespace NetBoot.Interop.Tests.Packaging;

/// <summary>
/// Issue 16: the real Debian package, built by packaging/build-deb.sh (NativeAOT), checked by lintian, installed with
/// dpkg on this host, run the way its systemd unit runs it (as the netboot user with the unit's capabilities, inside a
/// network namespace this test creates), reinstalled over an edited conffile, and purged without a trace.
/// </summary>
[Trait("Category", "Interop")]
public sealed partial class DebianPackageTests(DebianPackageBuild build, ITestOutputHelper output) : IClassFixture<DebianPackageBuild>
{
    private const string Unit = "/lib/systemd/system/netboot.service";
    private const string Conffile = "/etc/netboot/netboot.conf";

    [Fact]
    public void Lintian_finds_no_error_in_the_package()
    {
        output.WriteLine($"NativeAOT build and package: {build.BuildTime.TotalSeconds:0} s");

        var (code, tags, stderr) = Shell.Execute("lintian", "--display-info", "--tag-display-limit", "0", build.PackagePath);

        output.WriteLine(tags);
        Assert.True(code == 0, $"lintian exited {code}:\n{tags}{stderr}");
        Assert.DoesNotMatch(new Regex("^E: ", RegexOptions.Multiline), tags);
    }

    [Fact]
    public async Task Installed_package_agrees_on_its_version_serves_as_the_netboot_user_keeps_an_edited_conffile_and_purges_cleanly()
    {
        try
        {
            Dpkg("-i", build.PackagePath);

            Assert.Equal(build.Version, Run("/usr/bin/netboot", "--version").Trim());
            Assert.Equal(build.Version, Run("dpkg-query", "-W", "-f=${Version}", "netboot"));
            var account = Run("getent", "passwd", "netboot").Trim().Split(':');
            Assert.True(int.Parse(account[2]) < 1000, $"netboot must be a system user: {string.Join(':', account)}");
            Assert.Equal(DebianPackageBuild.StateDirectory, account[5]);
            Assert.Equal("/usr/sbin/nologin", account[6]);
            Assert.Equal("netboot:netboot 750", Run("stat", "-c", "%U:%G %a", DebianPackageBuild.StateDirectory).Trim());
            Assert.Contains(Conffile, Run("dpkg-query", "-W", "-f=${Conffiles}", "netboot"), StringComparison.Ordinal);
            Assert.True(File.Exists("/usr/share/man/man8/netboot.8.gz") && File.Exists("/usr/share/man/man5/netboot.conf.5.gz"));
            // The unit is valid as systemd reads it (commands exist, man pages named in Documentation= exist) and enabled.
            Run("systemd-analyze", "verify", Unit);
            Assert.True(File.Exists("/etc/systemd/system/multi-user.target.wants/netboot.service"), "the unit must be enabled");

            await ServeAsTheUnitDoesAsync();

            File.AppendAllText(Conffile, "# edited by DebianPackageTests\n");
            Dpkg("-i", build.PackagePath);
            Assert.EndsWith("# edited by DebianPackageTests\n", File.ReadAllText(Conffile), StringComparison.Ordinal);

            Dpkg("-P", "netboot");
            Assert.Equal("not-installed", DebianPackageBuild.Status());
            string[] gone =
            [
                "/usr/bin/netboot", "/usr/lib/netboot", "/etc/netboot", DebianPackageBuild.StateDirectory, Unit,
                "/etc/systemd/system/multi-user.target.wants/netboot.service",
                "/var/lib/systemd/deb-systemd-helper-enabled/netboot.service.dsh-also",
                "/var/lib/systemd/deb-systemd-helper-masked/netboot.service",
            ];
            Assert.All(gone, path => Assert.False(File.Exists(path) || Directory.Exists(path) || new FileInfo(path).LinkTarget is not null, $"{path} left after purge"));
            Assert.False(Shell.TryRun("getent", "passwd", "netboot"), "user netboot left after purge");
            Assert.False(Shell.TryRun("getent", "group", "netboot"), "group netboot left after purge");
        }
        finally
        {
            if (DebianPackageBuild.Status() != "not-installed")
            {
                Shell.Execute("dpkg", "-P", "netboot");
            }
        }
    }

    /// <summary>The unit's ExecStartPre and ExecStart, run as its User= with its AmbientCapabilities= (setpriv stands in for
    /// systemd, which does not run here), in a namespace with one interface and a leased range added on the command line:
    /// check passes, serve starts with the package's version, creates the lease database in the state folder as netboot,
    /// and stops on SIGTERM with 0; then <c>netboot leases</c> reads that database.</summary>
    private async Task ServeAsTheUnitDoesAsync()
    {
        var unit = File.ReadAllText(Unit);
        var user = UnitValue(unit, "User");
        var capabilities = string.Join(',', UnitValue(unit, "AmbientCapabilities").Split(' ').Select(c => "+" + c[4..].ToLowerInvariant()));
        string[] asUnit = ["setpriv", $"--reuid={user}", $"--regid={user}", "--init-groups", $"--inh-caps={capabilities}", $"--ambient-caps={capabilities}", "--"];

        Assert.Equal(0, Shell.Execute([.. asUnit, .. UnitValue(unit, "ExecStartPre").Split(' ')]).ExitCode);

        using var ns = NetworkNamespace.Create("nbdeb");
        // A veth pair with both ends inside: an interface with an address and nothing beyond it.
        ns.Exec("ip", "link", "add", "nbp0", "type", "veth", "peer", "name", "nbp1");
        ns.Exec("ip", "addr", "add", "10.98.0.1/24", "dev", "nbp0");
        ns.Exec("ip", "link", "set", "nbp0", "up");
        ns.Exec("ip", "link", "set", "nbp1", "up");
        var work = Directory.CreateTempSubdirectory("netboot-deb-serve-").FullName;
        try
        {
            await using var server = LabProcess.Start("netboot", Path.Combine(work, "serve.log"), "ip",
                ["netns", "exec", ns.Name, .. asUnit, .. UnitValue(unit, "ExecStart").Split(' '),
                 "--interface=nbp0", "--dhcp-range=10.98.0.100,10.98.0.150,12h"]);
            await server.Log.WaitForAsync(new Regex($@"started, version {Regex.Escape(build.Version)}\b"), TimeSpan.FromSeconds(30), 0, server.EnsureRunning);
            Assert.Equal("netboot", Run("stat", "-c", "%U", Path.Combine(DebianPackageBuild.StateDirectory, "leases.sqlite")).Trim());
            server.Signal(15);
            Assert.Equal(0, await server.WaitForExitAsync(TimeSpan.FromSeconds(20)));
            output.WriteLine(server.Log.ReadAll());
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
        Assert.Equal(0, Shell.Execute("/usr/bin/netboot", "leases", $"--conf-file={Conffile}").ExitCode);
    }

    private static string UnitValue(string unit, string key) =>
        Regex.Match(unit, $@"^{key}=(?<v>.+)$", RegexOptions.Multiline).Groups["v"].Value.Trim();

    private void Dpkg(params string[] arguments)
    {
        var (code, stdout, stderr) = Shell.Execute(["dpkg", .. arguments]);
        output.WriteLine($"dpkg {string.Join(' ', arguments)}:\n{stdout}{stderr}");
        Assert.True(code == 0, $"dpkg {string.Join(' ', arguments)} exited {code}:\n{stdout}{stderr}");
        Assert.DoesNotContain("warning", stderr, StringComparison.OrdinalIgnoreCase);
    }

    private static string Run(params string[] command) => Shell.Run(command);
}

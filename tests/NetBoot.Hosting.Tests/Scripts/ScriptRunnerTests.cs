using System.Net;
using Microsoft.Extensions.Logging.Abstractions;
using NetBoot.Configuration.Parsing;
using NetBoot.Hosting.Privileges;
using NetBoot.Hosting.Scripts;

namespace NetBoot.Hosting.Tests.Scripts;

/// <summary><c>dhcp-script</c> for TFTP transfers (<c>tftp SIZE ADDRESS FILE</c>, helper.c) and <c>dhcp-scriptuser</c>.</summary>
public sealed class ScriptRunnerTests : IDisposable
{
    private readonly DirectoryInfo _folder = Directory.CreateTempSubdirectory("netboot-script-");

    [Fact]
    public void Tftp_call_has_dnsmasqs_arguments_and_no_lease_variables()
    {
        var start = ScriptRunner.TftpStart("/usr/local/bin/hook", 26_735, IPAddress.Parse("10.0.0.5"), "/srv/tftp/pxelinux.0");

        Assert.Equal(["tftp", "26735", "10.0.0.5", "/srv/tftp/pxelinux.0"], start.ArgumentList);
        Assert.Equal(["PATH"], start.Environment.Keys);
    }

    [Fact]
    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    public async Task Calls_run_one_at_a_time_in_the_order_posted()
    {
        var output = Path.Combine(_folder.FullName, "calls.txt");
        var script = Path.Combine(_folder.FullName, "hook.sh");
        File.WriteAllText(script, $"#!/bin/sh\necho \"$@\" >> {output}\n");
        File.SetUnixFileMode(script, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var runner = new ScriptRunner(script, null, NullLogger.Instance);
        var loop = runner.RunAsync(CancellationToken.None);

        runner.Post(ScriptRunner.TftpStart(script, 100, IPAddress.Parse("10.0.0.5"), "/srv/tftp/a"), "tftp", "10.0.0.5");
        runner.Post(ScriptRunner.TftpStart(script, 200, IPAddress.Parse("10.0.0.6"), "/srv/tftp/b c"), "tftp", "10.0.0.6");
        runner.Complete();
        await loop.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(["tftp 100 10.0.0.5 /srv/tftp/a", "tftp 200 10.0.0.6 /srv/tftp/b c"], File.ReadAllLines(output));
    }

    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    private string Script(string body)
    {
        var script = Path.Combine(_folder.FullName, "hook-" + Guid.NewGuid().ToString("N")[..6] + ".sh");
        File.WriteAllText(script, "#!/bin/sh\n" + body + "\n");
        File.SetUnixFileMode(script, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        return script;
    }

    [Fact]
    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    public async Task Leasefile_ro_init_reads_the_lease_database_the_script_prints()
    {
        var script = Script("""[ "$1" = init ] && echo "0 52:54:00:12:34:56 192.168.67.20 thin01 *" """);

        var (leases, rejected, error) = await LeaseInit.RunAsync(new ScriptRunner(script, null, NullLogger.Instance), DateTimeOffset.UtcNow, CancellationToken.None);

        Assert.Null(error);
        Assert.Empty(rejected);
        Assert.Equal(("192.168.67.20", "thin01"), (Assert.Single(leases).Address.ToString(), leases[0].HostName));
    }

    [Fact]
    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    public async Task Leasefile_ro_init_that_fails_stops_start_up_with_its_exit_code()
    {
        var script = Script("exit 3");

        var (_, _, error) = await LeaseInit.RunAsync(new ScriptRunner(script, null, NullLogger.Instance), DateTimeOffset.UtcNow, CancellationToken.None);

        Assert.Equal($"lease-init script {script} returned exit code 3", error);
    }

    private static NetBoot.Configuration.Model.ServerConfig Config(string text) => DnsmasqConfigReader.Parse(text).Config!;

    [Fact]
    public void Script_user_must_exist()
    {
        var problem = PrivilegeDrop.ScriptUserProblem(Config("dhcp-script=/bin/true\ndhcp-scriptuser=nosuchuser"), _ => false);

        Assert.NotNull(problem);
        Assert.Contains("unknown user nosuchuser", problem.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Script_user_other_than_the_server_account_is_refused_with_a_way_out()
    {
        var problem = PrivilegeDrop.ScriptUserProblem(Config("user=netboot\ndhcp-script=/bin/true\ndhcp-scriptuser=root"), _ => true);

        Assert.NotNull(problem);
        Assert.Contains("cannot start dhcp-script as root", problem.ToString(), StringComparison.Ordinal);
        Assert.Contains("dhcp-scriptuser=netboot", problem.Hint, StringComparison.Ordinal);
    }

    [Fact]
    public void Script_user_equal_to_the_server_account_or_without_user_is_accepted()
    {
        Assert.Null(PrivilegeDrop.ScriptUserProblem(Config("user=netboot\ndhcp-scriptuser=netboot"), _ => true));
        Assert.Null(PrivilegeDrop.ScriptUserProblem(Config("dhcp-scriptuser=nobody"), _ => true));
    }

    public void Dispose() => _folder.Delete(recursive: true);
}

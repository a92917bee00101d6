using System.Text.RegularExpressions;
using NetBoot.Interop.Tests.Lab;
using NetBoot.Interop.Tests.Servers;
using NetBoot.Testing;

namespace NetBoot.Interop.Tests;

/// <summary><c>user=</c>/<c>group=</c> on the published <c>netboot serve</c> started as root: every thread runs as the
/// account once the sockets are bound, with no capability left, and it still serves DHCP, 4011 and TFTP and reloads;
/// a wrong name fails start-up with file and line; a server that is not root says it cannot switch.</summary>
[Trait("Category", "Interop")]
public class PrivilegeDropTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);

    private static string Netboot => Path.Combine(NetBootServer.PublishDirectory, "netboot");

    /// <summary>The Uid/Gid/CapEff/Groups lines of every thread of <paramref name="pid"/>.</summary>
    private static IEnumerable<string> ThreadStatus(int pid, string field) =>
        Directory.GetDirectories($"/proc/{pid}/task")
            .Select(task => File.ReadAllLines(Path.Combine(task, "status")).Single(l => l.StartsWith(field + ":", StringComparison.Ordinal)))
            .Select(line => Regex.Replace(line[(field.Length + 1)..].Trim(), @"\s+", " "));

    [Fact]
    public async Task Started_as_root_with_user_nobody_it_runs_as_nobody_without_capabilities_and_still_serves_and_reloads()
    {
        await using var lab = await NamespaceLab.CreateAsync();
        var scenario = LtspScenario.Create(lab.WorkDirectory);
        File.AppendAllText(scenario.ConfigPath, "\nuser=nobody\ngroup=nogroup\n");
        // A file only root may read, inside the TFTP root: after the drop, TFTP must not be able to send it.
        var secret = Path.Combine(scenario.TftpRoot, "secret.bin");
        File.WriteAllText(secret, "root only");
        File.SetUnixFileMode(secret, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        var router = lab.StartRouter();
        await lab.WaitForUdpPortsAsync(lab.RouterNamespace, [67], Patience, router);
        var server = new NetBootServer().Start(lab, scenario);
        await server.Log.WaitForAsync(new Regex(@"dropped privileges to user nobody \(uid 65534\), group nogroup \(gid 65534\)"), TimeSpan.FromSeconds(60), stillAlive: server.EnsureRunning);

        // ip netns exec execs the server in place: the lab process id is the server's.
        Assert.All(ThreadStatus(server.Id, "Uid"), uid => Assert.Equal("65534 65534 65534 65534", uid));
        Assert.All(ThreadStatus(server.Id, "Gid"), gid => Assert.Equal("65534 65534 65534 65534", gid));
        Assert.All(ThreadStatus(server.Id, "Groups"), groups => Assert.Equal("65534", groups));
        Assert.All(ThreadStatus(server.Id, "CapEff"), caps => Assert.Equal("0000000000000000", caps));
        Assert.All(ThreadStatus(server.Id, "CapPrm"), caps => Assert.Equal("0000000000000000", caps));

        var report = AddressChangeTests.Probe(lab);
        Assert.Contains($"answers boot item 0x8000 with boot file {LtspScenario.BootFile} on {LabNetwork.ServerAddress}", report, StringComparison.Ordinal);
        var (code, output) = AddressChangeTests.TftpGet(lab, LabNetwork.ServerAddress, LtspScenario.BootFile);
        Assert.True(code == 0, $"tftp-get of the boot file failed ({code}): {output}");
        var (secretCode, secretOutput) = AddressChangeTests.TftpGet(lab, LabNetwork.ServerAddress, "/secret.bin");
        Assert.True(secretCode != 0, $"a root-only file was served after the drop: {secretOutput}");

        // Reload after the drop: the configuration is re-read as nobody (the lab folder is world-readable).
        // A new user= cannot take effect in a running server: said so, the rest is reloaded, the account stays.
        File.WriteAllText(scenario.ConfigPath, File.ReadAllText(scenario.ConfigPath)
            .Replace("Press F8 for boot menu", "Press F8 now", StringComparison.Ordinal)
            .Replace("user=nobody", "user=daemon", StringComparison.Ordinal));
        server.Signal(1);
        await server.Log.WaitForAsync(new Regex("a change of user= or group= takes effect at the next start"), Patience, stillAlive: server.EnsureRunning);
        await server.Log.WaitForAsync(new Regex("configuration reloaded from"), Patience, stillAlive: server.EnsureRunning);
        var reloaded = AddressChangeTests.Probe(lab);
        Assert.Contains("shows \"Press F8 now\"", reloaded, StringComparison.Ordinal);
        Assert.All(ThreadStatus(server.Id, "Uid"), uid => Assert.Equal("65534 65534 65534 65534", uid));
    }

    private static string LoopbackConfig(string directory, string extra)
    {
        var path = Path.Combine(directory, "netboot.conf");
        File.WriteAllText(path, $"""
            interface=lo
            dhcp-range=127.0.0.0,proxy
            pxe-service=X86PC, "Boot from network", pxelinux
            {extra}
            """);
        return path;
    }

    [Fact]
    public async Task An_unknown_user_fails_start_up_with_file_and_line_before_binding()
    {
        using var netns = NetworkNamespace.Create("nbpriv");
        var directory = Directory.CreateTempSubdirectory("netboot-priv-").FullName;
        try
        {
            var config = LoopbackConfig(directory, "user=no-such-netboot-user");
            await using var server = LabProcess.Start("bad-user", Path.Combine(directory, "bad-user.log"), "ip",
                ["netns", "exec", netns.Name, Netboot, "serve", "-C", config]);

            Assert.Equal(1, await server.WaitForExitAsync(Patience));
            var log = server.Log.ReadAll();
            Assert.Contains($"netboot: unknown user no-such-netboot-user at line 4 of {config}", log, StringComparison.Ordinal);
            Assert.Contains("hint: create it", log, StringComparison.Ordinal);
            Assert.Contains("FAILED to start up", log, StringComparison.Ordinal);
            Assert.DoesNotContain("listening on", log, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public async Task Not_started_as_root_user_is_reported_as_ignored_and_it_serves_as_it_was_started()
    {
        using var netns = NetworkNamespace.Create("nbpriv");
        var directory = Directory.CreateTempSubdirectory("netboot-priv-").FullName;
        File.SetUnixFileMode(directory, (UnixFileMode)0b111_101_101);
        try
        {
            var config = LoopbackConfig(directory, "user=daemon");
            // As the systemd unit starts it: an ordinary account with only the capabilities to bind the ports.
            await using var server = LabProcess.Start("not-root", Path.Combine(directory, "not-root.log"), "ip",
            [
                "netns", "exec", netns.Name, "setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups",
                "--inh-caps=+net_bind_service,+net_raw", "--ambient-caps=+net_bind_service,+net_raw",
                Netboot, "serve", "-C", config,
            ]);

            await server.Log.WaitForAsync(new Regex(@"started, version"), Patience, stillAlive: server.EnsureRunning);
            var log = server.Log.ReadAll();
            Assert.Contains($"user=daemon at line 4 of {config}: ignored, NetBoot is not running as root (uid 65534)", log, StringComparison.Ordinal);
            Assert.DoesNotContain("dropped privileges", log, StringComparison.Ordinal);
            Assert.All(ThreadStatus(server.Id, "Uid"), uid => Assert.Equal("65534 65534 65534 65534", uid));
            server.Signal(15);
            Assert.Equal(0, await server.WaitForExitAsync(Patience));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}

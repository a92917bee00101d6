using System.Text.RegularExpressions;
using NetBoot.Interop.Tests.Lab;
using NetBoot.Testing;

namespace NetBoot.Interop.Tests.Servers;

/// <summary>The server under test: <c>&lt;publish dir&gt;/netboot serve -C &lt;adapted conf&gt;</c>, its log on stderr.
/// The publish folder comes from <c>NETBOOT_PUBLISH_DIR</c> (scripts/test sets it); without it the CLI is
/// published once per test run into <c>netboot-publish/</c> beside the test assembly.</summary>
public sealed class NetBootServer : IPxeServerUnderTest
{
    private static readonly Lazy<Task<string>> s_publishDirectory = new(PublishAsync);

    /// <summary>The folder holding the published <c>netboot</c> executable.</summary>
    public static string PublishDirectory => PublishDirectoryAsync().GetAwaiter().GetResult();

    public string Name => "netboot";

    /// <summary>The folder holding the published <c>netboot</c> executable (published once per test run).</summary>
    public static Task<string> PublishDirectoryAsync() => s_publishDirectory.Value;

    public ServerLogExpectations Log => NetBootLog;

    public LabProcess Start(NamespaceLab lab, LtspScenario scenario)
    {
        var directory = s_publishDirectory.Value.GetAwaiter().GetResult();
        // The lease database beside the scenario's configuration, never the machine's /var/lib/netboot (an IPv6 or a
        // full-DHCP range opens one).
        var database = Path.Combine(Path.GetDirectoryName(scenario.ConfigPath)!, "leases.sqlite");
        return lab.Start("server", lab.ServerNamespace, "env",
            [$"NETBOOT_LEASE_DB={database}", Path.Combine(directory, "netboot"), "serve", "-C", scenario.ConfigPath]);
    }

    // ================================================================================================
    // NETBOOT LOG ASSERTIONS: the one place to adjust when `netboot serve` settles its log format.
    // Today they expect dnsmasq's log-dhcp wording (spec/pxe-behaviour.md, "Logging"), without relying
    // on dnsmasq's "dnsmasq-dhcp[pid]:" prefix or on the transaction id before it.
    // ================================================================================================
    public static ServerLogExpectations NetBootLog { get; } = new(
        MenuOffered: mac => new Regex($@"PXE\(\w+\) {Regex.Escape(mac)} proxy", RegexOptions.IgnoreCase),
        BootServerAnswered: (ip, mac, file) =>
            new Regex($@"PXE\(\w+\) {Regex.Escape(ip)} {Regex.Escape(mac)} {Regex.Escape(file)}", RegexOptions.IgnoreCase),
        FileSent: (path, ip) => new Regex($@"sent \S*/{Regex.Escape(path)} to {Regex.Escape(ip)}\b", RegexOptions.IgnoreCase),
        // Any transfer outcome (sent, size probe, failure, refusal); not the start-up line "TFTP listening on …".
        AnyTftpActivity: new Regex(@"\bsent \S+ to\b|\bsize of \S+ told to\b|\bfailed sending\b|\bTFTP request for\b", RegexOptions.IgnoreCase));
    // ================================================================================================

    private static async Task<string> PublishAsync()
    {
        if (Environment.GetEnvironmentVariable("NETBOOT_PUBLISH_DIR") is { Length: > 0 } given)
        {
            return given;
        }
        var output = Path.Combine(AppContext.BaseDirectory, "netboot-publish");
        await NamespaceLab.RunAsync("dotnet",
        [
            "publish", Path.Combine(TestPaths.RepositoryRoot, "src", "NetBoot.Cli"), "-c", "Release", "-o", output,
            "--nologo", "-v", "quiet",
        ], TimeSpan.FromMinutes(10));
        return output;
    }
}

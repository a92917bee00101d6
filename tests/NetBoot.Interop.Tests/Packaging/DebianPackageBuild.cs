using System.Diagnostics;
using System.Text.RegularExpressions;
using NetBoot.Testing;

namespace NetBoot.Interop.Tests.Packaging;

/// <summary>
/// The package under test, built once for the class by <c>packaging/build-deb.sh</c>. A NativeAOT build takes minutes:
/// with <c>NETBOOT_AOT_DIR</c> set the script reuses the build in that folder (or leaves its build there for the next
/// run); without it the build goes to a temporary folder. Refuses to start where a netboot package, user or state
/// folder already exists: the lifecycle test installs and purges the real package and must destroy nobody's state.
/// </summary>
public sealed partial class DebianPackageBuild : IDisposable
{
    public const string StateDirectory = "/var/lib/netboot";

    private static readonly TimeSpan BuildLimit = TimeSpan.FromMinutes(10);

    private readonly string _work = Directory.CreateTempSubdirectory("netboot-deb-").FullName;

    public DebianPackageBuild()
    {
        RequireCleanHost();
        Version = ReadVersion();
        var publish = Environment.GetEnvironmentVariable("NETBOOT_AOT_DIR") is { Length: > 0 } given ? given : Path.Combine(_work, "aot");
        var clock = Stopwatch.StartNew();
        var (code, stdout, stderr) = Shell.Execute(BuildLimit,
            Path.Combine(TestPaths.RepositoryRoot, "packaging", "build-deb.sh"), "--publish-dir", publish, Path.Combine(_work, "out"));
        BuildTime = clock.Elapsed;
        BuildLog = stderr;
        if (code != 0)
        {
            throw new InvalidOperationException($"packaging/build-deb.sh exited {code}:\n{stderr}");
        }
        PackagePath = stdout.Trim().Split('\n')[^1];
    }

    /// <summary><c>&lt;Version&gt;</c> of Directory.Build.props: what the package, <c>--version</c> and the log must say.</summary>
    public string Version { get; }

    public string PackagePath { get; }

    public TimeSpan BuildTime { get; }

    public string BuildLog { get; }

    [GeneratedRegex("<Version>(?<v>[^<]+)</Version>")]
    private static partial Regex VersionElement();

    public static string ReadVersion() =>
        VersionElement().Match(File.ReadAllText(Path.Combine(TestPaths.RepositoryRoot, "Directory.Build.props"))).Groups["v"].Value;

    /// <summary>dpkg's state of the netboot package: <c>installed</c>, <c>config-files</c>…, or <c>not-installed</c>
    /// (also when dpkg has never heard of it, where dpkg-query fails).</summary>
    public static string Status()
    {
        var (code, status, _) = Shell.Execute("dpkg-query", "-W", "-f=${db:Status-Status}", "netboot");
        return code == 0 && status.Length > 0 ? status : "not-installed";
    }

    private static void RequireCleanHost()
    {
        if (Environment.UserName != "root")
        {
            throw new InvalidOperationException("The package tests install a Debian package: run them as root (scripts/test does).");
        }
        var status = Status();
        var leftovers = new List<string>();
        if (status != "not-installed")
        {
            leftovers.Add($"the netboot package is {status} (dpkg -P netboot)");
        }
        if (Shell.TryRun("getent", "passwd", "netboot"))
        {
            leftovers.Add("a netboot user exists (deluser --system netboot)");
        }
        if (Directory.Exists(StateDirectory))
        {
            leftovers.Add($"{StateDirectory} exists (a netboot serve run as root without NETBOOT_LEASE_DB leaves it)");
        }
        if (leftovers.Count > 0)
        {
            throw new InvalidOperationException("The package test installs and purges netboot and would destroy what is there: "
                + string.Join("; ", leftovers));
        }
    }

    public void Dispose() => Directory.Delete(_work, recursive: true);
}

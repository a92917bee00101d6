using System.Text.Json;
using System.Text.RegularExpressions;
using NetBoot.Interop.Tests.Lab;
using NetBoot.Testing;

namespace NetBoot.Interop.Tests.Dhcp;

/// <summary>A server namespace (netboot) and client namespaces joined by veth pairs, for real DHCP clients. Each lab
/// has its own work folder (config, lease database, dnsmasq-format lease file, client lease files, logs), removed on
/// disposal unless a test failed (then kept and named in the message).</summary>
/// <remarks><code>
/// [srv] nbs0 10.78.0.1/24 ── veth ── nbc0 [cli]           (owned range 10.78.0.20-10.78.0.60)
/// [srv] nbs1 (second NIC, on demand) ── veth ── nbc1 [cli2]
/// </code></remarks>
public sealed class DhcpLab : IAsyncDisposable
{
    private static readonly Lazy<Task<string>> s_publishDirectory = new(PublishAsync);
    private readonly List<NetworkNamespace> _namespaces = [];
    private readonly List<string> _createdFiles = [];
    private LabProcess? _server;

    private DhcpLab(string workDirectory)
    {
        WorkDirectory = workDirectory;
        Server = Add(NetworkNamespace.Create("nbd-srv"));
        Client = Add(NetworkNamespace.Create("nbd-cli"));
        NetworkNamespace.Link(Server, "nbs0", "10.78.0.1/24", Client, "nbc0", "0.0.0.0/32");
        Client.Exec("ip", "addr", "flush", "dev", "nbc0");
    }

    public NetworkNamespace Server { get; }

    public NetworkNamespace Client { get; }

    public string WorkDirectory { get; }

    public string DatabasePath => Path.Combine(WorkDirectory, "leases.sqlite");

    public string LeaseFilePath => Path.Combine(WorkDirectory, "dnsmasq.leases");

    public LabProcess ServerProcess => _server ?? throw new InvalidOperationException("the server is not running");

    public bool Keep { get; set; }

    /// <summary>The published <c>netboot</c> folder (NETBOOT_PUBLISH_DIR, or published once per test run).</summary>
    public static Task<string> PublishDirectory => s_publishDirectory.Value;

    public static DhcpLab Create() => new(Directory.CreateTempSubdirectory("netboot-dhcp-lab-").FullName);

    /// <summary>A second NIC: <paramref name="serverInterface"/> in the server namespace with <paramref name="serverCidr"/>,
    /// joined to a new client namespace whose end (<paramref name="clientInterface"/>) has no address.</summary>
    public NetworkNamespace AddLink(string serverInterface, string serverCidr, string clientInterface)
    {
        var ns = Add(NetworkNamespace.Create("nbd-cl2"));
        NetworkNamespace.Link(Server, serverInterface, serverCidr, ns, clientInterface, "0.0.0.0/32");
        ns.Exec("ip", "addr", "flush", "dev", clientInterface);
        return ns;
    }

    /// <summary>Gives the server's first NIC another network (e.g. the private side of a two-NIC example).</summary>
    public void Readdress(string serverCidr)
    {
        Server.Exec("ip", "addr", "flush", "dev", "nbs0");
        Server.Exec("ip", "addr", "add", serverCidr, "dev", "nbs0");
    }

    public NetworkNamespace Add(NetworkNamespace ns)
    {
        _namespaces.Add(ns);
        return ns;
    }

    /// <summary>Writes the configuration (plus the lease file line) and starts <c>netboot serve</c> in the server
    /// namespace; returns once it has opened its sockets.</summary>
    public Task StartServerAsync(string config) => StartServerAsync(config, [], DatabasePath);

    /// <summary>As above, with <paramref name="wrapper"/> run before netboot inside the namespace (e.g. <c>unshare
    /// --mount</c> and a tmpfs for the lease database at <paramref name="databasePath"/>); the wrapper must exec its
    /// arguments so the process id stays netboot's.</summary>
    public async Task StartServerAsync(string config, string[] wrapper, string databasePath, bool waitForStart = true)
    {
        var path = Path.Combine(WorkDirectory, "netboot.conf");
        await File.WriteAllTextAsync(path, config + $"\ndhcp-leasefile={LeaseFilePath}\n");
        var directory = await s_publishDirectory.Value;
        var name = _starts++ == 0 ? "server" : $"server-{_starts}";
        _server = LabProcess.Start(name, Path.Combine(WorkDirectory, name + ".log"), "ip",
        [
            "netns", "exec", Server.Name, .. wrapper, "env", $"NETBOOT_LEASE_DB={databasePath}", "NETBOOT_LOG_LEVEL=Information",
            Path.Combine(directory, "netboot"), "serve", "-C", path,
        ]);
        if (waitForStart)
        {
            // "started" is logged after every service has opened its sockets.
            await _server.Log.WaitForAsync(new Regex(@"started, version"), TimeSpan.FromSeconds(30), 0, _server.EnsureRunning);
        }
    }

    private int _starts;

    /// <summary>Ends the server at once, as a crash would (SIGKILL: no shutdown code runs).</summary>
    public async Task KillServerAsync()
    {
        var pids = Shell.Run("ip", "netns", "pids", Server.Name).Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        foreach (var pid in pids)
        {
            Shell.TryRun("kill", "-9", pid);
        }
        await ServerProcess.DisposeAsync();
        _server = null;
    }

    /// <summary>Runs a client command in <paramref name="ns"/> with a time limit; returns its exit code and output.</summary>
    public static (int ExitCode, string Output) RunClient(NetworkNamespace ns, TimeSpan limit, params string[] command)
    {
        var (code, stdout, stderr) = Shell.Execute(["ip", "netns", "exec", ns.Name, "timeout", "-s", "KILL", ((int)limit.TotalSeconds).ToString(System.Globalization.CultureInfo.InvariantCulture), .. command]);
        return (code, stdout + stderr);
    }

    /// <summary>A script for dhclient's <c>-sf</c> that only sets or removes the address inside the namespace (the stock
    /// dhclient-script would also touch the host's /etc/resolv.conf).</summary>
    public string DhclientScript()
    {
        var path = Path.Combine(WorkDirectory, "dhclient-script");
        File.WriteAllText(path, """
            #!/bin/sh
            case "$reason" in
              BOUND|RENEW|REBIND|REBOOT) ip addr replace "$new_ip_address/${new_subnet_mask:-255.255.255.0}" dev "$interface" ;;
              RELEASE|EXPIRE|FAIL|STOP) [ -n "$old_ip_address" ] && ip addr del "$old_ip_address/${old_subnet_mask:-255.255.255.0}" dev "$interface" ;;
              PREINIT) ip link set "$interface" up ;;
            esac
            exit 0
            """);
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        return path;
    }

    /// <summary>Remembers a file a client wrote outside the work folder (dhcpcd's lease) so disposal removes it.</summary>
    public void Owns(string path) => _createdFiles.Add(path);

    /// <summary><c>netboot leases --json</c> against this lab's database.</summary>
    public Task<List<LeaseRow>> LeasesAsync() => LeasesAsync(DatabasePath, Path.Combine(WorkDirectory, "netboot.conf"));

    /// <summary><c>netboot leases --json</c> against any lease database and configuration.</summary>
    public static async Task<List<LeaseRow>> LeasesAsync(string database, string configPath)
    {
        var directory = await s_publishDirectory.Value;
        var (code, stdout, stderr) = Shell.Execute("env", $"NETBOOT_LEASE_DB={database}", Path.Combine(directory, "netboot"), "leases", "--json",
            "-C", configPath);
        Assert.True(code == 0, stderr);
        return JsonSerializer.Deserialize<List<LeaseRow>>(stdout, new JsonSerializerOptions { PropertyNameCaseInsensitive = true })!;
    }

    public sealed record LeaseRow(string Address, string HardwareAddress, string? ClientId, string? Hostname, string? Expires, bool Active);

    public string Failure(string message) => $"{message}\nwork folder kept: {WorkDirectory}\n{_server?.Log.Tail()}";

    public async ValueTask DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
        foreach (var ns in Enumerable.Reverse(_namespaces))
        {
            ns.Dispose();
        }
        foreach (var file in _createdFiles)
        {
            File.Delete(file);
        }
        if (!Keep)
        {
            Directory.Delete(WorkDirectory, recursive: true);
        }
    }

    private static async Task<string> PublishAsync()
    {
        if (Environment.GetEnvironmentVariable("NETBOOT_PUBLISH_DIR") is { Length: > 0 } given)
        {
            return given;
        }
        var output = Path.Combine(AppContext.BaseDirectory, "netboot-publish");
        await NamespaceLab.RunAsync("dotnet",
        [
            "publish", Path.Combine(TestPaths.RepositoryRoot, "src", "NetBoot.Cli"), "-c", "Release", "-o", output, "--nologo", "-v", "quiet",
        ], TimeSpan.FromMinutes(10));
        return output;
    }
}

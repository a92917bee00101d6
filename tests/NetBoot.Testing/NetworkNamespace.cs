using System.Diagnostics;
using System.Runtime.InteropServices;

namespace NetBoot.Testing;

/// <summary>A network namespace owned by one test: created with a unique name, removed on dispose.
/// <see cref="Run{T}"/> runs code on a thread that has entered the namespace, so sockets opened there live in it
/// (a socket keeps its namespace for life, whichever thread uses it later). Needs root.</summary>
public sealed class NetworkNamespace : IDisposable
{
    private const int CloneNewNet = 0x40000000;

    private NetworkNamespace(string name) => Name = name;

    public string Name { get; }

    public static NetworkNamespace Create(string prefix)
    {
        var name = $"{prefix}-{Environment.ProcessId}-{Guid.NewGuid().ToString("N")[..6]}";
        Shell.Run("ip", "netns", "add", name);
        // `ip netns exec` bind-mounts /etc/netns/<name>/* over /etc in its private mount namespace: a DHCP client's
        // hook that rewrites /etc/resolv.conf then writes this throw-away file, never the host's.
        Directory.CreateDirectory(EtcDirectory(name));
        File.WriteAllText(Path.Combine(EtcDirectory(name), "resolv.conf"), "");
        var ns = new NetworkNamespace(name);
        ns.Exec("ip", "link", "set", "lo", "up");
        return ns;
    }

    /// <summary>This namespace's <c>/etc</c> overlay: each entry replaces <c>/etc/&lt;entry&gt;</c> for the commands run by
    /// <c>ip netns exec</c> (a client's configuration without touching the host's). Removed with the namespace.</summary>
    public string EtcOverlay => EtcDirectory(Name);

    /// <summary>Runs a command inside the namespace and returns its standard output; throws when it fails.</summary>
    public string Exec(params string[] command) => Shell.Run(["ip", "netns", "exec", Name, .. command]);

    /// <summary>Starts a long-running process inside the namespace; the caller owns and ends it.</summary>
    public Process Start(string stdoutPath, string stderrPath, params string[] command) =>
        Shell.Start(stdoutPath, stderrPath, ["ip", "netns", "exec", Name, .. command]);

    /// <summary>Runs <paramref name="action"/> on a fresh thread that has entered this namespace.</summary>
    public T Run<T>(Func<T> action)
    {
        T result = default!;
        Exception? failure = null;
        var thread = new Thread(() =>
        {
            try
            {
                using var handle = File.OpenHandle($"/var/run/netns/{Name}");
                if (setns(handle.DangerousGetHandle().ToInt32(), CloneNewNet) != 0)
                {
                    throw new InvalidOperationException($"setns({Name}) failed: errno {Marshal.GetLastPInvokeError()}");
                }
                result = action();
            }
            catch (Exception e)
            {
                failure = e;
            }
        });
        thread.Start();
        thread.Join();
        if (failure is not null)
        {
            throw new InvalidOperationException($"in namespace {Name}: {failure.Message}", failure);
        }
        return result;
    }

    /// <summary>Joins two namespaces with a veth pair and gives each end an address (CIDR).</summary>
    public static void Link(NetworkNamespace a, string aName, string aCidr, NetworkNamespace b, string bName, string bCidr)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        Shell.Run("ip", "link", "add", aName, "netns", a.Name, "type", "veth", "peer", "name", bName, "netns", b.Name);
        a.Exec("ip", "addr", "add", aCidr, "dev", aName);
        b.Exec("ip", "addr", "add", bCidr, "dev", bName);
        a.Exec("ip", "link", "set", aName, "up");
        b.Exec("ip", "link", "set", bName, "up");
    }

    public void Dispose()
    {
        // Whatever still runs in the namespace was started by its test (dhclient, for one, forks into the background
        // once bound): end it, or it would outlive the namespace.
        var (_, pids, _) = Shell.Execute("ip", "netns", "pids", Name);
        foreach (var pid in pids.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            Shell.TryRun("kill", "-9", pid);
        }
        Shell.TryRun("ip", "netns", "delete", Name);
        try
        {
            Directory.Delete(EtcDirectory(Name), recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private static string EtcDirectory(string name) => Path.Combine("/etc/netns", name);

    [DllImport("libc", SetLastError = true)]
    private static extern int setns(int fd, int nstype);
}

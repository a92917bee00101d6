using System.Security.Cryptography;
using System.Text.RegularExpressions;
using NetBoot.Interop.Tests.Lab;
using NetBoot.Interop.Tests.Servers;
using NetBoot.Testing;

namespace NetBoot.Interop.Tests.Tftp;

/// <summary>
/// Two namespaces joined by a veth pair: "srv" runs <c>netboot serve</c> with TFTP only (10.78.0.2, sv0), "cli"
/// runs the TFTP clients (10.78.0.1, cl0). The root holds a file past the 65535-block wrap at blksize 512,
/// a text file with LF, CR LF and a lone CR for netascii, and the hostile fixtures (a symlink out of the root,
/// a FIFO, a device, a directory, an unreadable file). Disposal ends the server and deletes both namespaces.
/// </summary>
public sealed class TftpLab : IAsyncDisposable
{
    public const string ServerAddress = "10.78.0.2";
    public const string ClientAddress = "10.78.0.1";
    public const string ServerInterface = "sv0";
    public const string ClientInterface = "cl0";

    /// <summary>34 MiB: 69 632 blocks at blksize 512, past the 16-bit block number.</summary>
    public const string WrapFile = "wrap.bin";
    public const int WrapFileLength = 34 * 1024 * 1024;
    public const string TextFile = "text.txt";
    public const string SmallFile = "small.bin";
    public const int SmallFileLength = 2 * 1024 * 1024;

    private static readonly byte[] s_text = "first line\nsecond line\r\nlone\rcarriage return\n\nlast line without end"u8.ToArray();

    private TftpLab(NetworkNamespace server, NetworkNamespace client, string work)
    {
        Server = server;
        Client = client;
        WorkDirectory = work;
        Root = Path.Combine(work, "tftp");
    }

    public NetworkNamespace Server { get; }

    public NetworkNamespace Client { get; }

    public string WorkDirectory { get; }

    public string Root { get; }

    public LabProcess? ServerProcess { get; private set; }

    public static byte[] TextContent => s_text;

    /// <summary>Creates the namespaces and the root, and starts netboot with <paramref name="extraDirectives"/>.</summary>
    public static Task<TftpLab> StartAsync(params string[] extraDirectives) => StartAsync((int?)null, extraDirectives);

    /// <summary>As <see cref="StartAsync(string[])"/>, with both ends of the link at <paramref name="mtu"/> (set before
    /// netboot starts: blksize is capped at the interface's MTU − 32; 65535 allows the largest, 65464).</summary>
    public static Task<TftpLab> StartAsync(int? mtu, params string[] extraDirectives) => StartAsync(mtu, null, extraDirectives);

    /// <summary>As <see cref="StartAsync(string[])"/>, after <paramref name="prepare"/> has set up the namespaces further
    /// (IPv6 addresses, more links) with netboot not yet started.</summary>
    public static Task<TftpLab> StartAsync(Action<TftpLab> prepare, params string[] extraDirectives) => StartAsync(null, prepare, extraDirectives);

    private static async Task<TftpLab> StartAsync(int? mtu, Action<TftpLab>? prepare, string[] extraDirectives)
    {
        var server = NetworkNamespace.Create("nbt-srv");
        var client = NetworkNamespace.Create("nbt-cli");
        var work = Directory.CreateTempSubdirectory("netboot-tftp-interop-").FullName;
        var lab = new TftpLab(server, client, work);
        try
        {
            NetworkNamespace.Link(server, ServerInterface, ServerAddress + "/24", client, ClientInterface, ClientAddress + "/24");
            if (mtu is { } size)
            {
                server.Exec("ip", "link", "set", ServerInterface, "mtu", size.ToString(System.Globalization.CultureInfo.InvariantCulture));
                client.Exec("ip", "link", "set", ClientInterface, "mtu", size.ToString(System.Globalization.CultureInfo.InvariantCulture));
            }
            lab.CreateRoot();
            prepare?.Invoke(lab);
            await lab.StartServerAsync(extraDirectives);
        }
        catch
        {
            await lab.DisposeAsync();
            throw;
        }
        return lab;
    }

    public string PathInRoot(string name) => Path.Combine(Root, name);

    public static string Sha256(byte[] bytes) => Convert.ToHexString(SHA256.HashData(bytes));

    public static string Sha256File(string path)
    {
        using var stream = File.OpenRead(path);
        return Convert.ToHexString(SHA256.HashData(stream));
    }

    /// <summary>Runs a client command in the client namespace (bounded by Shell's two minutes).</summary>
    public Task<(int ExitCode, string Stdout, string Stderr)> RunClientAsync(params string[] command) =>
        Task.Run(() => Shell.Execute(["ip", "netns", "exec", Client.Name, .. command]));

    /// <summary>A fresh output path in the work folder.</summary>
    public string OutputPath(string name) => Path.Combine(WorkDirectory, "out-" + Guid.NewGuid().ToString("N")[..8] + "-" + name);

    /// <summary>Waits for a server log line (bounded), failing with the log's tail.</summary>
    public Task<Match> WaitForLogAsync(Regex pattern, TimeSpan timeout, int startAt = 0) =>
        ServerProcess!.Log.WaitForAsync(pattern, timeout, startAt, ServerProcess.EnsureRunning);

    public async ValueTask DisposeAsync()
    {
        if (ServerProcess is not null)
        {
            await ServerProcess.DisposeAsync();
        }
        Client.Dispose();
        Server.Dispose();
        Directory.Delete(WorkDirectory, recursive: true);
    }

    private void CreateRoot()
    {
        Directory.CreateDirectory(Root);
        // netboot runs as root: served files must be world-readable (dnsmasq parity).
        File.SetUnixFileMode(WorkDirectory, (UnixFileMode)0b111_101_101);
        var wrap = new byte[WrapFileLength];
        new Random(1350).NextBytes(wrap);
        File.WriteAllBytes(PathInRoot(WrapFile), wrap);
        File.WriteAllBytes(PathInRoot(SmallFile), wrap.AsSpan(0, SmallFileLength).ToArray());
        File.WriteAllBytes(PathInRoot(TextFile), s_text);
        Directory.CreateDirectory(PathInRoot("dir"));
        File.WriteAllText(PathInRoot("dir/inside.txt"), "inside\n");
        File.CreateSymbolicLink(PathInRoot("escape"), "/etc/passwd");
        Directory.CreateSymbolicLink(PathInRoot("escape-dir"), "/etc");
        File.CreateSymbolicLink(PathInRoot("dangling"), "/nonexistent/netboot");
        File.WriteAllText(PathInRoot("unreadable"), "secret\n");
        File.SetUnixFileMode(PathInRoot("unreadable"), UnixFileMode.None);
        Shell.Run("mkfifo", PathInRoot("fifo"));
        Shell.Run("mknod", PathInRoot("null"), "c", "1", "3");
        foreach (var file in Directory.EnumerateFiles(Root).Where(f => !f.EndsWith("unreadable", StringComparison.Ordinal)))
        {
            if (new FileInfo(file).LinkTarget is null && File.Exists(file))
            {
                File.SetUnixFileMode(file, (UnixFileMode)0b110_100_100);
            }
        }
    }

    private async Task StartServerAsync(string[] extraDirectives)
    {
        var config = Path.Combine(WorkDirectory, "netboot.conf");
        File.WriteAllLines(config,
        [
            $"interface={ServerInterface}",
            "bind-interfaces",
            "enable-tftp",
            $"tftp-root={Root}",
            .. extraDirectives.Any(d => d.StartsWith("tftp-max=", StringComparison.Ordinal)) ? Array.Empty<string>() : ["tftp-max=300"],
            .. extraDirectives,
        ]);
        var directory = await NetBootServer.PublishDirectoryAsync();
        ServerProcess = LabProcess.Start("netboot", Path.Combine(WorkDirectory, "netboot.log"), "ip",
            ["netns", "exec", Server.Name, Path.Combine(directory, "netboot"), "serve", "-C", config]);
        await WaitForLogAsync(new Regex(@"TFTP listening on sv0"), TimeSpan.FromSeconds(60));
    }
}

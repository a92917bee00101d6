using System.Globalization;

namespace NetBoot.Testing;

/// <summary>A throw-away PostgreSQL cluster owned by one test fixture: <c>initdb</c> in a temporary folder, listening on
/// a Unix socket only (no TCP: the socket file is reachable from every network namespace, and no port is exposed),
/// stopped and deleted on dispose. As root the cluster runs as the <c>postgres</c> user (initdb refuses root).
/// Needs Debian's postgresql package (scripts/test installs it).</summary>
public sealed class PostgresServer : IDisposable
{
    public const string BinDirectory = "/usr/lib/postgresql/15/bin";

    private readonly bool _asPostgres = Environment.UserName == "root";

    private PostgresServer(string directory, int port)
    {
        Directory = directory;
        Port = port;
    }

    /// <summary>The temporary folder: data/ (the cluster), the socket, and log.</summary>
    public string Directory { get; }

    /// <summary>Names the socket file (<c>.s.PGSQL.PORT</c>); nothing listens on TCP.</summary>
    public int Port { get; }

    public string SocketDirectory => Directory;

    public string DataDirectory => Path.Combine(Directory, "data");

    public string LogPath => Path.Combine(Directory, "postgres.log");

    /// <summary>The superuser the tests connect as (no password: trust on the socket).</summary>
    public string User => _asPostgres ? "postgres" : Environment.UserName;

    public static bool IsInstalled => File.Exists(Path.Combine(BinDirectory, "pg_ctl"));

    public static PostgresServer Start()
    {
        var directory = System.IO.Directory.CreateTempSubdirectory("netboot-pg-").FullName;
        var port = 20000 + (Environment.ProcessId * 7 + Random.Shared.Next(1000)) % 30000;
        var server = new PostgresServer(directory, port);
        try
        {
            if (server._asPostgres)
            {
                Shell.Run("chown", "postgres:postgres", directory);
            }
            server.AsOwner(Path.Combine(BinDirectory, "initdb"), "-D", server.DataDirectory, "-A", "trust", "-U", server.User, "--no-sync", "-E", "UTF8");
            File.AppendAllText(Path.Combine(server.DataDirectory, "postgresql.conf"), string.Create(CultureInfo.InvariantCulture, $"""

                listen_addresses = ''
                port = {port}
                unix_socket_directories = '{directory}'
                max_connections = 100
                shared_buffers = 32MB
                """));
            server.StartCluster();
            return server;
        }
        catch
        {
            server.Dispose();
            throw;
        }
    }

    /// <summary>A connection string for Npgsql to <paramref name="database"/>.</summary>
    public string ConnectionString(string database = "postgres") =>
        $"Host={SocketDirectory};Port={Port};Username={User};Database={database};Pooling=false";

    /// <summary>NetBoot's directive value for <paramref name="database"/> (the socket folder as the host, escaped).</summary>
    public string LeaseDbUrl(string database) => $"postgresql://{User}@{Uri.EscapeDataString(SocketDirectory)}:{Port}/{database}";

    /// <summary>Runs SQL with psql against <paramref name="database"/>; returns its unaligned output.</summary>
    public string Sql(string sql, string database = "postgres") =>
        AsOwner(Path.Combine(BinDirectory, "psql"), "-h", SocketDirectory, "-p", Port.ToString(CultureInfo.InvariantCulture),
            "-U", User, "-d", database, "-v", "ON_ERROR_STOP=1", "-At", "-c", sql).Trim();

    public void CreateDatabase(string name) => Sql($"CREATE DATABASE \"{name}\"");

    /// <summary>pg_ctl stop -m fast (clients are disconnected), then start again.</summary>
    public void Restart()
    {
        Stop("fast");
        StartCluster();
    }

    public void Stop(string mode = "fast") =>
        AsOwner(Path.Combine(BinDirectory, "pg_ctl"), "-D", DataDirectory, "-m", mode, "-w", "stop");

    public void StartCluster() =>
        AsOwner(Path.Combine(BinDirectory, "pg_ctl"), "-D", DataDirectory, "-l", LogPath, "-w", "-t", "30", "start");

    private string AsOwner(params string[] command) =>
        _asPostgres ? Shell.Run(["runuser", "-u", "postgres", "--", .. command]) : Shell.Run(command);

    public void Dispose()
    {
        if (File.Exists(Path.Combine(DataDirectory, "postmaster.pid")))
        {
            Shell.TryRun(_asPostgres ? ["runuser", "-u", "postgres", "--", Path.Combine(BinDirectory, "pg_ctl"), "-D", DataDirectory, "-m", "immediate", "-w", "stop"]
                : [Path.Combine(BinDirectory, "pg_ctl"), "-D", DataDirectory, "-m", "immediate", "-w", "stop"]);
        }
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}

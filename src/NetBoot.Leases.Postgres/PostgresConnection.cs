using NetBoot.Configuration.Model;
using Npgsql;

namespace NetBoot.Leases.Postgres;

/// <summary>Turns <c>dhcp-lease-db=postgresql://…</c> into an Npgsql data source. The password never comes from the
/// configuration: <c>NETBOOT_DB_PASSWORD</c>, then <c>PGPASSWORD</c>, then the <c>passfile</c> (which must be readable by
/// NetBoot's user only), else none (peer/trust authentication, or Npgsql's own <c>~/.pgpass</c>).</summary>
public static class PostgresConnection
{
    public const string PasswordVariable = "NETBOOT_DB_PASSWORD";

    private const UnixFileMode GroupOrOthers =
        UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute
        | UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute;

    /// <summary>The password to use, or null for none; <paramref name="error"/> says why a password file was refused.</summary>
    public static string? ResolvePassword(LeaseDatabaseConfig config, Func<string, string?> environment, out string? error)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(environment);
        error = null;
        if (environment(PasswordVariable) is { Length: > 0 } fromNetBoot)
        {
            return fromNetBoot;
        }
        if (environment("PGPASSWORD") is { Length: > 0 } fromLibpq)
        {
            return fromLibpq;
        }
        if (config.PasswordFile is not { } file)
        {
            return null;
        }
        try
        {
            if (!OperatingSystem.IsWindows() && PasswordFileProblem(file) is { } problem)
            {
                error = problem;
                return null;
            }
            return File.ReadAllText(file).TrimEnd('\r', '\n');
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            error = $"{file}: cannot read the password file: {e.Message}";
            return null;
        }
    }

    /// <summary>libpq's rule for <c>~/.pgpass</c>, made a hard error: a regular file, no access for group or others, and
    /// owned by the user NetBoot runs as (or by root). Null when the file may be used.</summary>
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    internal static string? PasswordFileProblem(string file)
    {
        if (!FileOwner.TryGet(file, out var owner, out var mode, out var errno))
        {
            return $"{file}: cannot read the password file: {new System.ComponentModel.Win32Exception(errno).Message}; check the path in dhcp-lease-db's passfile=";
        }
        if (!FileOwner.IsRegularFile(mode))
        {
            return $"{file}: the password file is not a regular file; point passfile= at a file (chmod 600, owned by the user NetBoot runs as)";
        }
        var permissions = (UnixFileMode)(mode & 0xFFF);
        if ((permissions & GroupOrOthers) != 0)
        {
            return $"{file}: the password file can be read or changed by group or others (mode {Convert.ToString((int)permissions, 8)}); run chmod 600 {file}";
        }
        var user = FileOwner.EffectiveUserId;
        if (owner != user && owner != 0)
        {
            return $"{file}: the password file is owned by uid {owner}, not by the user NetBoot runs as (uid {user}) or root; run chown {user} {file} (and chmod 600 {file})";
        }
        return null;
    }

    /// <summary>The connection string (with the resolved password) for <paramref name="config"/>.</summary>
    public static string ConnectionString(LeaseDatabaseConfig config, string? password)
    {
        ArgumentNullException.ThrowIfNull(config);
        var builder = new NpgsqlConnectionStringBuilder
        {
            Host = config.Host,
            Port = config.Port,
            Username = config.User,
            Database = config.Database,
            ApplicationName = "netboot",
            // A lost database is noticed within seconds, not at the kernel's TCP timeout.
            Timeout = 5,
            CommandTimeout = 10,
            KeepAlive = 5,
            MaxPoolSize = 8,
        };
        if (password is not null)
        {
            builder.Password = password;
        }
        return builder.ConnectionString;
    }

    /// <summary>A data source with only what NetBoot uses (the slim builder is trimming- and AOT-safe).</summary>
    public static NpgsqlDataSource CreateDataSource(string connectionString)
    {
        var builder = new NpgsqlSlimDataSourceBuilder(connectionString);
        builder.EnableArrays();
        return builder.Build();
    }

    /// <summary>Resolves the password and builds the data source; throws <see cref="InvalidOperationException"/> with a
    /// message for the administrator when the password file is refused.</summary>
    public static NpgsqlDataSource Open(LeaseDatabaseConfig config, Func<string, string?> environment)
    {
        var password = ResolvePassword(config, environment, out var error);
        if (error is not null)
        {
            throw new InvalidOperationException(error);
        }
        return CreateDataSource(ConnectionString(config, password));
    }
}

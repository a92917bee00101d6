namespace NetBoot.Configuration.Model;

public enum LeaseDatabaseKind
{
    /// <summary>The embedded default: one server, one SQLite file.</summary>
    Sqlite,
    /// <summary>A shared PostgreSQL database: several servers, one lease table.</summary>
    Postgres,
}

/// <summary><c>dhcp-lease-db=sqlite:///path</c> or <c>dhcp-lease-db=postgresql://user@host:port/database[?passfile=FILE]</c>.
/// Never holds a password: that comes from <c>PGPASSWORD</c>/<c>NETBOOT_DB_PASSWORD</c> or the password file.</summary>
/// <param name="Path">The SQLite file (null: next to <c>dhcp-leasefile</c> or the default path).</param>
/// <param name="PasswordFile">A file holding the password; must not be readable by group or others.</param>
/// <param name="MigratesOnStart">False with <c>?migrate=never</c>: <c>serve</c> then refuses an old schema instead of
/// migrating it (for a database user without DDL rights; run <c>netboot db migrate</c> as its owner).</param>
public sealed record LeaseDatabaseConfig(
    LeaseDatabaseKind Kind,
    string? Path = null,
    string? Host = null,
    int Port = 5432,
    string? User = null,
    string? Database = null,
    string? PasswordFile = null,
    bool MigratesOnStart = true,
    SourceLocation? Source = null)
{
    /// <summary>The URL without secrets, for logs.</summary>
    public override string ToString() => Kind == LeaseDatabaseKind.Sqlite
        ? "sqlite://" + Path
        : $"postgresql://{User}@{Host}:{Port}/{Database}";
}

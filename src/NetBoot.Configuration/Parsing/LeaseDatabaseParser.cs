using System.Globalization;
using NetBoot.Configuration.Model;

namespace NetBoot.Configuration.Parsing;

/// <summary><c>dhcp-lease-db=URL</c>: <c>sqlite:///absolute/path</c> or
/// <c>postgresql://user@host[:port]/database[?passfile=/path&amp;migrate=never]</c> (a host starting with <c>/</c>,
/// escaped as <c>%2F</c>, is a Unix socket folder). A password in the URL is refused: configuration
/// files are world-readable more often than not.</summary>
internal static class LeaseDatabaseParser
{
    private const string Example = "dhcp-lease-db=postgresql://netboot@db.example:5432/netboot or dhcp-lease-db=sqlite:///var/lib/netboot/leases.sqlite";

    public static void Parse(DirectiveContext d)
    {
        var text = QuotedText.Reveal(d.Value ?? "");
        if (TryParse(text, d.Source, out var config, out var error))
        {
            d.Config.LeaseDatabase = config;
        }
        else
        {
            d.Error($"bad dhcp-lease-db: {error}", Example);
        }
    }

    public static bool TryParse(string text, SourceLocation? source, out LeaseDatabaseConfig? config, out string? error)
    {
        config = null;
        error = null;
        if (text.StartsWith("sqlite://", StringComparison.Ordinal))
        {
            var path = text["sqlite://".Length..];
            if (!path.StartsWith('/'))
            {
                error = "the SQLite path must be absolute (sqlite:///var/lib/netboot/leases.sqlite: three slashes)";
                return false;
            }
            config = new LeaseDatabaseConfig(LeaseDatabaseKind.Sqlite, Path: path, Source: source);
            return true;
        }
        var scheme = text.StartsWith("postgresql://", StringComparison.Ordinal) ? "postgresql://"
            : text.StartsWith("postgres://", StringComparison.Ordinal) ? "postgres://" : null;
        if (scheme is null)
        {
            error = $"'{text}' is neither sqlite:///PATH nor postgresql://USER@HOST:PORT/DATABASE";
            return false;
        }
        var rest = text[scheme.Length..];
        string? passwordFile = null;
        var migrates = true;
        var query = rest.IndexOf('?', StringComparison.Ordinal);
        if (query >= 0)
        {
            foreach (var pair in rest[(query + 1)..].Split('&', StringSplitOptions.RemoveEmptyEntries))
            {
                var (key, value) = pair.IndexOf('=', StringComparison.Ordinal) is var eq and >= 0 ? (pair[..eq], Uri.UnescapeDataString(pair[(eq + 1)..])) : (pair, "");
                if (key == "passfile" && value.StartsWith('/'))
                {
                    passwordFile = value;
                }
                else if (key == "migrate" && value is "never" or "auto")
                {
                    migrates = value == "auto";
                }
                else if (key is "password")
                {
                    error = "a password does not belong in the configuration: set PGPASSWORD or NETBOOT_DB_PASSWORD, or ?passfile=/path to a file only NetBoot's user can read";
                    return false;
                }
                else
                {
                    error = $"unknown parameter '{pair}' (known: passfile=/absolute/path, migrate=auto|never)";
                    return false;
                }
            }
            rest = rest[..query];
        }
        var at = rest.LastIndexOf('@');
        if (at <= 0)
        {
            error = "the URL names no user (postgresql://USER@HOST:PORT/DATABASE)";
            return false;
        }
        var user = rest[..at];
        if (user.Contains(':', StringComparison.Ordinal))
        {
            error = "a password does not belong in the configuration: remove ':password' and set PGPASSWORD or NETBOOT_DB_PASSWORD, or ?passfile=/path to a file only NetBoot's user can read";
            return false;
        }
        var hostPart = rest[(at + 1)..];
        var slash = hostPart.IndexOf('/', StringComparison.Ordinal);
        if (slash < 0 || slash == hostPart.Length - 1)
        {
            error = "the URL names no database (postgresql://USER@HOST:PORT/DATABASE)";
            return false;
        }
        var database = hostPart[(slash + 1)..];
        var hostAndPort = hostPart[..slash];
        var port = 5432;
        var colon = hostAndPort.LastIndexOf(':');
        if (colon >= 0 && !hostAndPort.EndsWith(']'))
        {
            if (!int.TryParse(hostAndPort[(colon + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out port) || port is < 1 or > 65535)
            {
                error = $"bad port '{hostAndPort[(colon + 1)..]}'";
                return false;
            }
            hostAndPort = hostAndPort[..colon];
        }
        if (hostAndPort.Length == 0)
        {
            error = "the URL names no host";
            return false;
        }
        config = new LeaseDatabaseConfig(LeaseDatabaseKind.Postgres, Host: Uri.UnescapeDataString(hostAndPort.Trim('[', ']')), Port: port,
            User: Uri.UnescapeDataString(user), Database: Uri.UnescapeDataString(database), PasswordFile: passwordFile, MigratesOnStart: migrates, Source: source);
        return true;
    }
}

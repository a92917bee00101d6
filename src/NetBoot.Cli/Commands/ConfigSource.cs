using NetBoot.Configuration.Model;
using NetBoot.Configuration.Parsing;
using NetBoot.Hosting.Validation;
using NetBoot.Leases.Postgres;

namespace NetBoot.Cli.Commands;

/// <summary>Where <c>serve</c> and <c>check</c> get their configuration: the files and directives given, or the embedded
/// default when none is. Every load goes through <see cref="ConfigLoading"/>, so <c>check</c>, <c>serve --test</c>,
/// start-up and reload refuse the same things with the same words.</summary>
internal sealed record ConfigSource(ConfigInput Input)
{
    public bool IsDefault => ConfigArguments.IsEmpty(Input);

    /// <summary>This machine, with the PostgreSQL password-file rule start-up applies.</summary>
    public static IConfigEnvironment Machine { get; } = new SystemConfigEnvironment(PasswordFileProblem);

    /// <summary>Parses without validating (the embedded default is generated anew for the interfaces of the moment).</summary>
    public ConfigLoadResult Parse() => IsDefault ? EmbeddedDefault.Parse(EmbeddedDefault.Text()) : DnsmasqConfigReader.Load(Input);

    /// <summary><c>check</c> and <c>serve --test</c>: validated against the machine as <c>serve</c> would find it, creating
    /// nothing (the default's TFTP folder counts as created when it could be).</summary>
    public ConfigLoadResult LoadWithoutSideEffects()
    {
        if (!IsDefault)
        {
            return ConfigLoading.Load(Parse, Machine);
        }
        var root = EmbeddedDefault.TftpRoot;
        return EmbeddedDefault.CheckTftpRootCanBeCreated(root) is { } error
            ? new ConfigLoadResult(null, [error])
            : ConfigLoading.Load(Parse, new PendingDirectories(Machine, [root]));
    }

    /// <summary><c>serve</c> start-up and reload: the default's TFTP folder is created first, then the same validation.</summary>
    public ConfigLoadResult LoadForServe()
    {
        if (IsDefault && EmbeddedDefault.CreateTftpRoot(EmbeddedDefault.TftpRoot) is { } error)
        {
            return new ConfigLoadResult(null, [error]);
        }
        return ConfigLoading.Load(Parse, Machine);
    }

    /// <summary>libpq's rules for a password file, through the PostgreSQL store's own check (no password is kept).</summary>
    private static string? PasswordFileProblem(string file)
    {
        PostgresConnection.ResolvePassword(new LeaseDatabaseConfig(LeaseDatabaseKind.Postgres, PasswordFile: file), _ => null, out var error);
        return error;
    }
}

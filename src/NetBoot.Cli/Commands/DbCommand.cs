using System.CommandLine;
using NetBoot.Configuration.Model;
using NetBoot.Configuration.Parsing;
using NetBoot.Leases.Postgres;
using Npgsql;

namespace NetBoot.Cli.Commands;

/// <summary><c>netboot db migrate [-C FILE]</c>: creates or upgrades the PostgreSQL lease schema that
/// <c>dhcp-lease-db</c> names (run it as the database owner when servers connect with <c>?migrate=never</c>).</summary>
internal static class DbCommand
{
    public static Command Create()
    {
        var db = new Command("db", "Manage the lease database (dhcp-lease-db).");
        var migrate = new Command("migrate", "Create or upgrade the PostgreSQL lease schema to this version's.");
        var arguments = new ConfigArguments();
        arguments.AddTo(migrate);
        migrate.SetAction(async (result, cancellationToken) =>
        {
            if (await arguments.LoadOrReportAsync(result).ConfigureAwait(false) is not { } loaded)
            {
                return 1;
            }
            if (loaded.LeaseDatabase is not { Kind: LeaseDatabaseKind.Postgres } config)
            {
                await Console.Out.WriteLineAsync("netboot: the lease database is SQLite (no dhcp-lease-db=postgresql://…): nothing to migrate, its table is created on start").ConfigureAwait(false);
                return 0;
            }
            try
            {
                await using var dataSource = PostgresConnection.Open(config, Environment.GetEnvironmentVariable);
                var (from, to) = await PostgresSchema.MigrateAsync(dataSource, cancellationToken).ConfigureAwait(false);
                await Console.Out.WriteLineAsync(from == to
                    ? $"netboot: lease database {config}: schema version {to}, up to date"
                    : $"netboot: lease database {config}: schema migrated from version {from} to {to}").ConfigureAwait(false);
                return 0;
            }
            catch (Exception e) when (e is NpgsqlException or InvalidOperationException or TimeoutException or IOException)
            {
                await Console.Error.WriteLineAsync($"netboot: cannot migrate the lease database {config} ({config.Source}): {e.Message}").ConfigureAwait(false);
                return 2;
            }
        });
        db.Subcommands.Add(migrate);
        return db;
    }
}

using NetBoot.Configuration.Model;

namespace NetBoot.Configuration.Tests.Parsing;

public class LeaseDatabaseParserTests
{
    [Fact]
    public void Postgresql_url_names_user_host_port_and_database()
    {
        var db = ConfigAssert.Valid("dhcp-lease-db=postgresql://netboot@db.example:5433/leases?passfile=/etc/netboot/db.password").LeaseDatabase!;

        Assert.Equal(LeaseDatabaseKind.Postgres, db.Kind);
        Assert.Equal(("netboot", "db.example", 5433, "leases", "/etc/netboot/db.password"), (db.User, db.Host, db.Port, db.Database, db.PasswordFile));
        Assert.True(db.MigratesOnStart);
        Assert.Equal(new SourceLocation(ConfigAssert.File, 1), db.Source);
    }

    [Fact]
    public void Default_port_unix_socket_host_and_migrate_never()
    {
        var db = ConfigAssert.Valid("dhcp-lease-db=postgresql://netboot@%2Frun%2Fpostgresql/leases?migrate=never").LeaseDatabase!;

        Assert.Equal(("/run/postgresql", 5432, false), (db.Host, db.Port, db.MigratesOnStart));
    }

    [Fact]
    public void Sqlite_url_names_an_absolute_path()
    {
        var db = ConfigAssert.Valid("dhcp-lease-db=sqlite:///var/lib/netboot/leases.sqlite").LeaseDatabase!;

        Assert.Equal((LeaseDatabaseKind.Sqlite, "/var/lib/netboot/leases.sqlite"), (db.Kind, db.Path));
    }

    [Theory]
    [InlineData("dhcp-lease-db=postgresql://netboot:secret@db/leases")]
    [InlineData("dhcp-lease-db=postgresql://netboot@db/leases?password=secret")]
    public void A_password_in_the_configuration_is_an_error_at_its_line(string line)
    {
        var error = ConfigAssert.SingleError("# leases\n" + line);

        Assert.Contains("password does not belong in the configuration", error.Message, StringComparison.Ordinal);
        Assert.Contains("NETBOOT_DB_PASSWORD", error.Message, StringComparison.Ordinal);
        Assert.Equal(new SourceLocation(ConfigAssert.File, 2), error.Source);
    }

    [Theory]
    [InlineData("dhcp-lease-db=mysql://x@y/z")]
    [InlineData("dhcp-lease-db=sqlite://relative.db")]
    [InlineData("dhcp-lease-db=postgresql://db/leases")]
    [InlineData("dhcp-lease-db=postgresql://u@db")]
    [InlineData("dhcp-lease-db=postgresql://u@db:99999/x")]
    public void Malformed_urls_are_errors(string line) =>
        Assert.StartsWith("bad dhcp-lease-db", ConfigAssert.SingleError(line).Message, StringComparison.Ordinal);
}

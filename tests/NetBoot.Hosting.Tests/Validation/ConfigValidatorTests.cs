using NetBoot.Configuration.Model;
using NetBoot.Configuration.Parsing;
using NetBoot.Hosting.Validation;

namespace NetBoot.Hosting.Tests.Validation;

/// <summary>The one validation behind check, start and reload, against a described machine.</summary>
public class ConfigValidatorTests
{
    private const string File = "netboot.conf";

    private static ConfigValidation Validate(string text, FakeMachine machine)
    {
        var parsed = DnsmasqConfigReader.Parse(text, File);
        Assert.True(parsed.IsValid, string.Join("; ", parsed.Errors));
        return ConfigValidator.Validate(parsed.Config!, machine);
    }

    private static string Error(string text, FakeMachine machine) => Assert.Single(Validate(text, machine).Errors).ToString();

    private static ConfigNotice Warning(string text, FakeMachine machine)
    {
        var validation = Validate(text, machine);
        Assert.Empty(validation.Errors);
        return Assert.Single(validation.Warnings);
    }

    private const string Proxy = "dhcp-range=10.0.0.0,proxy\npxe-service=X86PC,\"Boot\",0\n";

    [Fact]
    public void A_missing_tftp_root_is_refused_with_its_line_and_what_to_do()
    {
        var error = Assert.Single(Validate("port=0\nenable-tftp\ntftp-root=/nonexistent/tftp\n", new FakeMachine()).Errors);
        Assert.Equal("tftp-root /nonexistent/tftp does not exist at line 3 of netboot.conf", error.ToString());
        Assert.Contains("mkdir -p /nonexistent/tftp", error.Hint, StringComparison.Ordinal);
        Assert.Contains("tftp-no-fail", error.Hint, StringComparison.Ordinal);
    }

    [Fact]
    public void A_tftp_root_that_is_a_file_is_refused() =>
        Assert.Equal("tftp-root /srv/tftp is not a folder at line 2 of netboot.conf",
            Error("enable-tftp\ntftp-root=/srv/tftp\n", new FakeMachine().WithFile("/srv/tftp")));

    [Fact]
    public void With_tftp_no_fail_a_missing_root_is_a_warning_and_the_configuration_is_used()
    {
        var warning = Warning("enable-tftp\ntftp-root=/srv/tftp\ntftp-no-fail\n", new FakeMachine());
        Assert.Equal("tftp-root", warning.Directive);
        Assert.Equal(2, warning.Source.Line);
        Assert.StartsWith("tftp-root /srv/tftp does not exist: serving anyway (tftp-no-fail)", warning.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_per_interface_root_is_checked_with_its_own_line() =>
        Assert.Equal("tftp-root /srv/eth1 does not exist at line 3 of netboot.conf",
            Error("enable-tftp\ntftp-root=/srv/tftp\ntftp-root=/srv/eth1,eth1\n", new FakeMachine().WithDirectory("/srv/tftp")));

    [Fact]
    public void Tftp_roots_are_not_checked_when_tftp_is_off() =>
        Assert.True(Validate("tftp-root=/nowhere\n", new FakeMachine()).IsValid);

    [Fact]
    public void An_unknown_user_and_an_unknown_group_are_refused_with_the_words_of_start_up()
    {
        var user = Assert.Single(Validate("port=0\nuser=netbot\n", new FakeMachine()).Errors);
        Assert.Equal("unknown user netbot at line 2 of netboot.conf", user.ToString());
        Assert.Contains("useradd --system --no-create-home netbot", user.Hint, StringComparison.Ordinal);
        Assert.Equal("unknown group netbooters at line 2 of netboot.conf", Error("user=netboot\ngroup=netbooters\n", new FakeMachine()));
        Assert.Equal("group=netboot needs user= as well at line 1 of netboot.conf", Error("group=netboot\n", new FakeMachine()));
        Assert.True(Validate("user=netboot\ngroup=netboot\n", new FakeMachine()).IsValid);
    }

    [Fact]
    public void The_http_root_must_exist_and_one_inherited_from_a_missing_tftp_root_is_reported_once()
    {
        Assert.Equal("http-root /srv/http does not exist at line 2 of netboot.conf", Error("http-port=8080\nhttp-root=/srv/http\n", new FakeMachine()));
        Assert.Equal("the HTTP server has no folder to serve at line 1 of netboot.conf", Error("http-port=8080\n", new FakeMachine()));
        Assert.Equal("tftp-root /srv/tftp does not exist at line 2 of netboot.conf", Error("enable-tftp\ntftp-root=/srv/tftp\nhttp-port=8080\n", new FakeMachine()));
        Assert.Equal("tftp-root (served by HTTP as well) /srv/tftp does not exist at line 1 of netboot.conf",
            Error("tftp-root=/srv/tftp\nhttp-port=8080\n", new FakeMachine()));
    }

    [Fact]
    public void A_status_address_this_host_does_not_have_is_refused_and_loopback_or_any_is_accepted()
    {
        var error = Assert.Single(Validate("metrics-listen=10.9.9.9:9167\n", new FakeMachine()).Errors);
        Assert.Equal("metrics-listen=10.9.9.9:9167: 10.9.9.9 is not an address of this host at line 1 of netboot.conf", error.ToString());
        Assert.Contains("0.0.0.0:9167", error.Hint, StringComparison.Ordinal);
        Assert.True(Validate("metrics-listen=9167\ndashboard-listen=0.0.0.0:9168\n", new FakeMachine()).IsValid);
        Assert.True(Validate("dashboard-listen=192.168.1.10:9168\n", new FakeMachine()).IsValid);
    }

    [Fact]
    public void A_listen_address_this_host_does_not_have_is_a_warning()
    {
        var warning = Warning("port=0\nlisten-address=10.9.9.9\n", new FakeMachine());
        Assert.Equal("10.9.9.9 is not an address of this host: no interface is answered for it", warning.Message);
        Assert.Equal(2, warning.Source.Line);
    }

    [Fact]
    public void A_sqlite_lease_database_that_cannot_be_a_file_is_refused_only_when_addresses_are_leased()
    {
        const string Leasing = "dhcp-range=10.0.0.10,10.0.0.50\ndhcp-lease-db=sqlite:///var/lib/netboot/leases.sqlite\n";
        Assert.Equal("lease database /var/lib/netboot/leases.sqlite is a folder at line 2 of netboot.conf",
            Error(Leasing, new FakeMachine().WithDirectory("/var/lib/netboot/leases.sqlite")));
        Assert.Equal("lease database /var/lib/netboot/leases.sqlite cannot be created: /var/lib/netboot is a file, not a folder at line 2 of netboot.conf",
            Error(Leasing, new FakeMachine().WithFile("/var/lib/netboot")));
        // Its folder is created by the store when missing.
        Assert.True(Validate(Leasing, new FakeMachine()).IsValid);
        // A proxy-only server opens no lease database.
        Assert.True(Validate(Proxy + "dhcp-lease-db=sqlite:///var/lib/netboot/leases.sqlite\n", new FakeMachine().WithDirectory("/var/lib/netboot/leases.sqlite")).IsValid);
    }

    [Fact]
    public void The_lease_database_named_by_the_environment_is_the_one_checked()
    {
        var machine = new FakeMachine().WithDirectory("/srv/leases");
        machine.Environment["NETBOOT_LEASE_DB"] = "/srv/leases";
        Assert.Equal("lease database /srv/leases (NETBOOT_LEASE_DB) is a folder at line 1 of netboot.conf", Error("dhcp-range=10.0.0.10,10.0.0.50\n", machine));
    }

    [Fact]
    public void A_password_file_start_up_would_refuse_is_refused_unless_the_password_comes_from_the_environment()
    {
        const string Shared = "dhcp-range=10.0.0.10,10.0.0.50\ndhcp-lease-db=postgresql://netboot@db.example/netboot?passfile=/etc/netboot/db.pw\n";
        var machine = new FakeMachine();
        machine.PasswordFileProblems["/etc/netboot/db.pw"] = "/etc/netboot/db.pw: the password file can be read or changed by group or others (mode 644); run chmod 600 /etc/netboot/db.pw";
        Assert.Equal("lease database postgresql://netboot@db.example:5432/netboot: /etc/netboot/db.pw: the password file can be read or changed by group or others (mode 644); run chmod 600 /etc/netboot/db.pw at line 2 of netboot.conf",
            Error(Shared, machine));
        machine.Environment["PGPASSWORD"] = "secret";
        Assert.True(Validate(Shared, machine).IsValid);
    }

    [Fact]
    public void A_valid_configuration_on_a_ready_machine_has_neither_errors_nor_warnings()
    {
        var machine = new FakeMachine().WithFile("/srv/tftp/pxelinux.0").WithFile("/srv/tftp/ldlinux.c32");
        var validation = Validate("enable-tftp\ntftp-root=/srv/tftp\nuser=netboot\n" + Proxy + "pxe-service=X86PC,\"Net\",pxelinux\n", machine);
        Assert.Empty(validation.Errors);
        Assert.Empty(validation.Warnings);
    }
}

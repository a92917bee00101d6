using System.Diagnostics;
using NetBoot.Engine.Leases;
using NetBoot.Hosting.Dhcp;
using NetBoot.Wire.Net;

namespace NetBoot.Hosting.Tests.Dhcp;

/// <summary><c>dhcp-script</c> calls as dnsmasq makes them: the action, MAC, IP and hostname as arguments, the rest in
/// DNSMASQ_* variables.</summary>
public class LeaseMaintenanceTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 25, 12, 0, 0, TimeSpan.Zero);

    private static readonly Lease Bound = new(
        IPv4Address.Parse("192.168.67.20"), new ClientKey("id:01aabbccddeeff"), HardwareAddress.Ethernet([0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff]),
        [1, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff], "thin01", Now + TimeSpan.FromHours(8), LeaseState.Bound);

    [Fact]
    public void New_renewed_and_removed_leases_map_to_add_old_and_del()
    {
        Assert.Equal("add", LeaseMaintenance.ScriptCall(new LeaseUpsert(Bound, LeaseEvent.Add), false)?.Action);
        Assert.Equal("old", LeaseMaintenance.ScriptCall(new LeaseUpsert(Bound, LeaseEvent.Old), false)?.Action);
        Assert.Equal("del", LeaseMaintenance.ScriptCall(new LeaseRemoval(Bound, LeaseEvent.Del), false)?.Action);
        Assert.Null(LeaseMaintenance.ScriptCall(new LeaseUpsert(Bound with { State = LeaseState.Offered }, LeaseEvent.None), false));
    }

    private static LeaseUpsert Renewal(Lease renewed) => new(renewed, LeaseEvent.Old) { Previous = Bound };

    [Fact]
    public void A_plain_renewal_calls_no_script_unless_script_on_renewal_is_set()
    {
        var renewed = Bound with { Expires = Bound.Expires + TimeSpan.FromHours(1) };

        // dnsmasq lease.c do_script_run: LEASE_EXP_CHANGED alone runs the script only under script-on-renewal.
        Assert.Null(LeaseMaintenance.ScriptCall(Renewal(renewed), scriptOnRenewal: false));
        Assert.Equal("old", LeaseMaintenance.ScriptCall(Renewal(renewed), scriptOnRenewal: true)?.Action);
        Assert.Null(LeaseMaintenance.ScriptCall(Renewal(Bound), scriptOnRenewal: true));
    }

    [Fact]
    public void Under_leasefile_ro_a_renewal_that_moves_the_expiry_calls_old_for_the_scripts_copy()
    {
        var renewed = Bound with { Expires = Bound.Expires + TimeSpan.FromHours(1) };

        // lease.c: LEASE_AUX_CHANGED runs the script when OPT_LEASE_RO is set.
        Assert.Equal("old", LeaseMaintenance.ScriptCall(Renewal(renewed), scriptOnRenewal: false, leaseFileReadOnly: true)?.Action);
        Assert.Null(LeaseMaintenance.ScriptCall(Renewal(Bound), scriptOnRenewal: false, leaseFileReadOnly: true));
    }

    [Fact]
    public void A_renewal_that_changes_the_host_name_or_hardware_address_calls_old_always()
    {
        Assert.Equal("old", LeaseMaintenance.ScriptCall(Renewal(Bound with { HostName = "thin02" }), false)?.Action);
        Assert.Equal("old", LeaseMaintenance.ScriptCall(Renewal(Bound with { HardwareAddress = HardwareAddress.Ethernet([0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0x01]) }), false)?.Action);
        Assert.Null(LeaseMaintenance.ScriptCall(Renewal(Bound with { HostName = "THIN01" }), false));
    }

    [Fact]
    public void Script_gets_dnsmasqs_arguments_and_environment()
    {
        var start = LeaseMaintenance.ScriptStart("/usr/local/bin/lease-hook", "add", Bound, Now);

        Assert.Equal("/usr/local/bin/lease-hook", start.FileName);
        Assert.Equal(["add", "aa:bb:cc:dd:ee:ff", "192.168.67.20", "thin01"], start.ArgumentList);
        Assert.Equal("01:aa:bb:cc:dd:ee:ff", start.Environment["DNSMASQ_CLIENT_ID"]);
        Assert.Equal((Now + TimeSpan.FromHours(8)).ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture), start.Environment["DNSMASQ_LEASE_EXPIRES"]);
        Assert.Equal("28800", start.Environment["DNSMASQ_TIME_REMAINING"]);
    }

    [Fact]
    public void Infinite_lease_without_name_has_no_hostname_argument_and_zero_expiry()
    {
        var start = LeaseMaintenance.ScriptStart("/bin/true", "del", Bound with { HostName = null, Expires = DateTimeOffset.MaxValue, ClientId = [] }, Now);

        Assert.Equal(["del", "aa:bb:cc:dd:ee:ff", "192.168.67.20"], start.ArgumentList);
        Assert.Equal("0", start.Environment["DNSMASQ_LEASE_EXPIRES"]);
        Assert.False(start.Environment.ContainsKey("DNSMASQ_CLIENT_ID"));
    }

    [Fact]
    public void Script_environment_starts_empty_with_only_path_and_dnsmasq_variables()
    {
        var start = LeaseMaintenance.ScriptStart("/usr/local/bin/lease-hook", "add", Bound with { HostName = "thin01.lab.example" }, Now);

        Assert.All(start.Environment.Keys, key => Assert.True(key == "PATH" || key.StartsWith("DNSMASQ_", StringComparison.Ordinal), key));
        Assert.False(string.IsNullOrEmpty(start.Environment["PATH"]));
        Assert.Equal("thin01", start.ArgumentList[3]);
        Assert.Equal("lab.example", start.Environment["DNSMASQ_DOMAIN"]);
    }

    [Theory]
    [InlineData("-rf")]
    [InlineData("--help")]
    [InlineData("pc;reboot")]
    [InlineData("pc\nX")]
    public void An_illegal_host_name_is_not_passed_at_all(string name)
    {
        var start = LeaseMaintenance.ScriptStart("/usr/local/bin/lease-hook", "old", Bound with { HostName = name }, Now);

        Assert.Equal(["old", "aa:bb:cc:dd:ee:ff", "192.168.67.20"], start.ArgumentList);
        Assert.DoesNotContain(start.Environment.Values, v => v == name);
    }

    /// <summary>The real thing: a shell script started as the lease loop starts it writes out its environment and
    /// arguments. The test process holds the secrets a NetBoot server may hold; the script sees none of them.</summary>
    [Fact]
    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    public async Task A_real_script_sees_no_server_secret_and_no_option_like_argument()
    {
        var folder = Directory.CreateTempSubdirectory("netboot-script-");
        try
        {
            var script = Path.Combine(folder.FullName, "hook");
            var dump = Path.Combine(folder.FullName, "dump");
            await File.WriteAllTextAsync(script, $"#!/bin/sh\nenv > '{dump}'\necho \"ARGS $*\" >> '{dump}'\n");
            File.SetUnixFileMode(script, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            Environment.SetEnvironmentVariable("NETBOOT_DB_PASSWORD", "db-secret");
            Environment.SetEnvironmentVariable("PGPASSWORD", "pg-secret");
            try
            {
                using var process = Process.Start(LeaseMaintenance.ScriptStart(script, "add", Bound with { HostName = "-rf" }, Now))!;
                await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
                Assert.Equal(0, process.ExitCode);
            }
            finally
            {
                Environment.SetEnvironmentVariable("NETBOOT_DB_PASSWORD", null);
                Environment.SetEnvironmentVariable("PGPASSWORD", null);
            }
            var lines = await File.ReadAllLinesAsync(dump);
            Assert.Contains("ARGS add aa:bb:cc:dd:ee:ff 192.168.67.20", lines);
            var names = lines.Where(l => !l.StartsWith("ARGS ", StringComparison.Ordinal)).Select(l => l.Split('=')[0]).ToList();
            // The shell adds PWD (and may add SHLVL, _) itself; nothing of the server's environment comes through.
            Assert.All(names, n => Assert.True(n is "PATH" or "PWD" or "SHLVL" or "_" || n.StartsWith("DNSMASQ_", StringComparison.Ordinal), n));
            Assert.DoesNotContain(lines, l => l.Contains("secret", StringComparison.Ordinal));
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    [Fact]
    public void The_lease_file_pause_is_a_second_or_long_enough_that_rewriting_takes_a_small_share_of_the_time()
    {
        Assert.Equal(TimeSpan.FromSeconds(1), LeaseMaintenance.LeaseFilePause(TimeSpan.FromMilliseconds(2)));
        var slow = TimeSpan.FromMilliseconds(200);
        var pause = LeaseMaintenance.LeaseFilePause(slow);
        Assert.True(slow / (slow + pause) < 0.03, $"a 200 ms rewrite every {pause}");
    }
}

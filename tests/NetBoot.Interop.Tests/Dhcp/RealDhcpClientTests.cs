using System.Text.RegularExpressions;
using NetBoot.Testing;

namespace NetBoot.Interop.Tests.Dhcp;

/// <summary>Real DHCP clients (busybox udhcpc, ISC dhclient, dhcpcd) against <c>netboot serve</c> on a network it owns,
/// each in its own namespace pair.</summary>
[Trait("Category", "Interop")]
public sealed class RealDhcpClientTests
{
    private static readonly TimeSpan ClientLimit = TimeSpan.FromSeconds(40);

    private const string Config = """
        port=0
        dhcp-range=10.78.0.20,10.78.0.60,1h
        dhcp-host=52:54:00:aa:00:05,10.78.0.5,fixed5
        dhcp-authoritative
        """;

    private static void InRange(string address) =>
        Assert.InRange(Version.Parse(address), Version.Parse("10.78.0.20"), Version.Parse("10.78.0.60"));

    [Fact]
    public async Task Udhcpc_obtains_an_address_from_the_range_recorded_in_the_lease_database_and_file()
    {
        await using var lab = DhcpLab.Create();
        await lab.StartServerAsync(Config);

        var (code, output) = DhcpLab.RunClient(lab.Client, ClientLimit, "busybox", "udhcpc", "-i", "nbc0", "-n", "-q", "-f", "-s", "/bin/true");

        var obtained = Regex.Match(output, @"lease of (\S+) obtained from 10\.78\.0\.1");
        Assert.True(code == 0 && obtained.Success, lab.Failure(output));
        var address = obtained.Groups[1].Value;
        InRange(address);
        var lease = Assert.Single(await lab.LeasesAsync());
        Assert.Equal(address, lease.Address);
        await lab.ServerProcess.Log.WaitForAsync(new Regex($@"DHCPACK\(nbs0\) {Regex.Escape(address)} "), TimeSpan.FromSeconds(5));
        await WaitForFileLineAsync(lab.LeaseFilePath, $" {address} ");
    }

    [Fact]
    public async Task Dhclient_obtains_reboots_into_the_same_lease_and_releases_it()
    {
        await using var lab = DhcpLab.Create();
        await lab.StartServerAsync(Config);
        var leaseFile = Path.Combine(lab.WorkDirectory, "dhclient.leases");
        string[] dhclient = ["dhclient", "-v", "-1", "-lf", leaseFile, "-pf", Path.Combine(lab.WorkDirectory, "dhclient.pid"), "-sf", lab.DhclientScript(), "nbc0"];

        var (_, first) = DhcpLab.RunClient(lab.Client, ClientLimit, dhclient);
        var bound = Regex.Match(first, @"DHCPACK of (\S+) from 10\.78\.0\.1");
        Assert.True(bound.Success, lab.Failure(first));
        var address = bound.Groups[1].Value;
        var expiresFirst = Assert.Single(await lab.LeasesAsync()).Expires;

        // INIT-REBOOT: dhclient asks for the address in its lease file and gets it again, with a new expiry.
        var (_, second) = DhcpLab.RunClient(lab.Client, ClientLimit, dhclient);
        Assert.True(second.Contains($"DHCPREQUEST for {address}", StringComparison.Ordinal) && second.Contains($"DHCPACK of {address}", StringComparison.Ordinal), lab.Failure(second));
        var renewed = Assert.Single(await lab.LeasesAsync());
        Assert.Equal(address, renewed.Address);
        Assert.True(string.CompareOrdinal(renewed.Expires, expiresFirst) >= 0);

        var (_, release) = DhcpLab.RunClient(lab.Client, ClientLimit, ["dhclient", "-v", "-r", "-lf", leaseFile, "-pf", Path.Combine(lab.WorkDirectory, "dhclient.pid"), "-sf", lab.DhclientScript(), "nbc0"]);
        Assert.Contains($"DHCPRELEASE of {address}", release, StringComparison.Ordinal);
        await lab.ServerProcess.Log.WaitForAsync(new Regex($@"DHCPRELEASE\(nbs0\) {Regex.Escape(address)} "), TimeSpan.FromSeconds(10));
        Assert.Empty(await lab.LeasesAsync());
    }

    [Fact]
    public async Task Dhcpcd_obtains_an_address_from_the_range()
    {
        await using var lab = DhcpLab.Create();
        await lab.StartServerAsync(Config);
        lab.Owns("/var/lib/dhcpcd/nbc0.lease");
        var hostResolver = File.ReadAllText("/etc/resolv.conf");

        var (_, output) = DhcpLab.RunClient(lab.Client, ClientLimit, "dhcpcd", "-4", "-1", "-B", "-f", "/dev/null", "-c", "/bin/true", "nbc0");
        // The client runs in the lab's namespace: the host's resolver configuration must not change.
        Assert.Equal(hostResolver, File.ReadAllText("/etc/resolv.conf"));

        var leased = Regex.Match(output, @"leased (\S+) for 3600 seconds");
        Assert.True(leased.Success, lab.Failure(output));
        InRange(leased.Groups[1].Value);
        Assert.Equal(leased.Groups[1].Value, Assert.Single(await lab.LeasesAsync()).Address);
    }

    [Fact]
    public async Task Static_host_gets_its_fixed_address_and_name()
    {
        await using var lab = DhcpLab.Create();
        lab.Client.Exec("ip", "link", "set", "nbc0", "address", "52:54:00:aa:00:05");
        await lab.StartServerAsync(Config);

        var (_, output) = DhcpLab.RunClient(lab.Client, ClientLimit, "busybox", "udhcpc", "-i", "nbc0", "-n", "-q", "-f", "-s", "/bin/true");

        Assert.True(output.Contains("lease of 10.78.0.5 obtained", StringComparison.Ordinal), lab.Failure(output));
        var lease = Assert.Single(await lab.LeasesAsync());
        Assert.Equal(("10.78.0.5", "fixed5"), (lease.Address, lease.Hostname));
    }

    [Fact]
    public async Task Request_for_a_foreign_address_gets_a_nak_when_authoritative()
    {
        await using var lab = DhcpLab.Create();
        await lab.StartServerAsync(Config);
        var leaseFile = Path.Combine(lab.WorkDirectory, "dhclient.leases");
        // A lease from another network, as a laptop brings from elsewhere: dhclient starts in INIT-REBOOT with it.
        await File.WriteAllTextAsync(leaseFile, """
            lease {
              interface "nbc0";
              fixed-address 10.9.9.9;
              option subnet-mask 255.255.255.0;
              option dhcp-server-identifier 10.9.9.1;
              renew 4 2037/1/1 00:00:00;
              rebind 4 2037/1/1 00:00:00;
              expire 4 2037/1/1 00:00:00;
            }
            """);

        var (_, output) = DhcpLab.RunClient(lab.Client, ClientLimit,
            "dhclient", "-v", "-1", "-lf", leaseFile, "-pf", Path.Combine(lab.WorkDirectory, "dhclient.pid"), "-sf", lab.DhclientScript(), "nbc0");

        Assert.True(output.Contains("DHCPREQUEST for 10.9.9.9", StringComparison.Ordinal) && output.Contains("DHCPNAK from 10.78.0.1", StringComparison.Ordinal), lab.Failure(output));
        await lab.ServerProcess.Log.WaitForAsync(new Regex(@"DHCPNAK\(nbs0\) 10\.9\.9\.9 [0-9a-f:]+ wrong network"), TimeSpan.FromSeconds(5));
        // After the NAK the client starts over and gets an address from the range.
        Assert.Matches(@"DHCPACK of 10\.78\.0\.\d+ from 10\.78\.0\.1", output);
    }

    private static async Task WaitForFileLineAsync(string path, string fragment)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (!(File.Exists(path) && (await File.ReadAllTextAsync(path)).Contains(fragment, StringComparison.Ordinal)))
        {
            Assert.True(DateTime.UtcNow < deadline, $"{path} never listed{fragment}");
            await Task.Delay(100);
        }
    }
}

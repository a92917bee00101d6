using System.Text.RegularExpressions;
using NetBoot.Interop.Tests.Dhcp;

namespace NetBoot.Interop.Tests.Dhcp6;

/// <summary>Real DHCPv6 clients (ISC dhclient -6, dhcpcd, systemd-networkd) obtain IA_NA leases from <c>netboot serve</c>,
/// and renew and release them where the client can be made to; each in its own namespace pair, with no router
/// advertisements on the link (the clients are told to ask for IA_NA).</summary>
[Trait("Category", "Interop")]
public sealed class RealDhcp6ClientTests
{
    private static readonly TimeSpan ClientLimit = TimeSpan.FromSeconds(40);

    private static readonly TimeSpan LogLimit = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task Dhclient6_obtains_renews_and_releases_an_ia_na_lease()
    {
        await using var lab = DhcpLab.Create();
        await Dhcp6Lab.PrepareAsync(lab);
        await lab.StartServerAsync(Dhcp6Lab.Config);
        var leaseFile = Path.Combine(lab.WorkDirectory, "dhclient6.leases");
        var pidFile = Path.Combine(lab.WorkDirectory, "dhclient6.pid");
        string[] dhclient = ["dhclient", "-6", "-v", "-1", "-lf", leaseFile, "-pf", pidFile, "-sf", DhclientScript(lab), "nbc0"];
        try
        {
            // SOLICIT, ADVERTISE, REQUEST, REPLY; dhclient then goes to the background, bound.
            var (code, first) = DhcpLab.RunClient(lab.Client, ClientLimit, dhclient);
            var leased = Regex.Match(File.Exists(leaseFile) ? await File.ReadAllTextAsync(leaseFile) : "", @"iaaddr ([0-9a-f:]+) \{");
            Assert.True(code == 0 && leased.Success, lab.Failure(first));
            var address = leased.Groups[1].Value;
            Dhcp6Lab.InRange(address);
            Assert.Contains(address, Dhcp6Lab.GlobalAddresses(lab.Client, "nbc0"));
            var log = lab.ServerProcess.Log;
            await log.WaitForAsync(new Regex(@"DHCPSOLICIT\(nbs0\) [0-9a-f:]+"), LogLimit);
            await log.WaitForAsync(new Regex($@"DHCPADVERTISE\(nbs0\) {Regex.Escape(address)} [0-9a-f:]+"), LogLimit);
            var replied = await log.WaitForAsync(new Regex($@"DHCPREPLY\(nbs0\) {Regex.Escape(address)} [0-9a-f:]+"), LogLimit);

            // Renew: stop the daemon, move the lease's start back past T1 (half the hour) and start again: dhclient
            // confirms the address, finds its renewal due and sends RENEW at once.
            StopDaemon(pidFile);
            var aged = AgeLease(await File.ReadAllTextAsync(leaseFile), TimeSpan.FromMinutes(40));
            await File.WriteAllTextAsync(leaseFile, aged);
            var (_, second) = DhcpLab.RunClient(lab.Client, ClientLimit, dhclient);
            await log.WaitForAsync(new Regex(@"DHCPRENEW\(nbs0\) [0-9a-f:]+"), LogLimit, replied.Index + replied.Length, lab.ServerProcess.EnsureRunning);
            await log.WaitForAsync(new Regex($@"DHCPREPLY\(nbs0\) {Regex.Escape(address)} "), LogLimit, log.Find(new Regex(@"DHCPRENEW\(nbs0\)")).Index);

            // Release: dhclient -r ends the daemon and sends RELEASE; the address leaves the interface.
            var (_, release) = DhcpLab.RunClient(lab.Client, ClientLimit, ["dhclient", "-6", "-v", "-r", "-lf", leaseFile, "-pf", pidFile, "-sf", DhclientScript(lab), "nbc0"]);
            await log.WaitForAsync(new Regex(@"DHCPRELEASE\(nbs0\) [0-9a-f:]+"), LogLimit);
            await log.WaitForAsync(new Regex(@"DHCPREPLY\(nbs0\) release "), LogLimit);
            Assert.DoesNotContain(address, Dhcp6Lab.GlobalAddresses(lab.Client, "nbc0"));
            _ = second + release;
        }
        catch
        {
            lab.Keep = true;
            throw;
        }
        finally
        {
            StopDaemon(pidFile);
        }
    }

    [Fact]
    public async Task Dhcpcd_obtains_renews_and_releases_an_ia_na_lease()
    {
        await using var lab = DhcpLab.Create();
        await Dhcp6Lab.PrepareAsync(lab);
        await lab.StartServerAsync(Dhcp6Lab.Config);
        OwnDhcpcdState(lab);
        var config = Path.Combine(lab.WorkDirectory, "dhcpcd.conf");
        // No router on the link: ipv6only, no router solicitation; ia_na makes dhcpcd ask DHCPv6 without an RA's M flag.
        await File.WriteAllTextAsync(config, "ipv6only\nnoipv6rs\nia_na 1\nnohook resolv.conf\n");
        var daemon = lab.Client.Start(Path.Combine(lab.WorkDirectory, "dhcpcd.log"), Path.Combine(lab.WorkDirectory, "dhcpcd.err"),
            "timeout", "-s", "KILL", "60", "dhcpcd", "-6", "-B", "-d", "-f", config, "nbc0");
        try
        {
            var log = lab.ServerProcess.Log;
            var replied = await log.WaitForAsync(new Regex(@"DHCPREPLY\(nbs0\) (fd78::[0-9a-f]+) ([0-9a-f:]+)"), TimeSpan.FromSeconds(30), 0, lab.ServerProcess.EnsureRunning);
            var address = replied.Groups[1].Value;
            Dhcp6Lab.InRange(address);
            await WaitForAsync(() => Dhcp6Lab.GlobalAddresses(lab.Client, "nbc0").Contains(address), $"{address} on nbc0");

            var (renewCode, renew) = DhcpLab.RunClient(lab.Client, ClientLimit, "dhcpcd", "-6", "-N", "nbc0");
            Assert.True(renewCode == 0, lab.Failure(renew));
            var renewed = await log.WaitForAsync(new Regex(@"DHCPRENEW\(nbs0\) [0-9a-f:]+"), LogLimit, replied.Index + replied.Length);
            await log.WaitForAsync(new Regex($@"DHCPREPLY\(nbs0\) {Regex.Escape(address)} "), LogLimit, renewed.Index);

            var (releaseCode, release) = DhcpLab.RunClient(lab.Client, ClientLimit, "dhcpcd", "-6", "-k", "nbc0");
            Assert.True(releaseCode == 0, lab.Failure(release));
            await log.WaitForAsync(new Regex(@"DHCPRELEASE\(nbs0\) [0-9a-f:]+"), LogLimit);
            await log.WaitForAsync(new Regex(@"DHCPREPLY\(nbs0\) release "), LogLimit);
            Assert.True(daemon.WaitForExit(TimeSpan.FromSeconds(10)), "dhcpcd did not exit after -k");
            Assert.DoesNotContain(address, Dhcp6Lab.GlobalAddresses(lab.Client, "nbc0"));
        }
        catch
        {
            lab.Keep = true;
            throw;
        }
        finally
        {
            if (!daemon.HasExited)
            {
                daemon.Kill(entireProcessTree: true);
                daemon.WaitForExit();
            }
            daemon.Dispose();
        }
    }

    /// <summary><c>ra-stateless</c>: no addresses, options only; dhclient -6 -S asks with INFORMATION-REQUEST and gets the
    /// DNS server from the REPLY, and no address at any step its script is told of. (The range also makes NetBoot advertise
    /// the prefix with the A flag, as dnsmasq does, so the client's kernel may add a SLAAC address of its own.)</summary>
    [Fact]
    public async Task Dhclient6_stateless_gets_options_by_information_request()
    {
        await using var lab = DhcpLab.Create();
        await Dhcp6Lab.PrepareAsync(lab);
        await lab.StartServerAsync("port=0\ndhcp-range=fd78::,ra-stateless\ndhcp-option=option6:dns-server,[fd78::53]\n");
        var received = Path.Combine(lab.WorkDirectory, "dhclient6-options");
        var script = Path.Combine(lab.WorkDirectory, "dhclient6-stateless-script");
        await File.WriteAllTextAsync(script, $"""
            #!/bin/sh
            echo "$reason address=$new_ip6_address dns=$new_dhcp6_name_servers" >> '{received}'
            exit 0
            """);
        File.SetUnixFileMode(script, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var pidFile = Path.Combine(lab.WorkDirectory, "dhclient6.pid");
        try
        {
            var (_, output) = DhcpLab.RunClient(lab.Client, ClientLimit,
                "dhclient", "-6", "-S", "-v", "-1", "-lf", Path.Combine(lab.WorkDirectory, "dhclient6.leases"), "-pf", pidFile, "-sf", script, "nbc0");
            var log = lab.ServerProcess.Log;
            await log.WaitForAsync(new Regex(@"DHCPINFORMATION-REQUEST\(nbs0\) [0-9a-f:]+"), LogLimit);
            await log.WaitForAsync(new Regex(@"DHCPREPLY\(nbs0\) options only "), LogLimit);
            await WaitForAsync(() => File.Exists(received) && Regex.IsMatch(File.ReadAllText(received), @"^\S+ address= dns=fd78::53$", RegexOptions.Multiline),
                "dhclient's script told of DNS server fd78::53\n" + output);
            // dhclient was given no address at any step (its script sees every state change), and NetBoot leased none.
            var steps = File.ReadAllLines(received);
            Assert.All(steps, step => Assert.Contains(" address= ", step, StringComparison.Ordinal));
            Assert.DoesNotContain("DHCPADVERTISE", log.ReadAll(), StringComparison.Ordinal);
            Assert.DoesNotMatch(new Regex(@"DHCPREPLY\(nbs0\) fd78::"), log.ReadAll());
        }
        catch
        {
            lab.Keep = true;
            throw;
        }
        finally
        {
            StopDaemon(pidFile);
        }
    }

    /// <summary>systemd-networkd (Debian 12: systemd 252) in the client namespace, in a private mount namespace: /run/systemd
    /// on a tmpfs, its .network file bound over /etc/systemd/network, and /sys read-only, which tells networkd that no udev
    /// runs (it would otherwise wait for udev to initialise the link). It solicits with rapid commit, then renews at T1:
    /// networkd 252 has no command that renews DHCPv6 (<c>networkctl renew</c> renews DHCPv4 only), so the lease is the
    /// 2-minute minimum and the test waits the 60 s to T1. Release is not exercised: systemd 252 sends no DHCPv6 RELEASE
    /// at all (it came in systemd 253, systemd/systemd#26043; SendRelease= is a [DHCPv4] setting in 252).</summary>
    [Fact]
    public async Task Systemd_networkd_obtains_an_ia_na_lease_with_rapid_commit_and_renews_it_at_t1()
    {
        await using var lab = DhcpLab.Create();
        await Dhcp6Lab.PrepareAsync(lab);
        await lab.StartServerAsync(Dhcp6Lab.Config.Replace(",64,1h", ",64,2m", StringComparison.Ordinal));
        var network = Directory.CreateDirectory(Path.Combine(lab.WorkDirectory, "network")).FullName;
        await File.WriteAllTextAsync(Path.Combine(network, "10-nbc0.network"), """
            [Match]
            Name=nbc0

            [Network]
            DHCP=ipv6
            IPv6AcceptRA=no
            LinkLocalAddressing=ipv6

            [DHCPv6]
            WithoutRA=solicit
            UseDNS=no
            """);
        var script = Path.Combine(lab.WorkDirectory, "networkd.sh");
        await File.WriteAllTextAsync(script, $"""
            #!/bin/sh
            set -e
            mount -t tmpfs tmpfs /run/systemd
            mkdir -p /run/systemd/netif
            chown systemd-network:systemd-network /run/systemd/netif
            mount -o remount,bind,ro /sys
            mount --bind '{network}' /etc/systemd/network
            exec /lib/systemd/systemd-networkd
            """);
        File.SetUnixFileMode(script, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        // ip netns exec, unshare and sh each exec the next: the process ended on disposal is networkd itself.
        await using var networkd = Lab.LabProcess.Start("networkd", Path.Combine(lab.WorkDirectory, "networkd.log"), "ip",
            ["netns", "exec", lab.Client.Name, "unshare", "--mount", "--propagation", "private", script]);
        try
        {
            var log = lab.ServerProcess.Log;
            var solicit = await log.WaitForAsync(new Regex(@"DHCPSOLICIT\(nbs0\) ([0-9a-f:]+)"), TimeSpan.FromSeconds(20), 0, networkd.EnsureRunning);
            // Rapid commit: the SOLICIT is answered by a REPLY that binds, no ADVERTISE.
            var replied = await log.WaitForAsync(new Regex($@"DHCPREPLY\(nbs0\) (fd78::[0-9a-f]+) {Regex.Escape(solicit.Groups[1].Value)}"), LogLimit, solicit.Index);
            var address = replied.Groups[1].Value;
            Dhcp6Lab.InRange(address);
            Assert.DoesNotContain("DHCPADVERTISE", log.ReadAll(), StringComparison.Ordinal);
            await networkd.Log.WaitForAsync(new Regex($@"DHCPv6 address {Regex.Escape(address)}/128"), LogLimit);
            await WaitForAsync(() => Dhcp6Lab.GlobalAddresses(lab.Client, "nbc0").Contains(address), $"{address} on nbc0");

            // T1 is half the 120 s lifetime: networkd renews with its own DUID and keeps the address.
            var duid = solicit.Groups[1].Value;
            var renewed = await log.WaitForAsync(new Regex($@"DHCPRENEW\(nbs0\) {Regex.Escape(duid)}"), TimeSpan.FromSeconds(90), replied.Index, networkd.EnsureRunning);
            await log.WaitForAsync(new Regex($@"DHCPREPLY\(nbs0\) {Regex.Escape(address)} {Regex.Escape(duid)}"), LogLimit, renewed.Index);
            Assert.Contains(address, Dhcp6Lab.GlobalAddresses(lab.Client, "nbc0"));
        }
        catch
        {
            lab.Keep = true;
            throw;
        }
    }

    /// <summary>dhclient -6's script: only the address, only inside the namespace (the stock script would also write the
    /// host's resolver configuration).</summary>
    private static string DhclientScript(DhcpLab lab)
    {
        var path = Path.Combine(lab.WorkDirectory, "dhclient6-script");
        File.WriteAllText(path, """
            #!/bin/sh
            case "$reason" in
              BOUND6|RENEW6|REBIND6|REBOOT6) ip -6 addr replace "$new_ip6_address/${new_ip6_prefixlen:-128}" dev "$interface" nodad ;;
              RELEASE6|EXPIRE6|STOP6) [ -n "$old_ip6_address" ] && ip -6 addr del "$old_ip6_address/${old_ip6_prefixlen:-128}" dev "$interface" ;;
              PREINIT6) ip link set "$interface" up ;;
            esac
            exit 0
            """);
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        return path;
    }

    /// <summary>Ends the dhclient this test started (its pid file), if it still runs.</summary>
    private static void StopDaemon(string pidFile)
    {
        if (File.Exists(pidFile) && int.TryParse(File.ReadAllText(pidFile).Trim(), out var pid))
        {
            try
            {
                using var process = System.Diagnostics.Process.GetProcessById(pid);
                if (process.ProcessName.StartsWith("dhclient", StringComparison.Ordinal))
                {
                    process.Kill();
                    process.WaitForExit(5000);
                }
            }
            catch (ArgumentException)
            {
                // Already gone.
            }
            File.Delete(pidFile);
        }
    }

    /// <summary>Moves every <c>starts</c> of a dhclient -6 lease file back by <paramref name="age"/>.</summary>
    private static string AgeLease(string leases, TimeSpan age) =>
        Regex.Replace(leases, @"starts (\d+);", m => $"starts {long.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) - (long)age.TotalSeconds};");

    /// <summary>dhcpcd keeps its DUID and leases under /var/lib/dhcpcd: what this test makes there is removed with the lab.</summary>
    private static void OwnDhcpcdState(DhcpLab lab)
    {
        foreach (var file in new[] { "/var/lib/dhcpcd/duid", "/var/lib/dhcpcd/nbc0.lease6", "/var/lib/dhcpcd/nbc0.lease", "/var/lib/dhcpcd/secret" })
        {
            if (!File.Exists(file))
            {
                lab.Owns(file);
            }
        }
    }

    private static async Task WaitForAsync(Func<bool> condition, string what)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (!condition())
        {
            if (clock.Elapsed > TimeSpan.FromSeconds(10))
            {
                throw new TimeoutException($"not within 10 s: {what}");
            }
            await Task.Delay(TimeSpan.FromMilliseconds(100));
        }
    }
}

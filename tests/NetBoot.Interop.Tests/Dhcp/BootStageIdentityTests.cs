using System.Text.RegularExpressions;
using NetBoot.Interop.Tests.Lab;
using NetBoot.Testing;

namespace NetBoot.Interop.Tests.Dhcp;

/// <summary>One machine through two boot stages, with the DHCP clients those stages really run: the initramfs's klibc
/// <c>ipconfig</c> (no option 61, as Debian's initramfs-tools runs it) and then the booted system's systemd-networkd
/// (option 61 = 0xff + IAID + DUID, RFC 4361). With a reservation both get the reserved address; without one the machine
/// holds one lease, not two (issue "One machine, one lease", docs/client-identity.md).</summary>
[Trait("Category", "Interop")]
public sealed class BootStageIdentityTests
{
    private const string Mac = "52:54:00:79:00:81";
    private static readonly TimeSpan ClientLimit = TimeSpan.FromSeconds(40);

    private const string Range = """
        port=0
        log-dhcp
        dhcp-range=10.78.0.20,10.78.0.60,1h
        dhcp-authoritative
        """;

    private static async Task<DhcpLab> LabAsync(string config)
    {
        var lab = DhcpLab.Create();
        lab.Client.Exec("ip", "link", "set", "nbc0", "address", Mac);
        await lab.StartServerAsync(config);
        return lab;
    }

    /// <summary>The initramfs: <c>ipconfig -c dhcp</c> from klibc-utils; the address it configured.</summary>
    private static string Initramfs(DhcpLab lab)
    {
        var (code, output) = DhcpLab.RunClient(lab.Client, ClientLimit, "/usr/lib/klibc/bin/ipconfig", "-t", "10", "-c", "dhcp", "-d", "nbc0");
        var address = Regex.Match(output, @"address: (\S+)");
        Assert.True(code == 0 && address.Success, lab.Failure(output));
        // The next stage starts from a bare interface, as after switch_root with a fresh network stack configuration.
        lab.Client.Exec("ip", "addr", "flush", "dev", "nbc0");
        return address.Groups[1].Value;
    }

    /// <summary>The booted system: systemd-networkd with <c>DHCP=ipv4</c> on nbc0, in the client namespace with its own
    /// /etc/systemd (the namespace's /etc overlay) and /run/systemd (a tmpfs in its mount namespace). /sys is read-only
    /// there, which tells networkd no udev runs (as in a container), so it does not wait for one. Returns the address
    /// networkd reports as acquired; networkd is stopped afterwards.</summary>
    private static async Task<string> BootedSystemAsync(DhcpLab lab)
    {
        var network = Path.Combine(lab.Client.EtcOverlay, "systemd", "network");
        Directory.CreateDirectory(network);
        await File.WriteAllTextAsync(Path.Combine(network, "50-nbc0.network"), """
            [Match]
            Name=nbc0
            [Network]
            DHCP=ipv4
            LinkLocalAddressing=no
            IPv6AcceptRA=no
            [DHCPv4]
            SendHostname=no
            """);
        var launcher = Path.Combine(lab.WorkDirectory, "networkd.sh");
        await File.WriteAllTextAsync(launcher, """
            #!/bin/sh
            set -e
            mount -t tmpfs tmpfs /run/systemd
            mkdir -p /run/systemd/netif
            chown systemd-network:systemd-network /run/systemd/netif
            mount -o remount,ro /sys
            exec /lib/systemd/systemd-networkd
            """);
        File.SetUnixFileMode(launcher, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        await using var networkd = LabProcess.Start("networkd", Path.Combine(lab.WorkDirectory, "networkd.log"), "ip",
            ["netns", "exec", lab.Client.Name, "env", "SYSTEMD_LOG_LEVEL=debug", "SYSTEMD_LOG_TARGET=console", launcher]);
        var acquired = await networkd.Log.WaitForAsync(new Regex(@"DHCPv4 address (\S+)/\d+, gateway \S+ acquired from 10\.78\.0\.1"),
            ClientLimit, 0, networkd.EnsureRunning);
        return acquired.Groups[1].Value;
    }

    [Fact]
    public async Task With_a_reservation_the_initramfs_then_systemd_networkd_both_get_the_reserved_address()
    {
        await using var lab = await LabAsync(Range + $"\ndhcp-host={Mac},thin01,10.78.0.111,infinite");

        Assert.Equal("10.78.0.111", Initramfs(lab));
        Assert.Equal("10.78.0.111", await BootedSystemAsync(lab));

        var lease = Assert.Single(await lab.LeasesAsync());
        Assert.Equal(("10.78.0.111", Mac, "thin01"), (lease.Address, lease.HardwareAddress, lease.Hostname));
        // networkd's RFC 4361 identifier (type 0xff), not the initramfs's absent one: the lease moved to the new identity.
        Assert.StartsWith("ff", lease.ClientId, StringComparison.Ordinal);
        Assert.DoesNotMatch(new Regex("DHCPNAK"), lab.ServerProcess.Log.ReadAll());
    }

    [Fact]
    public async Task Without_a_reservation_the_initramfs_then_systemd_networkd_hold_one_lease()
    {
        await using var lab = await LabAsync(Range);

        var first = Initramfs(lab);
        var second = await BootedSystemAsync(lab);

        lab.Keep = first != second;
        Assert.True(first == second, lab.Failure($"the initramfs got {first}, the booted system {second}\n"
            + File.ReadAllText(Path.Combine(lab.WorkDirectory, "networkd.log"))));
        var lease = Assert.Single(await lab.LeasesAsync());
        Assert.Equal((first, Mac), (lease.Address, lease.HardwareAddress));
        Assert.StartsWith("ff", lease.ClientId, StringComparison.Ordinal);
    }
}

using NetBoot.Engine.Leases;
using NetBoot.Leases;
using NetBoot.Wire.Net;

namespace NetBoot.Leases.Tests;

/// <summary>dnsmasq's lease database lines, as <c>dhcp-script init</c> prints them under <c>leasefile-ro</c>.</summary>
public sealed class DnsmasqLeaseReaderTests
{
    private static readonly DateTimeOffset Now = DateTimeOffset.FromUnixTimeSeconds(1_800_000_000);

    [Fact]
    public void Lines_in_dnsmasq_format_become_bound_leases_and_what_dnsmasq_skips_is_skipped()
    {
        var text = """
            1800003600 52:54:00:12:34:56 192.168.67.20 thin01 01:52:54:00:12:34:56
            0 06-00:11:22:33:44:55 192.168.67.21 * *
            1700000000 52:54:00:00:00:01 192.168.67.22 gone *
            duid 00:01:00:01:2c:1f:00:00:52:54:00:aa:bb:cc
            1800003600 1234 fd00::20 v6host 00:01
            vendorclass 192.168.67.20 50:58:45
            not a lease line
            """;

        var (leases, rejected) = DnsmasqLeaseReader.Read(new StringReader(text), Now);

        Assert.Equal(2, leases.Count);
        var first = leases[0];
        Assert.Equal((IPv4Address.Parse("192.168.67.20"), "thin01", LeaseState.Bound), (first.Address, first.HostName, first.State));
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1_800_003_600), first.Expires);
        Assert.Equal(new byte[] { 1, 0x52, 0x54, 0, 0x12, 0x34, 0x56 }, first.ClientId.ToArray());
        Assert.Equal("id:01525400123456", first.Client.Value);
        var second = leases[1];
        Assert.True(second.IsInfinite);
        Assert.Equal(6, second.HardwareAddress.HardwareType);
        Assert.Null(second.HostName);
        Assert.Equal(["not a lease line"], rejected);
    }

    [Fact]
    public void What_the_lease_file_writer_writes_reads_back()
    {
        var lease = new Lease(IPv4Address.Parse("10.0.0.9"), new ClientKey("id:01aabbccddeeff"), HardwareAddress.Ethernet([0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff]),
            [1, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff], "pc9", Now + TimeSpan.FromHours(1), LeaseState.Bound);

        var (leases, rejected) = DnsmasqLeaseReader.Read(new StringReader(DnsmasqLeaseFile.Format([lease], Now)), Now);

        Assert.Empty(rejected);
        Assert.Equal(lease, Assert.Single(leases) with { ClientId = lease.ClientId });
        Assert.Equal(lease.ClientId.ToArray(), leases[0].ClientId.ToArray());
    }
}

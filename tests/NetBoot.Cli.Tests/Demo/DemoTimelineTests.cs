using NetBoot.Cli.Demo;

namespace NetBoot.Cli.Tests.Demo;

/// <summary>The demo's summary from NetBoot's own log lines (as a real BIOS run logged them) and the router's DHCPACK.</summary>
public sealed class DemoTimelineTests
{
    private const string Root = "/tmp/netboot-demo-TuI8mK/root";

    [Fact]
    public void A_bios_boot_becomes_one_step_per_exchange_and_transfer()
    {
        var timeline = new DemoTimeline(Root);
        var at = TimeSpan.Zero;
        void Server(string line) => timeline.OnServerLine(at += TimeSpan.FromSeconds(1), "Dec 07 00:52:51 " + line);
        Server("netboot-dhcp: DHCP listening on sv0 10.77.0.2:67");
        Server("netboot-dhcp: PXE(sv0) 52:54:00:4e:44:01 proxy [DHCPDISCOVER on 67, arch 0 X86Bios, PXEClient:Arch:00000:UNDI:002001]");
        timeline.OnRouterLine(at += TimeSpan.FromSeconds(1), "Dec  7 00:52:52 dnsmasq-dhcp[13648]: DHCPACK(rt0) 10.77.0.114 52:54:00:4e:44:01 ");
        Server("netboot-dhcp: PXE(sv0) 10.77.0.114 52:54:00:4e:44:01 pxelinux.0 [DHCPREQUEST on 4011, arch 0 X86Bios, boot item 0x8000 layer 0, PXEClient]");
        Server($"netboot-tftp: sent {Root}/pxelinux.0 to 10.77.0.114: 42430 bytes in 145 ms (0.29 MB/s), blksize 1432, windowsize 1, 0 retransmitted, 42430 data bytes sent");
        Server("netboot-tftp: warning: file pxelinux.cfg/01-52-54-00-4e-44-01 not found for 10.77.0.114");
        Server("netboot-tftp: warning: file pxelinux.cfg/0A4D0072 not found for 10.77.0.114");
        Server("netboot-tftp: warning: file pxelinux.cfg/0A4D007 not found for 10.77.0.114");
        Server($"netboot-tftp: sent {Root}/pxelinux.cfg/default to 10.77.0.114: 130 bytes in 1 ms (0.09 MB/s), blksize 1408");
        Server("netboot-http: HTTP GET /boot.ipxe from 10.77.0.114: 200 sent /x/boot.ipxe, 105 bytes");

        Assert.Equal(
        [
            "    2.0 s  DHCP   proxyDHCP answer on port 67 to 52:54:00:4e:44:01 [DHCPDISCOVER on 67, arch 0 X86Bios, PXEClient:Arch:00000:UNDI:002001]",
            "    3.0 s  DHCP   the router (dnsmasq, ordinary DHCP) leased 10.77.0.114 to 52:54:00:4e:44:01",
            "    4.0 s  4011   boot server answered 10.77.0.114 (52:54:00:4e:44:01): boot file pxelinux.0 [DHCPREQUEST on 4011, arch 0 X86Bios, boot item 0x8000 layer 0, PXEClient]",
            "    5.0 s  TFTP   sent pxelinux.0 to 10.77.0.114: 42430 bytes in 145 ms",
            "    6.0 s  TFTP   3 names not found, the last pxelinux.cfg/0A4D007 (pxelinux asks for a configuration named after the machine first)",
            "    9.0 s  TFTP   sent pxelinux.cfg/default to 10.77.0.114: 130 bytes in 1 ms",
            "   10.0 s  HTTP   GET /boot.ipxe from 10.77.0.114: 200, 105 bytes",
        ], timeline.Steps.Select(s => s.ToString()));
    }

    [Fact]
    public void A_refusal_and_a_size_probe_are_steps_too()
    {
        var timeline = new DemoTimeline(Root);
        timeline.OnServerLine(TimeSpan.FromSeconds(1), $"netboot-tftp: size of {Root}/ipxe.efi told to 10.77.0.114 (client ended after the options: client error 8: User aborted the transfer)");
        timeline.OnServerLine(TimeSpan.FromSeconds(2), "netboot-http: warning: HTTP GET /nothing from 10.77.0.114: 404 file not found");
        Assert.Equal(["TFTP told 10.77.0.114 the size of ipxe.efi (tsize)", "HTTP GET /nothing from 10.77.0.114: 404 file not found"],
            timeline.Steps.Select(s => $"{s.Protocol} {s.Text}"));
    }

    [Theory]
    [InlineData("Dec  7 00:52:49 dnsmasq-dhcp[13648]: DHCPACK(rt0) 10.77.0.114 52:54:00:4e:44:01 ", "dnsmasq-dhcp: DHCPACK(rt0) 10.77.0.114 52:54:00:4e:44:01 ")]
    [InlineData("Dec  7 00:52:49 dnsmasq-dhcp[13648]: RTR-ADVERT(rt0) fd77::", null)]
    [InlineData("Dec  7 00:52:48 dnsmasq[13648]: compile time options: IPv6 GNU-getopt", null)]
    public void Router_lines_lose_date_and_pid_and_the_ipv6_chatter(string line, string? shown) =>
        Assert.Equal(shown, DemoRun.RouterLineText(line));
}

using System.Text;
using NetBoot.Hosting.Dhcp6;
using NetBoot.Wire.Dhcp6;
using NetBoot.Wire.Net;

namespace NetBoot.Hosting.Tests.Dhcp6;

public sealed class Dhcp6OptionLogTextTests
{
    [Fact]
    public void A_reply_is_logged_option_by_option_in_dnsmasqs_log6_opts_form_with_the_ia_contents_nested()
    {
        var address = new Dhcp6IaAddress(IPv6Address.Parse("fd78::1a4"), TimeSpan.FromSeconds(3600), TimeSpan.FromSeconds(3600), Dhcp6OptionList.Empty);
        var ia = new Dhcp6IaNa(0x2a, TimeSpan.FromSeconds(1800), TimeSpan.FromSeconds(3150), new Dhcp6OptionList([address.ToOption()]));
        var options = new Dhcp6OptionList(
        [
            Dhcp6Option.Create(Dhcp6OptionCode.ServerId, [0, 3, 0, 1, 0x52, 0x54, 0, 0xc0, 0xff, 0x02]),
            ia.ToOption(),
            Dhcp6Option.Create(Dhcp6OptionCode.DnsServers, IPv6Address.Parse("fd78::53").ToBytes()),
            Dhcp6Option.Create(Dhcp6OptionCode.BootfileUrl, Encoding.ASCII.GetBytes("tftp://[fd78::2]/ipxe.efi")),
            Dhcp6Option.Create(Dhcp6OptionCode.Preference, [255]),
        ]);

        var lines = Dhcp6OptionLogText.Lines(options).Select(l => l.ToString()).ToArray();

        Assert.Equal(
        [
            "sent size: 10 option:  2 server-id  00:03:00:01:52:54:00:c0:ff:02",
            "sent size: 40 option:  3 ia-na  IAID=42 T1=1800 T2=3150",
            "nest size: 24 option:  5 iaaddr  fd78::1a4 PL=3600 VL=3600",
            "sent size: 16 option: 23 dns-server  fd78::53",
            "sent size: 25 option: 59 bootfile-url  tftp://[fd78::2]/ipxe.efi",
            "sent size:  1 option:  7 preference  ff",
        ], lines);
    }

    [Fact]
    public void A_refusal_shows_its_status_inside_the_ia_and_client_text_cannot_forge_a_line()
    {
        var status = new Dhcp6StatusCode(Dhcp6Status.NoAddrsAvail, "no addresses\navailable");
        var ia = new Dhcp6IaNa(7, TimeSpan.Zero, TimeSpan.Zero, new Dhcp6OptionList([status.ToOption()]));

        var lines = Dhcp6OptionLogText.Lines(new Dhcp6OptionList([ia.ToOption()])).ToArray();

        Assert.Equal("ia-na", lines[0].Name);
        Assert.Equal("IAID=7 T1=0 T2=0", lines[0].Value);
        Assert.Equal("nest", lines[1].Direction);
        Assert.Equal("status", lines[1].Name);
        Assert.StartsWith("2 no addresses", lines[1].Value, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', lines[1].Value);
    }
}

using NetBoot.Hosting.Ra;
using NetBoot.Wire.Net;

namespace NetBoot.Hosting.Tests.Ra;

public sealed class Ipv6InterfaceTableTests
{
    private const string IfInet6 = """
        00000000000000000000000000000001 01 80 10 80       lo
        fe800000000000005054fffe123456 02 40 20 80     eth0
        fe80000000000000505400fffe123456 02 40 20 40     eth0
        20010db8000100000000000000000001 02 40 00 a0     eth0
        20010db8000200000000000000000001 03 40 00 80     eth1
        not a line
        """;

    [Fact]
    public void Lines_of_proc_net_if_inet6_give_address_interface_prefix_length_and_flags()
    {
        var entries = Ipv6InterfaceTable.Parse(IfInet6);

        Assert.Equal(4, entries.Length); // the 30-digit address and the junk line are skipped
        Assert.Equal((1, "lo"), (entries[0].InterfaceIndex, entries[0].InterfaceName));
        var tentative = entries[1].Address;
        Assert.Equal(IPv6Address.Parse("fe80::5054:ff:fe12:3456"), tentative.Address);
        Assert.True(tentative.IsTentative);
        Assert.Equal(64, tentative.PrefixLength);
        var deprecated = entries[2].Address;
        Assert.True(deprecated.IsDeprecated);
        Assert.False(deprecated.IsTentative);
        Assert.Equal((3, "eth1"), (entries[3].InterfaceIndex, entries[3].InterfaceName));
        Assert.False(entries[3].Address.IsDeprecated);
        Assert.True(entries[3].Address.IsPermanent);
        Assert.False(tentative.IsPermanent); // flags 40: tentative, without IFA_F_PERMANENT (80)
    }
}

using NetBoot.Hosting.Dhcp;
using NetBoot.Wire.Dhcp;

namespace NetBoot.Hosting.Tests.Dhcp;

public class OptionLogTextTests
{
    [Theory]
    [InlineData(DhcpOptionCode.ServerIdentifier, new byte[] { 192, 168, 1, 10 }, "sent size:   4 option:  54 server-identifier  192.168.1.10")]
    [InlineData(DhcpOptionCode.VendorClassIdentifier, new byte[] { (byte)'P', (byte)'X', (byte)'E', 0 }, "sent size:   4 option:  60 vendor-class  PXE")]
    [InlineData(DhcpOptionCode.DhcpMessageType, new byte[] { 2 }, "sent size:   1 option:  53 message-type  2")]
    [InlineData(DhcpOptionCode.IPAddressLeaseTime, new byte[] { 0, 0, 0x0e, 0x10 }, "sent size:   4 option:  51 lease-time  3600")]
    [InlineData(DhcpOptionCode.VendorSpecificInformation, new byte[] { 6, 1, 3, 255 }, "sent size:   4 option:  43 vendor-encap  060103ff")]
    public void Options_are_logged_the_way_dnsmasq_log_dhcp_shows_them(DhcpOptionCode code, byte[] data, string expected) =>
        Assert.Equal(expected, OptionLogText.Describe(DhcpOption.Create(code, data)));
}

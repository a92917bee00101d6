using NetBoot.Hosting.Dhcp;
using NetBoot.Wire.Dhcp;

namespace NetBoot.Hosting.Tests.Dhcp;

public class OptionLogTextTests
{
    [Theory]
    // The forms of dnsmasq 2.90's log-dhcp lines in the lab captures (testdata/lab/*/dnsmasq-pxelab.log).
    [InlineData(DhcpOptionCode.ServerIdentifier, new byte[] { 192, 0, 2, 1 }, "sent size:  4 option: 54 server-identifier  192.0.2.1")]
    [InlineData(DhcpOptionCode.VendorClassIdentifier, new byte[] { (byte)'P', (byte)'X', (byte)'E', 0 }, "sent size:  4 option: 60 vendor-class  PXE")]
    [InlineData(DhcpOptionCode.DhcpMessageType, new byte[] { 2 }, "sent size:  1 option: 53 message-type  2")]
    [InlineData(DhcpOptionCode.IPAddressLeaseTime, new byte[] { 0, 0, 0x0e, 0x10 }, "sent size:  4 option: 51 lease-time  1h")]
    [InlineData(DhcpOptionCode.RenewalTimeValue, new byte[] { 0, 0, 0x07, 0x08 }, "sent size:  4 option: 58 T1  30m")]
    [InlineData(DhcpOptionCode.RebindingTimeValue, new byte[] { 0, 0, 0x0c, 0x4e }, "sent size:  4 option: 59 T2  52m30s")]
    [InlineData(DhcpOptionCode.IPAddressLeaseTime, new byte[] { 255, 255, 255, 255 }, "sent size:  4 option: 51 lease-time  infinite")]
    [InlineData(DhcpOptionCode.VendorSpecificInformation, new byte[] { 6, 1, 3, 255 }, "sent size:  4 option: 43 vendor-encap  06:01:03:ff")]
    public void Options_are_logged_the_way_dnsmasq_log_dhcp_shows_them(DhcpOptionCode code, byte[] data, string expected) =>
        Assert.Equal(expected, OptionLogText.Describe(DhcpOption.Create(code, data)));
}

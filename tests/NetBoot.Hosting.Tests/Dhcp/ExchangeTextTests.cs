using System.Text;
using NetBoot.Hosting.Dhcp;
using NetBoot.Wire.Dhcp;
using NetBoot.Wire.Net;

namespace NetBoot.Hosting.Tests.Dhcp;

/// <summary>The text values of the exchange line (<c>[DHCPDISCOVER on 67, arch 0 X86Bios, PXEClient:…]</c>): the client's
/// option 60 is escaped, so a newline in it cannot start a forged line.</summary>
public class ExchangeTextTests
{
    private static DhcpMessage Discover(DhcpOptionCode code, string text)
    {
        var discover = DhcpMessage.CreateRequest(DhcpMessageType.Discover, HardwareAddress.Ethernet([0xde, 0xad, 0xbe, 0xef, 0, 1]), 7);
        return discover with { Options = discover.Options.With(code, Encoding.Latin1.GetBytes(text)) };
    }

    [Fact]
    public void A_forged_line_in_the_vendor_class_stays_on_the_exchange_line()
    {
        var vendorClass = ExchangeText.OptionText(Discover(DhcpOptionCode.VendorClassIdentifier,
            "PXEClient\nNov 25 21:50:48 netboot-dhcp: DHCPACK(eth0) 10.0.0.66 de:ad:be:ef:00:01 forged\u001b[2J"), DhcpOptionCode.VendorClassIdentifier);

        Assert.Equal("PXEClient\\x0aNov 25 21:50:48 netboot-dhcp: DHCPACK(eth0) 10.0.0.66 de:ad:be:ef:00:01 forged\\x1b[2J", vendorClass);
    }

    [Theory]
    [InlineData(DhcpMessageType.Discover, "DHCPDISCOVER")]
    [InlineData(DhcpMessageType.Request, "DHCPREQUEST")]
    [InlineData(null, "BOOTP")]
    public void The_message_type_is_named_as_dnsmasq_does(DhcpMessageType? type, string name) =>
        Assert.Equal(name, ExchangeText.MessageName(type));

    [Theory]
    [InlineData(0, "X86Bios")]
    [InlineData(7, "X64Uefi")]
    [InlineData(11, "Arm64Uefi")]
    [InlineData(4242, "unknown")]
    public void An_architecture_has_its_registry_name(ushort architecture, string name) =>
        Assert.Equal(name, ExchangeText.ArchitectureName(architecture));

    [Theory]
    [InlineData(DhcpOptionCode.VendorClassIdentifier, "MSFT 5.0\0", "MSFT 5.0")]
    [InlineData(DhcpOptionCode.UserClass, "iPXE", "iPXE")]
    [InlineData(DhcpOptionCode.HostName, "pc\r\n01\u00ff", "pc\\x0d\\x0a01\\xff")]
    public void Option_text_is_escaped_and_loses_its_trailing_nul(DhcpOptionCode code, string sent, string shown) =>
        Assert.Equal(shown, ExchangeText.OptionText(Discover(code, sent), code));

    [Fact]
    public void A_control_byte_in_a_replied_text_option_is_not_logged_raw()
    {
        var line = OptionLogText.Describe(DhcpOption.Create(DhcpOptionCode.HostName, "pc\n01"u8));

        Assert.DoesNotContain('\n', line);
    }
}

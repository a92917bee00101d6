using System.Collections.Immutable;
using NetBoot.Wire.Dhcp;
using NetBoot.Wire.Net;
using NetBoot.Wire.Pxe;
using NetBoot.Wire.Rendering;

namespace NetBoot.Wire.Tests.Rendering;

public class DhcpMessageRendererTests
{
    private static readonly HardwareAddress Client = HardwareAddress.Ethernet([0x52, 0x54, 0x00, 0xc0, 0xff, 0x01]);

    private static DhcpMessage ProxyOffer()
    {
        var pxe = PxeVendorOptions.Encode(
        [
            PxeVendorOptions.DiscoveryControl(PxeDiscoveryControl.DisableBroadcastDiscovery | PxeDiscoveryControl.DisableMulticastDiscovery),
            PxeVendorOptions.BootServers([new PxeBootServer(0x8002, [new IPv4Address(0xC0000201)])]),
            PxeVendorOptions.BootMenu([new PxeMenuEntry(0x8002, "iPXE script"), new PxeMenuEntry(0, "Boot from local disk")]),
            PxeVendorOptions.MenuPrompt(new PxeMenuPrompt(3, "Press F8 for boot menu")),
        ]);
        var options = DhcpOptionList.Empty
            .With(DhcpOptionCode.DhcpMessageType, [(byte)DhcpMessageType.Offer])
            .With(DhcpOptionCode.ServerIdentifier, [192, 0, 2, 1])
            .With(DhcpOptionCode.VendorClassIdentifier, "PXEClient"u8)
            .With(DhcpOptionCode.VendorSpecificInformation, pxe.AsSpan());
        return DhcpMessage.CreateRequest(DhcpMessageType.Offer, Client, 0x1234abcd) with
        {
            Operation = BootOperation.BootReply,
            Flags = 0x8000,
            Options = options,
        };
    }

    [Fact]
    public void Proxy_offer_shows_the_pxe_menu_as_a_readable_list()
    {
        var text = DhcpMessageRenderer.Render(ProxyOffer(), isPxe: true);

        Assert.Contains("DHCPOFFER  xid 0x1234abcd  client 52:54:00:c0:ff:01", text);
        Assert.Contains("discovery-control    3 (no broadcast discovery, no multicast discovery)", text);
        Assert.Contains("type 0x8002 -> 192.0.2.1", text);
        Assert.Contains("boot-menu            2 entries", text);
        Assert.Contains("1. type 0x8002  \"iPXE script\"", text);
        Assert.Contains("2. type 0x0000 (local boot)  \"Boot from local disk\"", text);
        Assert.Contains("menu-prompt          timeout 3s, \"Press F8 for boot menu\"", text);
        Assert.Contains("flags broadcast", text);
    }

    [Fact]
    public void Option_43_of_a_non_pxe_message_is_shown_as_bytes()
    {
        var message = ProxyOffer();
        var text = DhcpMessageRenderer.Render(message, isPxe: false);

        Assert.DoesNotContain("boot-menu", text);
        Assert.Contains(" 43 vendor-encap", text);
    }

    [Fact]
    public void Discover_shows_architecture_names_and_parameter_request_names()
    {
        var options = DhcpOptionList.Empty
            .With(DhcpOptionCode.DhcpMessageType, [1])
            .With(DhcpOptionCode.ParameterRequestList, [1, 3, 43, 60, 66, 67])
            .With(DhcpOptionCode.ClientSystemArchitecture, [0, 7])
            .With(DhcpOptionCode.ClientNetworkInterfaceIdentifier, [1, 3, 16])
            .With(DhcpOptionCode.ClientMachineIdentifier, [0, .. Enumerable.Range(1, 16).Select(i => (byte)i)])
            .With(DhcpOptionCode.ClientIdentifier, [1, 0x52, 0x54, 0x00, 0xc0, 0xff, 0x01]);
        var message = DhcpMessage.CreateRequest(DhcpMessageType.Discover, Client, 7) with { Options = options };

        var text = DhcpMessageRenderer.Render(message, isPxe: true);

        Assert.Contains("client-arch            7 X64Uefi", text);
        Assert.Contains("1 netmask, 3 router, 43 vendor-encap, 60 vendor-class", text);
        Assert.Contains("66 tftp-server, 67 bootfile-name", text);
        Assert.Contains("client-interface-id    UNDI 3.16", text);
        Assert.Contains("client-machine-id      GUID 01020304-0506-0708-090a-0b0c0d0e0f10", text);
        Assert.Contains("client-id              ethernet 52:54:00:c0:ff:01", text);
    }

    [Theory]
    [InlineData(new byte[] { 4, (byte)'i', (byte)'P', (byte)'X', (byte)'E' }, "RFC 3004, 1 instance: \"iPXE\"")]
    [InlineData(new byte[] { (byte)'i', (byte)'P', (byte)'X', (byte)'E' }, "\"iPXE\" (not RFC 3004 instances; plain text form)")]
    public void User_class_is_read_as_rfc_3004_instances_or_plain_text(byte[] value, string expected)
    {
        var writer = new RenderWriter();
        DhcpOptionRenderer.Render(writer, new DhcpOption(DhcpOptionCode.UserClass, [.. value]), isPxe: false);

        Assert.Contains(expected, writer.ToString());
    }

    [Fact]
    public void User_class_with_two_instances_lists_each()
    {
        var writer = new RenderWriter();
        DhcpOptionRenderer.Render(writer, new DhcpOption(DhcpOptionCode.UserClass, [2, (byte)'a', (byte)'b', 1, (byte)'c']), isPxe: false);

        var pad = new string(' ', DhcpOptionRenderer.Head(77).Length);
        Assert.Equal($" 77 user-class             RFC 3004, 2 instances\n{pad}\"ab\"\n{pad}\"c\"\n", writer.ToString());
    }

    [Fact]
    public void Relay_agent_information_names_its_sub_options()
    {
        var writer = new RenderWriter();
        byte[] data = [1, 4, (byte)'e', (byte)'t', (byte)'h', (byte)'0', 2, 3, 0xde, 0xad, 0x01, 5, 4, 10, 0, 0, 1];
        DhcpOptionRenderer.Render(writer, new DhcpOption(DhcpOptionCode.RelayAgentInformation, [.. data]), isPxe: false);

        var text = writer.ToString();
        Assert.Contains("3 sub-options", text);
        Assert.Contains("  1 circuit-id           \"eth0\"", text);
        Assert.Contains("  2 remote-id            de ad 01", text);
        Assert.Contains("  5 link-selection       10.0.0.1", text);
    }

    [Fact]
    public void Relay_agent_information_with_a_short_sub_option_is_marked_damaged()
    {
        var writer = new RenderWriter();
        DhcpOptionRenderer.Render(writer, new DhcpOption(DhcpOptionCode.RelayAgentInformation, [1, 9, 0x41]), isPxe: false);

        Assert.Contains("0 sub-options then damaged", writer.ToString());
    }

    [Theory]
    [InlineData(DhcpOptionCode.OptionOverload, new byte[] { 2 }, "2 (options continue in the sname field)")]
    [InlineData(DhcpOptionCode.IPAddressLeaseTime, new byte[] { 0, 1, 0x51, 0x80 }, "86400s (1d)")]
    [InlineData(DhcpOptionCode.IPAddressLeaseTime, new byte[] { 0xff, 0xff, 0xff, 0xff }, "infinite")]
    [InlineData(DhcpOptionCode.Router, new byte[] { 192, 0, 2, 1, 192, 0, 2, 2 }, "192.0.2.1, 192.0.2.2")]
    [InlineData(DhcpOptionCode.Router, new byte[] { 192, 0, 2 }, "malformed: 3 bytes, expected a multiple of 4: c0 00 02")]
    [InlineData(DhcpOptionCode.MaximumDhcpMessageSize, new byte[] { 5, 0xc0 }, "1472")]
    [InlineData(DhcpOptionCode.DhcpMessageType, new byte[] { 13 }, "DHCPLEASEACTIVE")]
    [InlineData(DhcpOptionCode.StaticRoute, new byte[] { 10, 0, 0, 0, 192, 0, 2, 1 }, "10.0.0.0 via 192.0.2.1")]
    [InlineData(DhcpOptionCode.ClasslessStaticRoute, new byte[] { 8, 10, 192, 0, 2, 1, 0, 192, 0, 2, 9 }, "10.0.0.0/8 via 192.0.2.1, 0.0.0.0/0 via 192.0.2.9")]
    [InlineData(DhcpOptionCode.DomainSearch, new byte[] { 3, (byte)'a', (byte)'b', (byte)'c', 3, (byte)'c', (byte)'o', (byte)'m', 0, 1, (byte)'x', 0xc0, 4 }, "\"abc.com\", \"x.com\"")]
    [InlineData(DhcpOptionCode.ClientIdentifier, new byte[] { 0, (byte)'h', (byte)'o', (byte)'s', (byte)'t' }, "type 0 (opaque) \"host\"")]
    [InlineData(DhcpOptionCode.HostName, new byte[] { (byte)'n', (byte)'a', (byte)'s', 0 }, "\"nas\"")]
    [InlineData((DhcpOptionCode)224, new byte[] { 1, 2, 3 }, "01 02 03")]
    public void Option_value_is_decoded_by_its_format(DhcpOptionCode code, byte[] value, string expected)
    {
        var writer = new RenderWriter();
        DhcpOptionRenderer.Render(writer, new DhcpOption(code, [.. value]), isPxe: false);

        Assert.Equal(DhcpOptionRenderer.Head((byte)code) + expected + "\n", writer.ToString());
    }

    [Fact]
    public void Pxe_boot_item_shows_type_in_hex_and_layer()
    {
        var pxe = PxeVendorOptions.Encode([PxeVendorOptions.BootItem(new PxeBootItem(0x8002, 0))]);
        var writer = new RenderWriter();
        DhcpOptionRenderer.Render(writer, new DhcpOption(DhcpOptionCode.VendorSpecificInformation, pxe), isPxe: true);

        Assert.Contains(" 71 boot-item            type 0x8002, layer 0", writer.ToString());
    }

    [Fact]
    public void Truncated_pxe_sub_option_is_reported_after_the_readable_ones()
    {
        byte[] data = [6, 1, 8, 9, 20, 0x80];
        var writer = new RenderWriter();
        DhcpOptionRenderer.Render(writer, new DhcpOption(DhcpOptionCode.VendorSpecificInformation, [.. data]), isPxe: true);

        var text = writer.ToString();
        Assert.Contains("PXE, 1 sub-option then damaged: TruncatedSubOption", text);
        Assert.Contains("discovery-control    8 (boot the file in this offer, no prompt or menu)", text);
    }

    [Fact]
    public void Bootp_message_without_cookie_says_so()
    {
        var message = DhcpMessage.CreateRequest(DhcpMessageType.Discover, Client, 1) with { HasMagicCookie = false, Options = DhcpOptionList.Empty };

        var text = DhcpMessageRenderer.Render(message, isPxe: false);

        Assert.StartsWith("BOOTREQUEST (BOOTP)", text);
        Assert.Contains("no magic cookie", text);
    }

    [Fact]
    public void Long_opaque_option_is_wrapped_into_hex_lines()
    {
        var writer = new RenderWriter();
        DhcpOptionRenderer.Render(writer, new DhcpOption((DhcpOptionCode)224, ImmutableArray.CreateRange(Enumerable.Range(0, 20).Select(i => (byte)(i + 1)))), isPxe: false);

        var pad = new string(' ', DhcpOptionRenderer.Head(224).Length);
        Assert.Equal($"{DhcpOptionRenderer.Head(224)}20 bytes\n{pad}01 02 03 04 05 06 07 08 09 0a 0b 0c 0d 0e 0f 10\n{pad}11 12 13 14\n", writer.ToString());
    }

    [Fact]
    public void Ipxe_option_175_lists_bus_id_version_and_feature_flags()
    {
        byte[] data = [0xb1, 5, 1, 0x80, 0x86, 0x10, 0x0e, 0xeb, 3, 1, 0, 0, 0x13, 1, 1, 0x15, 1, 1];
        var writer = new RenderWriter();
        DhcpOptionRenderer.Render(writer, new DhcpOption(DhcpOptionCode.EtherbootEncapsulated, [.. data]), isPxe: false);

        var pad = new string(' ', DhcpOptionRenderer.Head(175).Length);
        Assert.Equal($"{DhcpOptionRenderer.Head(175)}iPXE, 4 sub-options\n{pad}bus-id PCI 8086:100e\n{pad}version 1.0.0\n{pad}features http, tftp\n", writer.ToString());
    }
}

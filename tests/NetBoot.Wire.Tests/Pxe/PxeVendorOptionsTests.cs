using System.Collections.Immutable;
using NetBoot.Testing;
using NetBoot.Wire.Dhcp;
using NetBoot.Wire.Net;
using NetBoot.Wire.Pxe;

namespace NetBoot.Wire.Tests.Pxe;

/// <summary>Option 43 sub-options as real servers sent them (values read with tshark 4.0).</summary>
public sealed class PxeVendorOptionsTests
{
    private const string Pixiecore = "testdata/pcap/pxe/netboot-dhcp4-testdata-dhcp.pcap";
    private const string PixiecoreFullFlow = "testdata/pcap/pxe/netboot-pcap-testdata-usec.pcap";
    private const string LabProxy = "testdata/lab/bios-ipxe-proxy/capture.pcap";

    private static ImmutableArray<byte> Option43(string key, int frame)
    {
        Assert.True(DhcpMessageDecoder.TryDecode(CaptureCorpus.DhcpDatagram(key, frame).Payload.Span, out var message, out var error), error.ToString());
        Assert.True(message.Options.TryGet(DhcpOptionCode.VendorSpecificInformation, out var data));
        return data;
    }

    private static ImmutableArray<PxeSubOption> SubOptions(string key, int frame)
    {
        Assert.True(PxeVendorOptions.TryDecode(Option43(key, frame).AsSpan(), out var subOptions, out var error), error.ToString());
        return subOptions;
    }

    private static byte[] Data(ImmutableArray<PxeSubOption> subOptions, PxeSubOptionCode code) =>
        Assert.Single(subOptions, s => s.Code == code).Data.ToArray();

    [Fact]
    public void Pixiecore_proxy_offer_carries_discovery_control_boot_servers_menu_and_prompt()
    {
        var subOptions = SubOptions(Pixiecore, 2);

        Assert.Equal(
            [PxeSubOptionCode.DiscoveryControl, PxeSubOptionCode.BootServers, PxeSubOptionCode.BootMenu, PxeSubOptionCode.MenuPrompt],
            subOptions.Select(s => s.Code));
        Assert.Equal([(byte)(PxeDiscoveryControl.DisableBroadcastDiscovery | PxeDiscoveryControl.DisableMulticastDiscovery)], Data(subOptions, PxeSubOptionCode.DiscoveryControl));

        Assert.True(PxeVendorOptions.TryReadBootServers(Data(subOptions, PxeSubOptionCode.BootServers), out var servers));
        var server = Assert.Single(servers);
        Assert.Equal(0x8000, server.Type);
        Assert.Equal([IPv4Address.Parse("192.168.16.10")], server.Addresses.ToArray());

        Assert.True(PxeVendorOptions.TryReadBootMenu(Data(subOptions, PxeSubOptionCode.BootMenu), out var menu));
        Assert.Equal([new PxeMenuEntry(0x8000, "Pixiecore")], menu.ToArray());

        Assert.True(PxeVendorOptions.TryReadMenuPrompt(Data(subOptions, PxeSubOptionCode.MenuPrompt), out var prompt));
        Assert.Equal(new PxeMenuPrompt(0, "Pixiecore"), prompt);
    }

    [Fact]
    public void Pixiecore_boot_server_ack_echoes_a_boot_item()
    {
        // Frames 6 and 7: REQUEST and ACK, both 4011 → 4011, boot item 8000:0000.
        Assert.True(PxeVendorOptions.TryGetBootItem(SubOptions(PixiecoreFullFlow, 6), out var asked));
        Assert.True(PxeVendorOptions.TryGetBootItem(SubOptions(PixiecoreFullFlow, 7), out var answered));

        Assert.Equal(new PxeBootItem(0x8000, 0), asked);
        Assert.Equal(asked, answered);
        Assert.False(answered.WantsBootIntegrityServices);
    }

    [Theory]
    [InlineData(2)]
    [InlineData(4)]
    public void Dnsmasq_proxy_offer_in_the_lab_matches_its_pxe_service_configuration(int frame)
    {
        var subOptions = SubOptions(LabProxy, frame);

        Assert.Equal([3], Data(subOptions, PxeSubOptionCode.DiscoveryControl));
        Assert.True(PxeVendorOptions.TryReadBootServers(Data(subOptions, PxeSubOptionCode.BootServers), out var servers));
        Assert.Equal(0x8002, Assert.Single(servers).Type);
        Assert.Equal([IPv4Address.Parse("192.0.2.1")], servers[0].Addresses.ToArray());
        Assert.True(PxeVendorOptions.TryReadBootMenu(Data(subOptions, PxeSubOptionCode.BootMenu), out var menu));
        Assert.Equal([new PxeMenuEntry(0x8002, "iPXE script")], menu.ToArray());
        Assert.True(PxeVendorOptions.TryReadMenuPrompt(Data(subOptions, PxeSubOptionCode.MenuPrompt), out var prompt));
        Assert.Equal(new PxeMenuPrompt(3, "Press F8 for boot menu"), prompt);
    }

    [Fact]
    public void Lab_client_asks_the_boot_server_for_item_8002_layer_0_and_dnsmasq_echoes_it()
    {
        Assert.True(PxeVendorOptions.TryGetBootItem(SubOptions(LabProxy, 14), out var asked));
        var reply = SubOptions(LabProxy, 15);
        Assert.True(PxeVendorOptions.TryGetBootItem(reply, out var answered));

        Assert.Equal(new PxeBootItem(0x8002, 0), asked);
        Assert.Equal(asked, answered);
        Assert.Equal([PxeSubOptionCode.BootItem, PxeSubOptionCode.MenuPrompt], reply.Select(s => s.Code));
    }

    [Theory]
    [InlineData(Pixiecore, 2)]
    [InlineData(LabProxy, 2)]
    [InlineData(LabProxy, 14)]
    [InlineData(LabProxy, 15)]
    public void Re_encoding_real_sub_options_gives_back_the_bytes_on_the_wire(string key, int frame)
    {
        var original = Option43(key, frame);

        var encoded = PxeVendorOptions.Encode(SubOptions(key, frame));

        Assert.Equal(original.ToArray(), encoded.ToArray());
    }

    [Fact]
    public void Typed_builders_match_what_dnsmasq_sent()
    {
        var subOptions = SubOptions(LabProxy, 2);

        Assert.Equal(Data(subOptions, PxeSubOptionCode.BootServers),
            PxeVendorOptions.BootServers([new PxeBootServer(0x8002, [IPv4Address.Parse("192.0.2.1")])]).Data.ToArray());
        Assert.Equal(Data(subOptions, PxeSubOptionCode.BootMenu), PxeVendorOptions.BootMenu([new PxeMenuEntry(0x8002, "iPXE script")]).Data.ToArray());
        Assert.Equal(Data(subOptions, PxeSubOptionCode.MenuPrompt), PxeVendorOptions.MenuPrompt(new PxeMenuPrompt(3, "Press F8 for boot menu")).Data.ToArray());
        Assert.Equal(Data(subOptions, PxeSubOptionCode.DiscoveryControl),
            PxeVendorOptions.DiscoveryControl(PxeDiscoveryControl.DisableBroadcastDiscovery | PxeDiscoveryControl.DisableMulticastDiscovery).Data.ToArray());
    }

    [Fact]
    public void Every_truncation_of_real_option_43_is_rejected_or_decodes_a_prefix()
    {
        var original = Option43(LabProxy, 2).ToArray();
        for (var length = 0; length < original.Length; length++)
        {
            var ok = PxeVendorOptions.TryDecode(original.AsSpan(0, length), out var subOptions, out var error);

            Assert.Equal(ok, error == PxeDecodeError.None);
            Assert.True(subOptions.Length <= 4);
        }
    }

    [Fact]
    public void Sub_option_running_past_option_43_is_truncated()
    {
        Assert.False(PxeVendorOptions.TryDecode([6, 1, 3, 9, 20, 0x80], out var subOptions, out var error));

        Assert.Equal(PxeDecodeError.TruncatedSubOption, error);
        Assert.Equal([PxeSubOptionCode.DiscoveryControl], subOptions.Select(s => s.Code));
    }
}

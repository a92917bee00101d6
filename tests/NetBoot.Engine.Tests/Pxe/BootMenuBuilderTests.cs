using NetBoot.Configuration.Model;
using NetBoot.Engine.Dhcp;
using NetBoot.Engine.Pxe;
using NetBoot.Wire.Dhcp;
using NetBoot.Wire.Net;
using NetBoot.Wire.Pxe;
using static NetBoot.Engine.Tests.DecisionAssert;
using static NetBoot.Engine.Tests.TestRequests;

namespace NetBoot.Engine.Tests.Pxe;

public class BootMenuBuilderTests
{
    /// <summary>Spec §1.5 worked example (ltsp.conf, BIOS client, server 192.168.1.10), 91 bytes.</summary>
    private static readonly byte[] LtspOption43 =
    [
        0x06, 0x01, 0x03,
        0x08, 0x07, 0x80, 0x00, 0x01, 0xC0, 0xA8, 0x01, 0x0A,
        0x09, 0x30, 0x80, 0x00, 0x11, .. "Boot from network"u8, 0x00, 0x00, 0x19, .. "Boot from local hard disk"u8,
        0x0A, 0x17, 0x03, .. "Press F8 for boot menu"u8,
        0x06, 0x01, 0x02,
        0xFF,
    ];

    [Fact]
    public void Ltsp_wiki_config_gives_the_worked_example_option_43_byte_for_byte()
    {
        var reply = Reply(DhcpEngine.Decide(On67(Discover(0)), TestConfigs.Ltsp()));

        Assert.Equal(91, LtspOption43.Length);
        Assert.Equal(Convert.ToHexString(LtspOption43), Hex(Option(reply, DhcpOptionCode.VendorSpecificInformation)));
        Assert.Equal(IPv4Address.Any, reply.Message.ServerAddress);
        Assert.Equal("/ltsp/i386/pxelinux.0", reply.Message.BootFileName);
        Assert.False(reply.Message.Options.Contains(DhcpOptionCode.RootPath));
    }

    [Fact]
    public void Configured_discovery_control_is_appended_after_the_synthesized_one_so_sub_option_6_appears_twice()
    {
        var reply = Reply(DhcpEngine.Decide(On67(Discover(0)), TestConfigs.Ltsp()));

        PxeVendorOptions.TryDecode(Option(reply, DhcpOptionCode.VendorSpecificInformation).AsSpan(), out var subs, out _);
        var controls = subs.Where(s => s.Code == PxeSubOptionCode.DiscoveryControl).Select(s => s.Data[0]).ToArray();
        Assert.Equal(new byte[] { 3, 2 }, controls);
    }

    [Fact]
    public void Prompt_with_timeout_is_sent_as_timeout_then_text()
    {
        var subs = Build(TestConfigs.Ltsp(), 0);

        var prompt = Assert.Single(subs, s => s.Code == PxeSubOptionCode.MenuPrompt);
        Assert.Equal([3, .. "Press F8 for boot menu"u8], prompt.Data.ToArray());
    }

    [Fact]
    public void Prompt_without_timeout_waits_forever()
    {
        var config = TestConfigs.Ltsp() with { PxePrompts = [new PxePromptConfig { Text = "Choose", Source = TestConfigs.Line(8) }] };

        var prompt = Assert.Single(Build(config, 0), s => s.Code == PxeSubOptionCode.MenuPrompt);
        Assert.Equal([0xFF, .. "Choose"u8], prompt.Data.ToArray());
    }

    [Fact]
    public void Without_pxe_prompt_a_menu_of_several_items_gets_PXE_with_timeout_255()
    {
        var config = TestConfigs.Ltsp() with { PxePrompts = [] };

        var subs = Build(config, 0);

        Assert.Equal(PxeSubOptionCode.MenuPrompt, subs[1].Code);
        Assert.Equal("0A04FF505845", Convert.ToHexString([10, (byte)subs[1].Data.Length, .. subs[1].Data]));
    }

    [Fact]
    public void Without_pxe_prompt_a_single_item_boots_at_once_with_timeout_0()
    {
        var config = TestConfigs.Ltsp() with { PxePrompts = [], PxeServices = [TestConfigs.Ltsp().PxeServices[0]] };

        var prompt = Assert.Single(Build(config, 0), s => s.Code == PxeSubOptionCode.MenuPrompt);
        Assert.Equal("00505845", Convert.ToHexString(prompt.Data.AsSpan()));
    }

    [Fact]
    public void Prompt_whose_tags_do_not_match_is_replaced_by_the_synthesized_one()
    {
        var config = TestConfigs.Ltsp() with
        {
            PxePrompts = [new PxePromptConfig { Text = "Only for lab", Filter = TestConfigs.Tags("lab"), Source = TestConfigs.Line(8) }],
        };

        var prompt = Assert.Single(Build(config, 0), s => s.Code == PxeSubOptionCode.MenuPrompt);
        Assert.Equal("FF505845", Convert.ToHexString(prompt.Data.AsSpan()));
    }

    [Fact]
    public void Vendor_options_are_emitted_in_reverse_configuration_order()
    {
        var config = TestConfigs.Ltsp() with
        {
            Options =
            [
                new DhcpOptionConfig { Code = 1, Value = [0xE0, 1, 1, 1], VendorClass = "PXEClient", Source = TestConfigs.Line(2) },
                new DhcpOptionConfig { Code = 2, Value = [0x04, 0x01], VendorClass = "PXEClient", Source = TestConfigs.Line(30) },
            ],
        };

        var codes = Build(config, 0).Select(s => (byte)s.Code).ToArray();

        // Configured: prompt (line 8) between the two options: reversed = 2 (line 30), 10 (line 8), 1 (line 2).
        Assert.Equal(new byte[] { 6, 8, 9, 2, 10, 1 }, codes);
    }

    [Fact]
    public void Vendor_option_for_another_vendor_class_is_not_sent()
    {
        var config = TestConfigs.Ltsp() with
        {
            Options = [new DhcpOptionConfig { Code = 6, Value = [2], VendorClass = "HTTPClient", Source = TestConfigs.Line(6) }],
        };

        Assert.Single(Build(config, 0), s => s.Code == PxeSubOptionCode.DiscoveryControl);
    }

    [Fact]
    public void Basename_items_are_served_by_this_host_and_typed_0x8000_upwards_in_config_order()
    {
        var config = TestConfigs.Ltsp() with
        {
            PxePrompts = [],
            PxeServices =
            [
                TestConfigs.Service(0, "A", 0x8000, "a"),
                TestConfigs.Service(0, "B", 0x8001, "b.0"),
            ],
        };

        var subs = Build(config, 0);

        var servers = subs.Single(s => s.Code == PxeSubOptionCode.BootServers);
        Assert.Equal("800001C0A8010A800101C0A8010A", Convert.ToHexString(servers.Data.AsSpan()));
        var menu = subs.Single(s => s.Code == PxeSubOptionCode.BootMenu);
        Assert.Equal("800001418001014" + "2", Convert.ToHexString(menu.Data.AsSpan()));
    }

    [Fact]
    public void Integer_type_without_server_allows_broadcast_discovery()
    {
        var config = TestConfigs.Ltsp() with { PxeServices = [.. TestConfigs.Ltsp().PxeServices, TestConfigs.Service(0, "RIS", 1)] };

        Assert.Equal(2, Build(config, 0)[0].Data[0]);
    }

    [Fact]
    public void Integer_type_with_a_server_is_listed_in_boot_servers()
    {
        var config = TestConfigs.Ltsp() with { PxeServices = [TestConfigs.Service(0, "RIS", 1, server: "192.168.1.20")] };

        var subs = Build(config, 0);

        Assert.Equal(3, subs[0].Data[0]);
        Assert.Equal("000101C0A80114", Convert.ToHexString(subs.Single(s => s.Code == PxeSubOptionCode.BootServers).Data.AsSpan()));
    }

    [Fact]
    public void No_item_for_this_architecture_sets_discovery_control_8_and_sends_no_menu()
    {
        var subs = Build(TestConfigs.Ltsp(), 11);

        Assert.Equal((byte)PxeDiscoveryControl.UseBootFileFromOffer, subs[0].Data[0]);
        Assert.DoesNotContain(subs, s => s.Code is PxeSubOptionCode.BootMenu or PxeSubOptionCode.BootServers);
    }

    [Fact]
    public void Menu_larger_than_253_bytes_falls_back_to_the_configured_sub_options_only()
    {
        var services = Enumerable.Range(0, 12).Select(i => TestConfigs.Service(0, new string('x', 20), (ushort)(0x8000 + i), $"f{i}")).ToList();
        var config = TestConfigs.Ltsp() with { PxeServices = [.. services] };

        var menu = BootMenuBuilder.Build(0, TagSet.Empty, IPv4Address.Parse("192.168.1.10"), config,
            ConfiguredVendorOptions.Eligible(config, Discover(0).Options, TagSet.Empty));

        Assert.True(menu.IsTooLarge);
        Assert.Equal([PxeSubOptionCode.MenuPrompt, PxeSubOptionCode.DiscoveryControl], menu.SubOptions.Select(s => s.Code));
    }

    [Fact]
    public void Option_43_longer_than_255_bytes_is_kept_whole_for_the_encoder_to_split()
    {
        var options = Enumerable.Range(0, 3)
            .Select(i => new DhcpOptionConfig { Code = (byte)(200 + i), Value = [.. new byte[100]], VendorClass = "PXEClient", Source = TestConfigs.Line(30 + i) })
            .ToArray();
        var config = TestConfigs.Ltsp() with { Options = [.. options] };

        var reply = Reply(DhcpEngine.Decide(On67(Discover(0)), config));

        Assert.True(Option(reply, DhcpOptionCode.VendorSpecificInformation).Length > 255);
    }

    private static List<PxeSubOption> Build(ServerConfig config, ushort architecture)
    {
        var tags = TagSet.Empty.Add("eth0");
        var configured = ConfiguredVendorOptions.Eligible(config, Discover(architecture).Options, tags);
        return [.. BootMenuBuilder.Build(architecture, tags, IPv4Address.Parse("192.168.1.10"), config, configured).SubOptions];
    }
}

using System.Collections.Immutable;
using NetBoot.Hosting.Probe;
using NetBoot.Wire.Dhcp;
using NetBoot.Wire.Net;
using NetBoot.Wire.Pxe;

namespace NetBoot.Hosting.Tests.Probe;

public class ProbeVerdictTests
{
    private static readonly IPv4Address Router = IPv4Address.Parse("10.0.0.1");
    private static readonly IPv4Address Proxy = IPv4Address.Parse("10.0.0.2");

    private static ProbeOffer Offer(IPv4Address server, Func<DhcpMessage, DhcpMessage> shape)
    {
        var message = DhcpMessage.CreateRequest(DhcpMessageType.Offer, HardwareAddress.Ethernet([2, 0, 0, 0, 0, 1]), 7) with
        {
            Operation = BootOperation.BootReply,
            Options = DhcpOptionList.Empty
                .With(DhcpOptionCode.DhcpMessageType, [(byte)DhcpMessageType.Offer])
                .With(DhcpOptionCode.ServerIdentifier, server.ToBytes()),
        };
        return ProbeOffer.Read(shape(message), server);
    }

    private static ProbeOffer AddressOffer(string file = "") =>
        Offer(Router, m => m with { YourAddress = IPv4Address.Parse("10.0.0.57"), BootFileName = file });

    private static ProbeOffer ProxyOffer(params PxeSubOption[] subOptions) =>
        Offer(Proxy, m => m with
        {
            Options = m.Options
                .With(DhcpOptionCode.VendorClassIdentifier, "PXEClient"u8)
                .With(DhcpOptionCode.VendorSpecificInformation, PxeVendorOptions.Encode(subOptions).AsSpan()),
        });

    private static readonly PxeSubOption Menu = PxeVendorOptions.BootMenu([new(0x8000, "Boot from network"), new(0, "Boot from local hard disk")]);
    private static readonly PxeSubOption Prompt = PxeVendorOptions.MenuPrompt(new PxeMenuPrompt(3, "Press F8 for boot menu"));

    private static string Verdict(ProbeFirmware firmware, ImmutableArray<ProbeOffer> offers, ProbeOffer? followUp = null, bool sent = false, PxeBootItem? item = null) =>
        string.Join("\n", ProbeVerdict.Explain(new ProbeResult(firmware, offers, followUp, sent, item, sent ? null : "not needed")));

    [Fact]
    public void Bios_with_router_and_proxy_menu_boots_the_first_entry_after_the_prompt()
    {
        var ack = Offer(Proxy, m => m with { BootFileName = "/ltsp/i386/pxelinux.0", ServerAddress = Proxy });
        var verdict = Verdict(ProbeFirmware.Bios, [AddressOffer(), ProxyOffer(Menu, Prompt)], ack, sent: true, new PxeBootItem(0x8000, 0));

        Assert.Contains("takes address 10.0.0.57 from the DHCP server 10.0.0.1", verdict, StringComparison.Ordinal);
        Assert.Contains("shows \"Press F8 for boot menu\" for 3 s, then boots \"Boot from network\"", verdict, StringComparison.Ordinal);
        Assert.Contains("answers boot item 0x8000 with boot file /ltsp/i386/pxelinux.0 on 10.0.0.2", verdict, StringComparison.Ordinal);
    }

    [Fact]
    public void No_answer_at_all_is_pxe_e51() =>
        Assert.Contains("PXE-E51", Verdict(ProbeFirmware.Bios, []), StringComparison.Ordinal);

    [Fact]
    public void An_address_without_any_boot_information_is_pxe_e53() =>
        Assert.Contains("PXE-E53", Verdict(ProbeFirmware.Bios, [AddressOffer()]), StringComparison.Ordinal);

    [Fact]
    public void A_plain_dhcp_boot_file_is_loaded_without_pxe() =>
        Assert.Contains("names boot file undionly.kpxe", Verdict(ProbeFirmware.Bios, [AddressOffer("undionly.kpxe")]), StringComparison.Ordinal);

    [Fact]
    public void Silence_on_4011_is_pxe_e55() =>
        Assert.Contains("PXE-E55", Verdict(ProbeFirmware.Bios, [AddressOffer(), ProxyOffer(Menu, Prompt)], null, sent: true, new PxeBootItem(0x8000, 0)), StringComparison.Ordinal);

    [Fact]
    public void A_local_boot_first_entry_leaves_network_boot()
    {
        var localFirst = PxeVendorOptions.BootMenu([new(0, "Boot from local hard disk")]);
        Assert.Contains("boots from the local disk", Verdict(ProbeFirmware.Bios, [AddressOffer(), ProxyOffer(localFirst, Prompt)]), StringComparison.Ordinal);
    }

    [Fact]
    public void Uefi_told_nothing_on_67_goes_to_4011()
    {
        var silentProxy = Offer(Proxy, m => m with { ServerAddress = Proxy, Options = m.Options.With(DhcpOptionCode.VendorClassIdentifier, "PXEClient"u8) });
        var verdict = Verdict(ProbeFirmware.Uefi, [AddressOffer(), silentProxy]);
        Assert.Contains("sends no option 43: UEFI firmware asks 10.0.0.2:4011", verdict, StringComparison.Ordinal);
    }

    [Fact]
    public void Follow_up_plan_asks_the_boot_server_of_the_first_entry_or_nothing_for_local_boot()
    {
        var servers = PxeVendorOptions.BootServers([new PxeBootServer(0x8000, [IPv4Address.Parse("10.0.0.3")])]);
        Assert.Equal((IPv4Address.Parse("10.0.0.3"), new PxeBootItem(0x8000, 0)), PxeProbe.FollowUpPlan(ProxyOffer(servers, Menu), ProbeFirmware.Bios));
        Assert.Null(PxeProbe.FollowUpPlan(ProxyOffer(PxeVendorOptions.BootMenu([new(0, "local")])), ProbeFirmware.Bios));
    }
}

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

    private static ProbeOffer SilentProxy() =>
        Offer(Proxy, m => m with { ServerAddress = Proxy, Options = m.Options.With(DhcpOptionCode.VendorClassIdentifier, "PXEClient"u8) });

    private static ProbeOffer Ack(string file) => Offer(Proxy, m => m with { BootFileName = file, ServerAddress = Proxy });

    [Fact]
    public void Arm64_firmware_is_uefi_with_architecture_11()
    {
        var discover = ProbeProfile.Discover(ProbeFirmware.Arm64, HardwareAddress.Ethernet([2, 0, 0, 0, 0, 1]), 7, [0, 1, 2]);

        Assert.True(discover.Options.TryGet(DhcpOptionCode.ClientSystemArchitecture, out var architecture));
        Assert.Equal(new byte[] { 0, 11 }, architecture.ToArray());
        Assert.True(discover.Options.TryGetString(DhcpOptionCode.VendorClassIdentifier, out var vendor));
        Assert.Equal("PXEClient:Arch:00011:UNDI:003000", vendor);
        Assert.Equal("PXEClient:Arch:00007:UNDI:003000", ProbeProfile.VendorClass(ProbeFirmware.Uefi));
        Assert.Equal("PXEClient:Arch:00000:UNDI:002001", ProbeProfile.VendorClass(ProbeFirmware.Bios));
        // Told nothing on 67, ARM64 UEFI asks 4011 as x86-64 UEFI does.
        Assert.Equal((Proxy, (PxeBootItem?)null), PxeProbe.FollowUpPlan(SilentProxy(), ProbeFirmware.Arm64));
        Assert.Contains("UEFI firmware asks 10.0.0.2:4011", Verdict(ProbeFirmware.Arm64, [AddressOffer(), SilentProxy()]), StringComparison.Ordinal);
    }

    [Fact]
    public void The_boot_file_to_load_follows_the_path_the_firmware_takes()
    {
        ProbeResult Result(ProbeFirmware firmware, ImmutableArray<ProbeOffer> offers, ProbeOffer? ack = null) =>
            new(firmware, offers, ack, ack is not null, null, null);

        Assert.Null(ProbeVerdict.BootFileToLoad(Result(ProbeFirmware.Bios, [SilentProxy()])));
        Assert.Equal(new BootFileTarget("undionly.kpxe", Router), ProbeVerdict.BootFileToLoad(Result(ProbeFirmware.Bios, [AddressOffer("undionly.kpxe")])));
        Assert.Equal(new BootFileTarget("grubaa64.efi", Proxy),
            ProbeVerdict.BootFileToLoad(Result(ProbeFirmware.Arm64, [AddressOffer(), SilentProxy()], Ack("grubaa64.efi"))));
        Assert.Null(ProbeVerdict.BootFileToLoad(Result(ProbeFirmware.Arm64, [AddressOffer(), SilentProxy()])));
        Assert.Null(ProbeVerdict.BootFileToLoad(Result(ProbeFirmware.Bios, [AddressOffer(), ProxyOffer(PxeVendorOptions.BootMenu([new(0, "local")]))])));
        Assert.True(new BootFileTarget("http://10.0.0.2:8080/boot.ipxe", Proxy).IsUrl);
    }

    [Fact]
    public void The_verdict_ends_with_what_fetching_the_boot_file_showed()
    {
        var target = new BootFileTarget("grubaa64.efi", Proxy);
        var offers = ImmutableArray.Create(AddressOffer(), SilentProxy());
        string With(BootFileCheck? check, string? skipped = null) => string.Join("\n",
            ProbeVerdict.Explain(new ProbeResult(ProbeFirmware.Arm64, offers, Ack("grubaa64.efi"), true, null, null, check, skipped)));

        var fetched = With(new BootFileCheck(target, true, 512, 700, null));
        Assert.EndsWith("fetched the first TFTP block of grubaa64.efi from 10.0.0.2 (512 bytes; file size 700 bytes): the boot file is there", fetched, StringComparison.Ordinal);

        var missing = new BootFileCheck(target, false, 0, null, "TFTP error 1 \"File not found\"", "PXE-E3B (TFTP Error - File not found)");
        Assert.EndsWith("cannot fetch grubaa64.efi from 10.0.0.2: TFTP error 1 \"File not found\": the firmware stops with PXE-E3B (TFTP Error - File not found)",
            With(missing), StringComparison.Ordinal);
        Assert.True(new ProbeResult(ProbeFirmware.Arm64, offers, null, false, null, null, missing).BootFileFailed);

        Assert.EndsWith("(boot file not fetched: eth0 has no IPv4 address to fetch it with)", With(null, "eth0 has no IPv4 address to fetch it with"), StringComparison.Ordinal);
    }

    [Fact]
    public void The_first_block_is_asked_with_tsize_acknowledged_after_the_oack_and_ended_with_an_error()
    {
        var target = new BootFileTarget("pxelinux.0", Proxy);
        var state = new BootFileFetch.FirstBlockState();

        var (ack, none) = state.Next(new NetBoot.Wire.Tftp.TftpOptionAckPacket([new("tsize", "42430")]), target);
        Assert.Equal(new byte[] { 0, 4, 0, 0 }, ack);
        Assert.Null(none);

        var (error, done) = state.Next(new NetBoot.Wire.Tftp.TftpDataPacket(1, new byte[512]), target);
        Assert.Equal(new byte[] { 0, 5 }, error![..2]);
        Assert.Equal(new BootFileCheck(target, true, 512, 42430, null), done);
    }

    [Fact]
    public void A_tftp_error_is_the_firmwares_error()
    {
        var target = new BootFileTarget("missing.efi", Proxy);

        var (reply, done) = new BootFileFetch.FirstBlockState().Next(new NetBoot.Wire.Tftp.TftpErrorPacket(NetBoot.Wire.Tftp.TftpErrorCode.FileNotFound, "File not found"), target);

        Assert.Null(reply);
        Assert.False(done!.IsSuccess);
        Assert.Equal("TFTP error 1 \"File not found\"", done.Failure);
        Assert.Equal("PXE-E3B (TFTP Error - File not found)", done.FirmwareError);
    }
}

using NetBoot.Configuration.Model;
using NetBoot.Configuration.Summary;

namespace NetBoot.Configuration.Tests.Parsing;

public class PxeParserTests
{
    [Theory]
    [InlineData("x86PC", 0)]
    [InlineData("X86PC", 0)]
    [InlineData("PC98", 1)]
    [InlineData("IA64_EFI", 2)]
    [InlineData("Alpha", 3)]
    [InlineData("Arc_x86", 4)]
    [InlineData("Intel_Lean_Client", 5)]
    [InlineData("IA32_EFI", 6)]
    [InlineData("X86-64_EFI", 7)]
    [InlineData("x86-64_efi", 7)]
    [InlineData("Xscale_EFI", 8)]
    [InlineData("BC_EFI", 9)]
    [InlineData("ARM32_EFI", 10)]
    [InlineData("ARM64_EFI", 11)]
    [InlineData("16", 16)]
    public void Csa_names_follow_dnsmasq_2_76_table(string csa, int architecture)
    {
        var service = Assert.Single(ConfigAssert.Valid($"pxe-service={csa},\"Menu\",file.efi").PxeServices);
        Assert.Equal(architecture, service.Architecture);
    }

    [Fact]
    public void Basenames_are_numbered_0x8000_up_in_configuration_order()
    {
        var services = ConfigAssert.Valid("""
            pxe-service=x86PC,"Boot from network",/ltsp/i386/pxelinux
            pxe-service=x86PC,"Boot from local hard disk",0
            pxe-service=x86PC,"Install windows from RIS server",1
            pxe-service=X86-64_EFI,"UEFI",bootx64
            pxe-service=tag:ipxe,x86PC,"iPXE script",boot.ipxe,192.0.2.5
            """).PxeServices;
        Assert.Equal([0x8000, 0, 1, 0x8001, 0x8002], services.Select(s => (int)s.BootServerType));
        Assert.Equal("/ltsp/i386/pxelinux", services[0].BaseName);
        Assert.True(services[1].IsLocalBoot);
        Assert.Null(services[1].BaseName);
        Assert.Null(services[2].BaseName);
        Assert.Equal("192.0.2.5", services[4].Server);
        Assert.Equal("tag:ipxe", services[4].Filter.ToString());
    }

    [Fact]
    public void No_third_field_is_local_boot() =>
        Assert.True(Assert.Single(ConfigAssert.Valid("pxe-service=tag:!ipxe,x86PC,\"Boot from local disk\"").PxeServices).IsLocalBoot);

    [Fact]
    public void Menu_text_is_verbatim_without_quotes()
    {
        var service = Assert.Single(ConfigAssert.Valid("pxe-service=tag:rpi,X86PC,\"Raspberry Pi Boot   \",unused").PxeServices);
        Assert.Equal("Raspberry Pi Boot   ", service.MenuText);
        Assert.Equal("unused", service.BaseName);
        Assert.Equal("tag:rpi", service.Filter.ToString());
    }

    [Fact]
    public void Server_name_is_kept_for_later_resolution() =>
        Assert.Equal("bootsrv.lan", ConfigAssert.Valid("pxe-service=x86PC,\"Net\",pxelinux,bootsrv.lan").PxeServices[0].Server);

    [Theory]
    [InlineData("pxe-service=x86PC")]
    [InlineData("pxe-service=Amiga,\"Menu\",file")]
    [InlineData("pxe-service=tag:x")]
    public void Malformed_services_are_bad_pxe_service(string line) => ConfigAssert.Error(line, "bad pxe-service");

    [Theory]
    [InlineData("/ltsp/i386/pxelinux", "/ltsp/i386/pxelinux.0")]
    [InlineData("ltsp/undionly.kpxe", "ltsp/undionly.kpxe")]
    [InlineData("undionly", "undionly.0")]
    [InlineData("my.dir/pxelinux", "my.dir/pxelinux")] // dnsmasq pitfall: any dot suppresses the suffix
    public void Basename_without_a_dot_gets_dot_zero(string baseName, string file) =>
        Assert.Equal(file, PxeSummary.BootFileName(baseName));

    [Theory]
    [InlineData("pxe-prompt=\"Press F8 for boot menu\", 3", 3)]
    [InlineData("pxe-prompt=\"Press F8\"", 255)]
    [InlineData("pxe-prompt=\"Press F8\",0", 0)]
    [InlineData("pxe-prompt=\"Press F8\",300", 44)] // stored in one byte: wraps as dnsmasq's char does
    public void Prompt_timeout(string line, int timeout)
    {
        var prompt = Assert.Single(ConfigAssert.Valid(line).PxePrompts);
        Assert.Equal(timeout, prompt.Timeout);
        Assert.StartsWith("Press F8", prompt.Text, StringComparison.Ordinal);
    }

    [Fact]
    public void Non_numeric_prompt_timeout_waits_forever_with_a_warning()
    {
        var config = ConfigAssert.Valid("pxe-prompt=\"Menu\",soon");
        Assert.Equal(255, config.PxePrompts[0].Timeout);
        Assert.Equal(ConfigNoticeKind.Warning, Assert.Single(config.Notices).Kind);
    }

    [Fact]
    public void Tagged_prompt() =>
        Assert.Equal("tag:proxy", ConfigAssert.Valid("pxe-prompt=tag:proxy,\"Menu\",5").PxePrompts[0].Filter.ToString());

    [Fact]
    public void Pxe_vendor_replaces_the_default()
    {
        Assert.Equal(["PXEClient"], ConfigAssert.Valid("log-dhcp").PxeVendors.ToArray());
        Assert.Equal(["PXEClient", "HW-Client"], ConfigAssert.Valid("dhcp-pxe-vendor=PXEClient,HW-Client").PxeVendors.ToArray());
    }

    [Fact]
    public void Dhcp_boot_with_tags_server_name_and_address()
    {
        var boots = ConfigAssert.Valid("""
            dhcp-boot=/ltsp/i386/pxelinux.0
            dhcp-boot=tag:!ipxe,tag:bios,undionly.0,bootsrv,192.0.2.5
            dhcp-boot=tag:ipxe,http://192.168.1.10:8080/boot.ipxe
            """).BootFiles;
        Assert.Equal("/ltsp/i386/pxelinux.0", boots[0].FileName);
        Assert.True(boots[0].Filter.IsEmpty);
        Assert.Equal("undionly.0", boots[1].FileName);
        Assert.Equal("bootsrv", boots[1].ServerName);
        Assert.Equal("192.0.2.5", boots[1].ServerAddress);
        Assert.Equal("tag:!ipxe,tag:bios", boots[1].Filter.ToString());
        Assert.Equal("http://192.168.1.10:8080/boot.ipxe", boots[2].FileName);
    }

    [Fact]
    public void Pxe_is_enabled_only_by_pxe_service_or_prompt()
    {
        Assert.False(ConfigAssert.Valid("dhcp-range=10.0.0.0,proxy\ndhcp-boot=pxelinux.0").IsPxeEnabled);
        Assert.True(ConfigAssert.Valid("dhcp-range=10.0.0.0,proxy\npxe-prompt=\"x\"").IsPxeEnabled);
    }

    [Fact]
    public void Proxy_range_without_pxe_warns_that_nobody_is_answered()
    {
        var config = ConfigAssert.Valid("dhcp-range=10.0.0.0,proxy\ndhcp-boot=pxelinux.0");
        var warning = Assert.Single(config.Notices, n => n.Kind == ConfigNoticeKind.Warning);
        Assert.Contains("pxe-service", warning.Message, StringComparison.Ordinal);
    }
}

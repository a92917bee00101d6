using NetBoot.Configuration.Model;
using NetBoot.Configuration.Parsing;
using NetBoot.Hosting.Validation;

namespace NetBoot.Hosting.Tests.Validation;

/// <summary>Boot files named by the menu and dhcp-boot that TFTP could not serve: warned about, with the package.</summary>
public class BootFileCheckTests
{
    private const string Tftp = "enable-tftp\ntftp-root=/srv/tftp\ndhcp-range=10.0.0.0,proxy\n";

    private static List<ConfigNotice> Warnings(string text, FakeMachine machine)
    {
        var parsed = DnsmasqConfigReader.Parse(Tftp + text, "netboot.conf");
        Assert.True(parsed.IsValid, string.Join("; ", parsed.Errors));
        return [.. BootFileCheck.Warnings(parsed.Config!, machine)];
    }

    private static FakeMachine Root() => new FakeMachine().WithDirectory("/srv/tftp");

    [Theory]
    [InlineData("pxelinux", "pxelinux.0", "install the Debian package pxelinux and copy /usr/lib/PXELINUX/pxelinux.0 there")]
    [InlineData("undionly.kpxe", "undionly.kpxe", "Debian package ipxe and copy /usr/lib/ipxe/undionly.kpxe")]
    [InlineData("ipxe.efi", "ipxe.efi", "Debian package ipxe and copy /usr/lib/ipxe/ipxe.efi")]
    [InlineData("snponly.efi", "snponly.efi", "Debian package ipxe")]
    [InlineData("bootx64.efi", "bootx64.efi", "Debian package shim-signed and copy /usr/lib/shim/shimx64.efi.signed there as bootx64.efi")]
    [InlineData("shimx64.efi", "shimx64.efi", "Debian package shim-signed")]
    [InlineData("grubx64.efi", "grubx64.efi", "Debian package grub-efi-amd64-signed")]
    [InlineData("grubnetx64.efi", "grubnetx64.efi", "Debian package grub-efi-amd64-signed")]
    [InlineData("grubaa64.efi", "grubaa64.efi", "Debian package grub-efi-arm64-bin")]
    [InlineData("bootaa64.efi", "bootaa64.efi", "Debian package grub-efi-arm64-bin")]
    [InlineData("boot/grub/i386-pc/core", "boot/grub/i386-pc/core.0", "Debian package grub-pc-bin and run grub-mknetdir --net-directory=/srv/tftp")]
    [InlineData("vesamenu.c32", "vesamenu.c32", "Debian package syslinux-common and copy /usr/lib/syslinux/modules/bios/vesamenu.c32")]
    public void A_missing_menu_file_is_warned_about_with_the_package_that_provides_it(string baseName, string file, string advice)
    {
        var warning = Assert.Single(Warnings($"pxe-service=X86PC,\"Net\",{baseName}\n", Root()));
        Assert.Equal("pxe-service", warning.Directive);
        Assert.Equal(new SourceLocation("netboot.conf", 4), warning.Source);
        Assert.StartsWith($"boot file {file} is not in /srv/tftp: ", warning.Message, StringComparison.Ordinal);
        Assert.Contains(advice, warning.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_file_nobody_packages_is_named_without_advice() =>
        Assert.Equal("boot file custom/loader.efi is not in /srv/tftp", Assert.Single(Warnings("dhcp-boot=custom/loader.efi\n", Root())).Message);

    [Fact]
    public void An_absolute_name_is_looked_for_under_the_root_as_tftp_serves_it()
    {
        var machine = Root().WithFile("/srv/tftp/ltsp/i386/pxelinux.0").WithFile("/srv/tftp/ltsp/i386/ldlinux.c32").WithFile("/srv/tftp/efi/boot.efi");
        Assert.Empty(Warnings("dhcp-boot=/ltsp/i386/pxelinux.0\npxe-service=X86PC,\"Net\",/ltsp/i386/pxelinux\ndhcp-boot=/srv/tftp/efi/boot.efi\n", machine));
    }

    [Fact]
    public void Pxelinux_without_ldlinux_beside_it_is_warned_about_with_syslinux_common()
    {
        var warning = Assert.Single(Warnings("dhcp-boot=ltsp/pxelinux.0\n", Root().WithFile("/srv/tftp/ltsp/pxelinux.0")));
        Assert.Equal("dhcp-boot", warning.Directive);
        Assert.StartsWith("pxelinux.0 loads ldlinux.c32 from /srv/tftp/ltsp, which is not there: install the Debian package syslinux-common", warning.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Files_not_fetched_from_this_tftp_server_are_not_checked() =>
        Assert.Empty(Warnings("""
            pxe-service=X86PC,"Local",0
            pxe-service=X86PC,"Elsewhere",pxelinux,10.0.0.2
            pxe-service=tag:rpi,X86PC,"Raspberry Pi Boot   ",unused
            dhcp-boot=http://10.0.0.1/boot.ipxe
            dhcp-boot=pxelinux.0,boothost,10.0.0.2
            """, Root()));

    [Fact]
    public void Without_tftp_or_with_a_root_per_client_nothing_is_checked()
    {
        var parsed = DnsmasqConfigReader.Parse("tftp-root=/srv/tftp\ndhcp-boot=pxelinux.0\n", "netboot.conf");
        Assert.Empty(BootFileCheck.Warnings(parsed.Config!, Root()));
        Assert.Empty(Warnings("tftp-unique-root\ndhcp-boot=pxelinux.0\n", Root()));
    }

    [Fact]
    public void Each_name_is_reported_once_per_root_and_every_root_is_looked_in()
    {
        var machine = Root().WithDirectory("/srv/eth1").WithFile("/srv/tftp/ipxe.efi");
        var warnings = Warnings("tftp-root=/srv/eth1,eth1\npxe-service=X86-64_EFI,\"A\",ipxe.efi\npxe-service=BC_EFI,\"B\",ipxe.efi\n", machine);
        var warning = Assert.Single(warnings);
        Assert.StartsWith("boot file ipxe.efi is not in /srv/eth1", warning.Message, StringComparison.Ordinal);
        Assert.Equal(5, warning.Source.Line);
    }

    [Fact]
    public void A_name_with_a_parent_segment_is_one_tftp_refuses() =>
        Assert.Equal("boot file ../etc/passwd has a '..' segment: TFTP refuses such names",
            Assert.Single(Warnings("dhcp-boot=../etc/passwd\n", Root())).Message);
}

using System.Collections.Immutable;
using NetBoot.Configuration.BootFiles;
using NetBoot.Configuration.Parsing;
using NetBoot.Hosting.BootFiles;
using NetBoot.Wire.Net;

namespace NetBoot.Hosting.Tests.BootFiles;

public class BootRootPlannerTests
{
    private const string Root = "/srv/tftp";

    private static BootRootRequest Request(string host = "amd64", params BootFirmware[] firmware) => new()
    {
        Root = Root,
        HostArchitecture = host,
        Firmware = [.. firmware],
        ProxyNetworks = [IPv4Address.Parse("10.0.0.0")],
    };

    private static string[] Names(IEnumerable<ImmutableArray<string>> commands) => [.. commands.Select(c => string.Join(' ', c))];

    [Fact]
    public void Default_choice_on_amd64_with_every_package_installed_serves_bios_uefi_and_arm64()
    {
        var plan = BootRootPlanner.Plan(Request(), FakeBootFileSystem.Installed());

        Assert.Equal([BootFirmware.Bios, BootFirmware.UefiX64, BootFirmware.UefiArm64], plan.Firmware.ToArray());
        Assert.True(plan.IsComplete);
        Assert.Empty(plan.Skipped);
        Assert.Empty(plan.InstallCommands);
        Assert.Equal(BootFilePackages.All.Length, plan.Copies.Length);
    }

    [Fact]
    public void Default_choice_on_amd64_leaves_arm64_out_when_its_arm64_package_is_not_installed_and_says_how_to_add_it()
    {
        var plan = BootRootPlanner.Plan(Request(), FakeBootFileSystem.Installed(except: BootFirmware.UefiArm64));

        Assert.Equal([BootFirmware.Bios, BootFirmware.UefiX64], plan.Firmware.ToArray());
        Assert.True(plan.IsComplete);
        var skipped = Assert.Single(plan.Skipped);
        Assert.Equal(BootFirmware.UefiArm64, skipped.Firmware);
        Assert.Contains("grub-efi-arm64-bin:arm64 is not installed", skipped.Reason, StringComparison.Ordinal);
        Assert.Contains("--arch bios,uefi,arm64 --yes", skipped.Reason, StringComparison.Ordinal);
        Assert.DoesNotContain(plan.Copies, c => c.Source.Firmware == BootFirmware.UefiArm64);
        Assert.DoesNotContain("ARM64_EFI", plan.Configuration, StringComparison.Ordinal);
    }

    [Fact]
    public void Missing_packages_give_one_apt_get_install_naming_each_package_once_in_table_order()
    {
        var plan = BootRootPlanner.Plan(Request(), FakeBootFileSystem.Empty);

        Assert.False(plan.IsComplete);
        Assert.Equal([BootFirmware.Bios, BootFirmware.UefiX64], plan.Firmware.ToArray());
        Assert.Equal(
            ["apt-get update",
             "apt-get install --no-install-recommends pxelinux syslinux-common ipxe shim-signed grub-efi-amd64-signed shim-helpers-amd64-signed"],
            Names(plan.InstallCommands));
        Assert.Equal(BootFilePackages.All.Count(r => r.Firmware != BootFirmware.UefiArm64), plan.Missing.Length);
    }

    [Fact]
    public void Only_the_packages_whose_files_are_absent_are_installed()
    {
        var disk = FakeBootFileSystem.Installed(except: BootFirmware.UefiArm64)
            .Without("/usr/lib/shim/shimx64.efi.signed");

        var plan = BootRootPlanner.Plan(Request(), disk);

        var missing = Assert.Single(plan.Missing);
        Assert.Equal("bootx64.efi", missing.FileName);
        Assert.Equal(["apt-get update", "apt-get install --no-install-recommends shim-signed"], Names(plan.InstallCommands));
    }

    [Fact]
    public void Asking_for_arm64_on_an_amd64_host_adds_the_arm64_architecture_before_installing()
    {
        var plan = BootRootPlanner.Plan(Request("amd64", BootFirmware.UefiArm64), FakeBootFileSystem.Installed(except: BootFirmware.UefiArm64));

        Assert.Equal([BootFirmware.UefiArm64], plan.Firmware.ToArray());
        Assert.Equal(
            ["dpkg --add-architecture arm64", "apt-get update", "apt-get install --no-install-recommends grub-efi-arm64-bin:arm64"],
            Names(plan.InstallCommands));
    }

    [Fact]
    public void On_an_arm64_host_the_arm64_package_is_native_and_x86_64_uefi_is_left_out_unless_installed()
    {
        var plan = BootRootPlanner.Plan(Request("arm64"), FakeBootFileSystem.Empty);

        Assert.Equal([BootFirmware.Bios, BootFirmware.UefiArm64], plan.Firmware.ToArray());
        Assert.Equal(BootFirmware.UefiX64, Assert.Single(plan.Skipped).Firmware);
        Assert.Contains("apt-get install --no-install-recommends pxelinux syslinux-common ipxe grub-efi-arm64-bin", Names(plan.InstallCommands));
    }

    [Fact]
    public void Explicit_arch_list_is_served_in_canonical_order_whatever_the_order_asked()
    {
        var plan = BootRootPlanner.Plan(Request("amd64", BootFirmware.UefiX64, BootFirmware.Bios), FakeBootFileSystem.Installed());

        Assert.Equal([BootFirmware.Bios, BootFirmware.UefiX64], plan.Firmware.ToArray());
        Assert.Empty(plan.Skipped);
    }

    [Theory]
    [InlineData("/usr/lib/PXELINUX/pxelinux.0", "pxelinux.0")]
    [InlineData("/usr/lib/syslinux/modules/bios/ldlinux.c32", "ldlinux.c32")]
    [InlineData("/usr/lib/shim/shimx64.efi.signed", "bootx64.efi")]
    [InlineData("/usr/lib/grub/x86_64-efi-signed/grubnetx64.efi.signed", "grubx64.efi")]
    [InlineData("/usr/lib/shim/mmx64.efi.signed", "mmx64.efi")]
    [InlineData("/usr/lib/ipxe/undionly.kpxe", "undionly.kpxe")]
    [InlineData("/usr/lib/ipxe/ipxe.efi", "ipxe.efi")]
    [InlineData("/usr/lib/ipxe/snponly.efi", "snponly.efi")]
    [InlineData("/usr/lib/grub/arm64-efi/monolithic/grubnetaa64.efi", "bootaa64.efi")]
    public void Each_package_file_is_copied_to_its_name_at_the_top_of_the_root(string installed, string name)
    {
        var plan = BootRootPlanner.Plan(Request(), FakeBootFileSystem.Installed());

        var copy = Assert.Single(plan.Copies, c => c.Source.InstalledPath == installed);
        Assert.Equal($"{Root}/{name}", copy.Destination);
    }

    [Fact]
    public void Menus_are_written_for_bios_once_for_both_grubs_and_for_ipxe_with_x86_64_uefi()
    {
        var plan = BootRootPlanner.Plan(Request(), FakeBootFileSystem.Installed());

        Assert.Equal(["pxelinux.cfg/default", "grub/grub.cfg", "menu.ipxe"], plan.Menus.Select(m => m.RelativePath));
        Assert.All(plan.Menus, m => Assert.False(m.IsKept));
    }

    [Fact]
    public void Bios_alone_gets_no_grub_menu()
    {
        var plan = BootRootPlanner.Plan(Request("amd64", BootFirmware.Bios), FakeBootFileSystem.Installed());

        Assert.Equal(["pxelinux.cfg/default"], plan.Menus.Select(m => m.RelativePath));
    }

    [Fact]
    public void An_existing_menu_is_kept_unless_forced()
    {
        var disk = FakeBootFileSystem.Installed().With($"{Root}/grub/grub.cfg");

        var kept = BootRootPlanner.Plan(Request(), disk);
        var forced = BootRootPlanner.Plan(Request() with { OverwriteMenus = true }, disk);

        Assert.True(Assert.Single(kept.Menus, m => m.RelativePath == "grub/grub.cfg").IsKept);
        Assert.False(Assert.Single(kept.Menus, m => m.RelativePath == "pxelinux.cfg/default").IsKept);
        Assert.All(forced.Menus, m => Assert.False(m.IsKept));
    }

    [Fact]
    public void Every_pxe_service_in_the_printed_configuration_names_a_file_the_plan_copies_into_the_served_root()
    {
        var plan = BootRootPlanner.Plan(Request(), FakeBootFileSystem.Installed());

        var loaded = DnsmasqConfigReader.Parse(plan.Configuration);

        Assert.True(loaded.IsValid, string.Join("\n", loaded.Errors));
        var config = loaded.Config!;
        Assert.True(config.Tftp.IsEnabled);
        Assert.Equal(Root, config.Tftp.Root);
        var copied = plan.Copies.Select(c => Path.GetFileName(c.Destination)).ToHashSet();
        // PXE 2.1 / dnsmasq: a BIOS basename without a dot gets ".0".
        var served = config.PxeServices.Select(s => s.BaseName!.Contains('.', StringComparison.Ordinal) ? s.BaseName : s.BaseName + ".0").ToArray();
        Assert.Equal(["pxelinux.0", "bootx64.efi", "bootx64.efi", "snponly.efi", "snponly.efi", "bootaa64.efi"], served);
        Assert.All(served, name => Assert.Contains(name, copied));
        Assert.Equal([0, 7, 9, 7, 9, 11], config.PxeServices.Select(s => (int)s.Architecture));
        var ipxeScript = Assert.Single(config.BootFiles).FileName;
        Assert.Contains(ipxeScript, plan.Menus.Select(m => m.RelativePath));
    }

    [Fact]
    public void Uefi_x64_gets_shim_where_netboot_leases_and_ipxe_in_proxy_ranges_and_ipxe_itself_gets_its_menu_script()
    {
        var text = BootRootPlanner.Plan(Request(), FakeBootFileSystem.Installed()).Configuration;

        Assert.Contains("\ndhcp-range=set:proxy,10.0.0.0,proxy\n", text, StringComparison.Ordinal);
        Assert.Contains("\npxe-service=tag:!ipxe,tag:!proxy,X86-64_EFI,\"Network boot (UEFI)\",bootx64.efi\n", text, StringComparison.Ordinal);
        Assert.Contains("\npxe-service=tag:!ipxe,tag:proxy,X86-64_EFI,\"Network boot (UEFI)\",snponly.efi\n", text, StringComparison.Ordinal);
        Assert.Contains("\ndhcp-userclass=set:ipxe,iPXE\n", text, StringComparison.Ordinal);
        Assert.Contains("\ndhcp-boot=tag:ipxe,tag:efi-x86_64,menu.ipxe\n", text, StringComparison.Ordinal);
        // BIOS PXE ROMs that are iPXE (QEMU's) still get PXELINUX: the BIOS entry has no tag.
        Assert.Contains("\npxe-service=X86PC,\"Network boot (BIOS)\",pxelinux\n", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Without_x86_64_uefi_no_ipxe_lines_are_printed()
    {
        var text = BootRootPlanner.Plan(Request("amd64", BootFirmware.Bios, BootFirmware.UefiArm64), FakeBootFileSystem.Installed()).Configuration;

        Assert.DoesNotContain("tag:!ipxe", text, StringComparison.Ordinal);
        Assert.DoesNotContain("dhcp-userclass=", text, StringComparison.Ordinal);
        Assert.DoesNotContain("dhcp-boot=", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Configuration_has_a_proxy_range_per_host_subnet_or_an_example_one()
    {
        var two = BootRootPlanner.Plan(Request() with { ProxyNetworks = [IPv4Address.Parse("10.0.0.0"), IPv4Address.Parse("192.168.7.0")] }, FakeBootFileSystem.Installed());
        var none = BootRootPlanner.Plan(Request() with { ProxyNetworks = [] }, FakeBootFileSystem.Installed());

        Assert.Contains("dhcp-range=set:proxy,10.0.0.0,proxy\ndhcp-range=set:proxy,192.168.7.0,proxy\n", two.Configuration, StringComparison.Ordinal);
        Assert.Contains("replace 192.168.1.0 with the network of the PXE clients", none.Configuration, StringComparison.Ordinal);
        Assert.Contains("\ndhcp-range=set:proxy,192.168.1.0,proxy\n", none.Configuration, StringComparison.Ordinal);
    }

    [Fact]
    public void The_pxelinux_menu_loads_only_modules_the_plan_copies_with_their_dependencies()
    {
        var plan = BootRootPlanner.Plan(Request("amd64", BootFirmware.Bios), FakeBootFileSystem.Installed());
        var copied = plan.Copies.Select(c => Path.GetFileName(c.Destination)).ToHashSet();

        var menu = BootMenus.Pxelinux();

        Assert.Contains("UI menu.c32\n", menu, StringComparison.Ordinal);
        Assert.Contains("COM32 reboot.c32\n", menu, StringComparison.Ordinal);
        Assert.Contains("DEFAULT local\n", menu, StringComparison.Ordinal);
        // ldlinux.c32 is PXELINUX's core; menu.c32 needs libutil.c32, reboot.c32 libcom32.c32 (their ELF DT_NEEDED).
        Assert.Subset(copied, new HashSet<string> { "pxelinux.0", "ldlinux.c32", "menu.c32", "libutil.c32", "reboot.c32", "libcom32.c32" });
    }

    [Fact]
    public void The_grub_menu_boots_the_local_disk_after_ten_seconds()
    {
        var menu = BootMenus.Grub();

        Assert.Contains("set timeout=10\nset default=local\n", menu, StringComparison.Ordinal);
        Assert.Contains("menuentry \"Boot from local disk\" --id local {", menu, StringComparison.Ordinal);
    }
}

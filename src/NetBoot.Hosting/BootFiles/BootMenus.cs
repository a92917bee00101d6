namespace NetBoot.Hosting.BootFiles;

/// <summary>The menus <c>netboot bootfiles</c> writes: PXELINUX's for BIOS and GRUB's for x86-64 and ARM64 UEFI. Each
/// boots the local disk after ten seconds, offers a reboot, and shows (commented) how to add a Linux entry.</summary>
public static class BootMenus
{
    /// <summary>PXELINUX looks for <c>pxelinux.cfg/&lt;client UUID, MAC, address…&gt;</c> and last for <c>default</c>.</summary>
    public const string PxelinuxPath = "pxelinux.cfg/default";

    /// <summary>Debian's network GRUB images (grubnetx64, grubnetaa64) are built with prefix <c>/grub</c> and read
    /// <c>$prefix/&lt;platform&gt;/grub.cfg</c> if it exists, else <c>$prefix/grub.cfg</c>: one file serves both.</summary>
    public const string GrubPath = "grub/grub.cfg";

    /// <summary>The iPXE script x86-64 UEFI clients run next to another DHCP server (<c>dhcp-boot</c> for tag ipxe).</summary>
    public const string IpxePath = "menu.ipxe";

    public static string Pxelinux() =>
        """
        # pxelinux.cfg/default, written by netboot bootfiles: the menu PXELINUX shows BIOS machines.
        # File names are relative to the boot root. Kept as it is when netboot bootfiles runs again (unless --force).
        # SERIAL copies the menu to the first serial port (headless machines, serial-over-LAN); harmless without one.
        SERIAL 0 115200
        UI menu.c32
        MENU TITLE NetBoot: network boot (BIOS)
        PROMPT 0
        # Tenths of a second before the default entry starts.
        TIMEOUT 100
        DEFAULT local

        LABEL local
          MENU LABEL Boot from local disk
          LOCALBOOT 0

        LABEL reboot
          MENU LABEL Reboot
          COM32 reboot.c32

        # A Linux entry: copy the kernel and initrd under the boot root, then for example
        # LABEL debian-installer
        #   MENU LABEL Debian installer
        #   KERNEL debian-installer/amd64/linux
        #   APPEND initrd=debian-installer/amd64/initrd.gz ---

        """;

    public static string Grub() =>
        """
        # grub/grub.cfg, written by netboot bootfiles: the menu Debian's network GRUB shows UEFI machines (grubx64.efi,
        # loaded by shim on x86-64; bootaa64.efi on ARM64). GRUB reads it by TFTP from (tftp,<server>)/grub/grub.cfg;
        # paths below are from the boot root. Kept as it is when netboot bootfiles runs again (unless --force).
        set timeout=10
        set default=local

        menuentry "Boot from local disk" --id local {
            # Back to the firmware, which tries its next boot option.
            exit 1
        }

        menuentry "Reboot" --id reboot {
            reboot
        }

        menuentry "UEFI firmware settings" --id fwsetup {
            fwsetup
        }

        # A Linux entry: copy the kernel and initrd under the boot root, then for example (with Secure Boot on, the
        # kernel must be signed, as Debian's are)
        # menuentry "Debian installer" {
        #     linux /debian-installer/amd64/linux ---
        #     initrd /debian-installer/amd64/initrd.gz
        # }

        """;

    /// <summary>iPXE's <c>menu</c>/<c>choose</c> (Debian's build has the Menu feature); <c>exit</c> hands back to the
    /// firmware, which tries its next boot option, as GRUB's <c>exit 1</c> does.</summary>
    public static string Ipxe() =>
        """
        #!ipxe
        # menu.ipxe, written by netboot bootfiles: the menu iPXE (snponly.efi) shows x86-64 UEFI machines next to another
        # DHCP server. File names are relative to the boot root (TFTP from this server). Kept as it is when netboot
        # bootfiles runs again (unless --force).
        menu NetBoot: network boot (UEFI)
        item local Boot from local disk
        item shell iPXE shell
        choose --default local --timeout 10000 target || goto local
        goto ${target}

        :local
        exit 1

        :shell
        shell

        # A Linux entry: copy the kernel and initrd under the boot root, add "item debian Debian installer" above, then
        # :debian
        # kernel debian-installer/amd64/linux initrd=initrd.gz ---
        # initrd debian-installer/amd64/initrd.gz
        # boot

        """;
}

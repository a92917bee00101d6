using System.Collections.Immutable;

namespace NetBoot.Configuration.BootFiles;

/// <summary>The firmware a boot file is for, as <c>netboot bootfiles --arch</c> names it.</summary>
public enum BootFirmware
{
    /// <summary>BIOS PXE ROMs (client architecture 0, <c>X86PC</c>).</summary>
    Bios,
    /// <summary>x86-64 UEFI (client architecture 7, <c>X86-64_EFI</c>, and 9, <c>BC_EFI</c>).</summary>
    UefiX64,
    /// <summary>ARM64 UEFI (client architecture 11, <c>ARM64_EFI</c>).</summary>
    UefiArm64,
}

/// <summary>One boot file: its name in the boot root, the Debian package that installs it and where
/// (<c>dpkg -L</c> on Debian 12), and the Debian architecture the package exists for (null: <c>Architecture: all</c>,
/// installable on any host).</summary>
public sealed record BootFilePackage(
    string FileName,
    BootFirmware Firmware,
    string Package,
    string InstalledPath,
    string? PackageArchitecture,
    string Role);

/// <summary>Which Debian package provides each boot file <c>netboot bootfiles</c> puts in a boot root: the one table
/// shared by <c>bootfiles</c> (what to copy from where) and <c>check</c> (which package to name for a missing file).</summary>
public static class BootFilePackages
{
    public static ImmutableArray<BootFilePackage> All { get; } =
    [
        // PXELINUX: the BIOS loader, its core module and what the menu in pxelinux.cfg/default loads.
        new("pxelinux.0", BootFirmware.Bios, "pxelinux", "/usr/lib/PXELINUX/pxelinux.0", null, "BIOS boot loader (PXELINUX)"),
        new("ldlinux.c32", BootFirmware.Bios, "syslinux-common", "/usr/lib/syslinux/modules/bios/ldlinux.c32", null, "PXELINUX core module"),
        new("menu.c32", BootFirmware.Bios, "syslinux-common", "/usr/lib/syslinux/modules/bios/menu.c32", null, "PXELINUX menu"),
        new("libutil.c32", BootFirmware.Bios, "syslinux-common", "/usr/lib/syslinux/modules/bios/libutil.c32", null, "needed by menu.c32"),
        new("libcom32.c32", BootFirmware.Bios, "syslinux-common", "/usr/lib/syslinux/modules/bios/libcom32.c32", null, "needed by reboot.c32"),
        new("reboot.c32", BootFirmware.Bios, "syslinux-common", "/usr/lib/syslinux/modules/bios/reboot.c32", null, "the menu's Reboot entry"),
        new("undionly.kpxe", BootFirmware.Bios, "ipxe", "/usr/lib/ipxe/undionly.kpxe", null, "iPXE for BIOS (PXE ROM's network driver)"),
        // Secure Boot chain for x86-64: Microsoft-signed shim as the first file, which loads grubx64.efi (Debian-signed
        // network GRUB) from the same TFTP directory, and MokManager when a signature does not verify.
        new("bootx64.efi", BootFirmware.UefiX64, "shim-signed", "/usr/lib/shim/shimx64.efi.signed", "amd64", "shim (Secure Boot first stage)"),
        new("grubx64.efi", BootFirmware.UefiX64, "grub-efi-amd64-signed", "/usr/lib/grub/x86_64-efi-signed/grubnetx64.efi.signed", "amd64", "network GRUB, loaded by shim; reads grub/grub.cfg"),
        new("mmx64.efi", BootFirmware.UefiX64, "shim-helpers-amd64-signed", "/usr/lib/shim/mmx64.efi.signed", "amd64", "MokManager, loaded by shim"),
        new("ipxe.efi", BootFirmware.UefiX64, "ipxe", "/usr/lib/ipxe/ipxe.efi", null, "iPXE for x86-64 UEFI (own drivers)"),
        new("snponly.efi", BootFirmware.UefiX64, "ipxe", "/usr/lib/ipxe/snponly.efi", null, "iPXE for x86-64 UEFI (firmware's network driver)"),
        // ARM64: Debian's monolithic network GRUB (prefix /grub, like grubnetx64). No signed shim exists for it on an
        // amd64 host; on one, the package is the arm64 build (Multi-Arch: foreign, needs only grub-common).
        new("bootaa64.efi", BootFirmware.UefiArm64, "grub-efi-arm64-bin", "/usr/lib/grub/arm64-efi/monolithic/grubnetaa64.efi", "arm64", "network GRUB for ARM64; reads grub/grub.cfg"),
    ];

    /// <summary>The row for a boot file name as a configuration names it (<c>pxelinux.0</c>, <c>efi/bootx64.efi</c>):
    /// matched on its last path segment, ignoring case, since the root's sub-folder is the site's choice.</summary>
    public static BootFilePackage? Find(string bootFileName)
    {
        ArgumentNullException.ThrowIfNull(bootFileName);
        var slash = bootFileName.LastIndexOfAny(['/', '\\']);
        var name = bootFileName[(slash + 1)..];
        foreach (var row in All)
        {
            if (string.Equals(row.FileName, name, StringComparison.OrdinalIgnoreCase))
            {
                return row;
            }
        }
        return null;
    }

    /// <summary>The package as <c>apt-get install</c> must name it on a host of <paramref name="hostArchitecture"/>
    /// (<c>dpkg --print-architecture</c>): with <c>:arm64</c> when it exists only for another architecture.</summary>
    public static string InstallName(BootFilePackage row, string hostArchitecture)
    {
        ArgumentNullException.ThrowIfNull(row);
        return IsForeign(row, hostArchitecture) ? $"{row.Package}:{row.PackageArchitecture}" : row.Package;
    }

    /// <summary>True when the package exists only for another architecture than the host's, so installing it needs
    /// <c>dpkg --add-architecture</c> first.</summary>
    public static bool IsForeign(BootFilePackage row, string hostArchitecture)
    {
        ArgumentNullException.ThrowIfNull(row);
        return row.PackageArchitecture is { } architecture && architecture != hostArchitecture;
    }
}

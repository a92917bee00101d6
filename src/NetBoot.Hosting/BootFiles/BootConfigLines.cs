using System.Collections.Immutable;
using System.Text;
using NetBoot.Configuration.BootFiles;
using NetBoot.Wire.Net;

namespace NetBoot.Hosting.BootFiles;

/// <summary>The dnsmasq-syntax lines that serve a boot root filled by <c>netboot bootfiles</c>. The
/// <c>pxe-service</c> lines work in proxy mode and on networks NetBoot (or dnsmasq) leases itself; the names are
/// those of the embedded default, so <c>netboot serve</c> without a configuration finds the same files.</summary>
public static class BootConfigLines
{
    /// <summary>Shown when the host has no IPv4 subnet to name.</summary>
    public const string ExampleNetwork = "192.168.1.0";

    /// <summary>The first file each firmware is told to fetch, as <c>pxe-service</c> names it: PXE appends
    /// <c>.0</c> to a BIOS basename without a dot (PXE 2.1; dnsmasq parity), so <c>pxelinux</c> fetches pxelinux.0.</summary>
    public static ImmutableArray<string> PxeServices(BootFirmware firmware) => firmware switch
    {
        BootFirmware.Bios => ["pxe-service=X86PC,\"Network boot (BIOS)\",pxelinux"],
        // Some x64 firmware sends 9 (BC_EFI) instead of 7 (RFC 4578 errata): give it the same file.
        BootFirmware.UefiX64 => ["pxe-service=X86-64_EFI,\"Network boot (UEFI)\",bootx64.efi", "pxe-service=BC_EFI,\"Network boot (UEFI)\",bootx64.efi"],
        BootFirmware.UefiArm64 => ["pxe-service=ARM64_EFI,\"Network boot (UEFI ARM64)\",bootaa64.efi"],
        _ => throw new ArgumentOutOfRangeException(nameof(firmware)),
    };

    public static string Render(string root, ImmutableArray<BootFirmware> firmware, ImmutableArray<IPv4Address> networks)
    {
        var text = new StringBuilder();
        text.AppendLine($"# Serves the boot root {root} (filled by netboot bootfiles): {Describe(firmware)}.");
        text.AppendLine("enable-tftp");
        text.AppendLine($"tftp-root={root}");
        text.AppendLine("# proxyDHCP: the network's own DHCP server keeps leasing addresses; this server adds the boot file.");
        if (networks.IsEmpty)
        {
            text.AppendLine($"# No IPv4 subnet found on this host: replace {ExampleNetwork} with the network of the PXE clients.");
            text.AppendLine($"dhcp-range={ExampleNetwork},proxy");
        }
        foreach (var network in networks)
        {
            text.AppendLine($"dhcp-range={network},proxy");
        }
        foreach (var line in firmware.SelectMany(f => PxeServices(f)))
        {
            text.AppendLine(line);
        }
        if (firmware.Contains(BootFirmware.Bios) || firmware.Contains(BootFirmware.UefiX64))
        {
            text.AppendLine("# iPXE is in the root too (undionly.kpxe for BIOS, ipxe.efi and snponly.efi for UEFI): name it in a");
            text.AppendLine("# pxe-service instead, with tag:!ipxe, to boot iPXE scripts over HTTP (README: UEFI, iPXE and HTTP boot).");
        }
        return text.ToString();
    }

    private static string Describe(ImmutableArray<BootFirmware> firmware) =>
        firmware.IsEmpty ? "no firmware" : string.Join(", ", firmware.Select(f => f switch
        {
            BootFirmware.Bios => "PXELINUX for BIOS",
            BootFirmware.UefiX64 => "shim and GRUB for x86-64 UEFI (Secure Boot)",
            BootFirmware.UefiArm64 => "GRUB for ARM64 UEFI",
            _ => f.ToString(),
        }));
}

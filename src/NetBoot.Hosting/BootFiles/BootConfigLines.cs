using System.Collections.Immutable;
using System.Text;
using NetBoot.Configuration.BootFiles;
using NetBoot.Wire.Net;

namespace NetBoot.Hosting.BootFiles;

/// <summary>The dnsmasq-syntax lines that serve a boot root filled by <c>netboot bootfiles</c>, next to another DHCP
/// server (proxy ranges, as printed) and on a network NetBoot leases itself (the same lines with the proxy range
/// replaced by a pool). The first-stage names are those of the embedded default.</summary>
/// <remarks>Debian 12's network GRUB takes its TFTP server from the firmware's copy of the DHCP server's ACK only
/// (GRUB 2.06 <c>grub_efi_net_config_real</c>; Fedora's "efinet: Add DHCP proxy support" is not in Debian), so next to
/// a router that does not name this server GRUB stops at its prompt, also when iPXE loaded it (tried in the lab with
/// Debian's snponly.efi and ipxe.efi). The proxy ranges therefore set the tag <c>proxy</c>, and x86-64 UEFI clients
/// in them start iPXE (<c>snponly.efi</c>, which handles proxyDHCP) with the iPXE menu <c>menu.ipxe</c>; where NetBoot
/// leases, shim and the signed GRUB boot with Secure Boot to <c>grub/grub.cfg</c>. The lab boots each
/// (tests/NetBoot.Interop.Tests/BootFiles).</remarks>
public static class BootConfigLines
{
    /// <summary>Shown when the host has no IPv4 subnet to name.</summary>
    public const string ExampleNetwork = "192.168.1.0";

    /// <summary>The tag every proxy range sets.</summary>
    public const string ProxyTag = "proxy";

    /// <summary>The <c>pxe-service</c> lines of one firmware. PXE appends <c>.0</c> to a BIOS basename without a dot
    /// (PXE 2.1; dnsmasq parity), so <c>pxelinux</c> fetches pxelinux.0. The x86-64 UEFI entries carry <c>tag:!ipxe</c>:
    /// iPXE, chained in proxy mode, must get the <c>dhcp-boot</c> file (its menu script) and not a PXE menu.</summary>
    public static ImmutableArray<string> PxeServices(BootFirmware firmware) => firmware switch
    {
        BootFirmware.Bios => ["pxe-service=X86PC,\"Network boot (BIOS)\",pxelinux"],
        // Some x64 firmware sends 9 (BC_EFI) instead of 7 (RFC 4578 errata): the same files for both.
        BootFirmware.UefiX64 =>
        [
            $"pxe-service=tag:!ipxe,tag:!{ProxyTag},X86-64_EFI,\"Network boot (UEFI)\",bootx64.efi",
            $"pxe-service=tag:!ipxe,tag:!{ProxyTag},BC_EFI,\"Network boot (UEFI)\",bootx64.efi",
            $"pxe-service=tag:!ipxe,tag:{ProxyTag},X86-64_EFI,\"Network boot (UEFI)\",snponly.efi",
            $"pxe-service=tag:!ipxe,tag:{ProxyTag},BC_EFI,\"Network boot (UEFI)\",snponly.efi",
        ],
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
        text.AppendLine($"# Where NetBoot should lease instead, write a pool without set:{ProxyTag}: dhcp-range=192.168.1.100,192.168.1.200,12h");
        if (networks.IsEmpty)
        {
            text.AppendLine($"# No IPv4 subnet found on this host: replace {ExampleNetwork} with the network of the PXE clients.");
            text.AppendLine($"dhcp-range=set:{ProxyTag},{ExampleNetwork},proxy");
        }
        foreach (var network in networks)
        {
            text.AppendLine($"dhcp-range=set:{ProxyTag},{network},proxy");
        }
        foreach (var line in firmware.SelectMany(f => PxeServices(f)))
        {
            text.AppendLine(line);
        }
        if (firmware.Contains(BootFirmware.UefiX64))
        {
            text.AppendLine("# x86-64 UEFI next to another DHCP server: iPXE (snponly.efi) and its menu.ipxe, since Debian 12's GRUB");
            text.AppendLine("# finds its server only in the DHCP server's answer. iPXE is not signed: turn Secure Boot off there, or let");
            text.AppendLine("# NetBoot lease, where shim and the signed GRUB boot to grub/grub.cfg with Secure Boot on.");
            text.AppendLine("dhcp-userclass=set:ipxe,iPXE");
            text.AppendLine("dhcp-match=set:efi-x86_64,option:client-arch,7");
            text.AppendLine("dhcp-match=set:efi-x86_64,option:client-arch,9");
            text.AppendLine($"dhcp-boot=tag:ipxe,tag:efi-x86_64,{BootMenus.IpxePath}");
        }
        if (firmware.Contains(BootFirmware.UefiArm64))
        {
            text.AppendLine("# ARM64 UEFI next to another DHCP server: GRUB stops at its prompt unless that server names this one as");
            text.AppendLine("# next-server (Debian has no iPXE for ARM64 to bridge the gap); where NetBoot leases it boots its menu.");
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

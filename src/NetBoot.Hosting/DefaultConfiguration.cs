using System.Collections.Immutable;
using System.Text;
using NetBoot.Hosting.Net;
using NetBoot.Wire.Net;

namespace NetBoot.Hosting;

/// <summary>The configuration <c>netboot serve</c> runs with when given none: proxyDHCP on the subnet of every
/// non-loopback interface, TFTP from <c>./tftpboot</c>, and a menu for BIOS and UEFI machines. Written in
/// dnsmasq syntax and read by the same parser, so <c>netboot serve --print-default</c> is a valid starting file.</summary>
public static class DefaultConfiguration
{
    public const string TftpFolderName = "tftpboot";

    public static string Generate(IEnumerable<HostInterface> interfaces, string tftpRoot)
    {
        ArgumentNullException.ThrowIfNull(interfaces);
        var text = new StringBuilder();
        text.AppendLine("# NetBoot embedded default: proxyDHCP next to the network's own DHCP server.");
        text.AppendLine("log-dhcp");
        text.AppendLine("enable-tftp");
        text.AppendLine($"tftp-root={tftpRoot}");
        text.AppendLine("pxe-prompt=\"NetBoot: press F8 for the boot menu\",5");
        text.AppendLine("pxe-service=X86PC,\"Network boot (BIOS)\",pxelinux");
        text.AppendLine("pxe-service=X86PC,\"Boot from local disk\",0");
        text.AppendLine("pxe-service=X86-64_EFI,\"Network boot (UEFI)\",bootx64.efi");
        text.AppendLine("# Older x64 firmware sends 9 (BC_EFI) for x64 UEFI (RFC 4578 errata): give it the same file.");
        text.AppendLine("pxe-service=BC_EFI,\"Network boot (UEFI)\",bootx64.efi");
        text.AppendLine("pxe-service=ARM64_EFI,\"Network boot (UEFI ARM64)\",bootaa64.efi");
        foreach (var network in ProxyNetworks(interfaces))
        {
            text.AppendLine($"dhcp-range={network},proxy");
        }
        return text.ToString();
    }

    /// <summary>The network address of every subnet on a non-loopback interface: one <c>dhcp-range=…,proxy</c> each.</summary>
    public static ImmutableArray<IPv4Address> ProxyNetworks(IEnumerable<HostInterface> interfaces) =>
        interfaces
            .Where(i => !i.IsLoopback)
            .SelectMany(i => i.Addresses.Select(a => a.Address.Mask(a.Netmask)))
            .Distinct()
            .ToImmutableArray();
}

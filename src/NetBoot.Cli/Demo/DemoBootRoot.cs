using System.Globalization;

namespace NetBoot.Cli.Demo;

/// <summary>The boot root the demo serves, copied from Debian packages, and the configuration NetBoot is given. Each
/// boot program ends by printing the run's marker on the VM's console, which is how the demo knows the boot
/// worked: pxelinux <c>SAY</c>s it (BIOS), an iPXE script fetched over HTTP <c>echo</c>es it (UEFI), a tiny ARM64 EFI
/// program prints it (ARM64; Debian has no ARM64 network boot program an amd64 host can install).</summary>
internal static class DemoBootRoot
{
    public const string IpxeScript = "boot.ipxe";
    public const string Arm64BootFile = "bootaa64.efi";

    /// <summary>Fills <paramref name="root"/> for <paramref name="mode"/> and returns the files it holds (relative).</summary>
    public static IReadOnlyList<string> Prepare(DemoMode mode, string root, string marker)
    {
        Directory.CreateDirectory(root);
        switch (mode)
        {
            case DemoMode.Bios:
                Copy(DemoPrerequisites.Pxelinux, root, "pxelinux.0");
                Copy(DemoPrerequisites.Ldlinux, root, "ldlinux.c32");
                Directory.CreateDirectory(Path.Combine(root, "pxelinux.cfg"));
                File.WriteAllText(Path.Combine(root, "pxelinux.cfg", "default"), PxelinuxConfig(marker));
                return ["pxelinux.0", "ldlinux.c32", "pxelinux.cfg/default"];
            case DemoMode.Uefi:
                Copy(DemoPrerequisites.IpxeEfi, root, "ipxe.efi");
                File.WriteAllText(Path.Combine(root, IpxeScript), IpxeScriptText(marker));
                return ["ipxe.efi", IpxeScript];
            default:
                File.WriteAllBytes(Path.Combine(root, Arm64BootFile), Aarch64MarkerProgram.Build(Arm64Message(marker)));
                return [Arm64BootFile];
        }
    }

    /// <summary>pxelinux says the marker, then its only entry hands back to the BIOS (<c>LOCALBOOT 0</c>): no kernel is
    /// needed. No <c>SERIAL</c> line: SeaBIOS already copies the screen to the serial port, and both would garble it.</summary>
    public static string PxelinuxConfig(string marker) =>
        $"""
        SAY {marker}: pxelinux, loaded by TFTP from NetBoot, read this file
        DEFAULT local
        PROMPT 0
        LABEL local
          LOCALBOOT 0

        """;

    public static string IpxeScriptText(string marker) =>
        $"""
        #!ipxe
        echo {marker}: iPXE, loaded by TFTP from NetBoot, runs this script fetched over HTTP

        """;

    public static string Arm64Message(string marker) => $"{marker}: the ARM64 program, loaded by TFTP from NetBoot, runs";

    /// <summary>NetBoot's configuration: proxyDHCP next to the router, a boot menu, TFTP (and HTTP for UEFI).</summary>
    public static string Config(DemoMode mode, string root)
    {
        var common = string.Create(CultureInfo.InvariantCulture, $"""
            # netboot demo: proxyDHCP next to the router's ordinary DHCP server (it keeps leasing addresses;
            # NetBoot only tells PXE firmware what to boot), boot files by TFTP from the demo's boot root
            dhcp-range={DemoNetwork.Subnet},proxy
            enable-tftp
            tftp-root={root}

            """);
        return common + mode switch
        {
            DemoMode.Bios => """
                # BIOS PXE: a menu with a prompt (F8 shows it), then port 4011 names the boot file
                pxe-prompt="Press F8 for boot menu", 2
                pxe-service=X86PC,"Boot from network (pxelinux)",pxelinux
                pxe-service=X86PC,"Boot from local hard disk",0

                """,
            DemoMode.Uefi => string.Create(CultureInfo.InvariantCulture, $"""
                # UEFI PXE gets ipxe.efi by TFTP; iPXE (user class "iPXE") then gets a script URL over HTTP
                http-port={DemoNetwork.HttpPort}
                dhcp-userclass=set:ipxe,iPXE
                pxe-service=tag:!ipxe,X86-64_EFI,"Network boot (UEFI)",ipxe.efi
                dhcp-boot=tag:ipxe,http://{DemoNetwork.ServerAddress}:{DemoNetwork.HttpPort}/{IpxeScript}

                """),
            _ => $"""
                # ARM64 UEFI (client architecture 11) gets its own boot file
                pxe-service=ARM64_EFI,"Network boot (UEFI ARM64)",{Arm64BootFile}

                """,
        };
    }

    private static void Copy(DemoRequirement requirement, string root, string name)
    {
        var source = requirement.Locate(File.Exists) ?? throw new DemoException($"{requirement.What} not found (package {requirement.Package})");
        File.Copy(source, Path.Combine(root, name));
    }
}

using System.Globalization;

namespace NetBoot.Cli.Demo;

/// <summary>The VM for each mode: QEMU under TCG (no KVM needed), no disk, one NIC on the lab's tap, its serial console on
/// QEMU's standard output (streamed by the demo). <c>timeout</c> bounds its life even if the demo itself is killed.</summary>
internal static class DemoMachine
{
    public static string Describe(DemoMode mode) => mode switch
    {
        DemoMode.Bios => "a BIOS PC (SeaBIOS, the iPXE ROM of QEMU's e1000 acting as PXE firmware)",
        DemoMode.Uefi => "an x86-64 UEFI PC (OVMF's own PXE on virtio-net)",
        _ => "an ARM64 UEFI machine (AAVMF on QEMU's virt board)",
    };

    /// <summary>The <c>timeout … qemu-system-…</c> command line (program first).</summary>
    public static IReadOnlyList<string> CommandLine(DemoMode mode, string workDirectory, TimeSpan hardLimit)
    {
        string[] limit = [Locate(DemoPrerequisites.Timeout), "--kill-after=5", ((int)hardLimit.TotalSeconds).ToString(CultureInfo.InvariantCulture)];
        string[] common = ["-m", mode == DemoMode.Arm64 ? "512" : "256", "-nodefaults", "-no-user-config", "-display", "none", "-serial", "stdio",
            "-netdev", $"tap,id=lan,ifname={DemoNetwork.Tap},script=no,downscript=no"];
        return mode switch
        {
            DemoMode.Bios =>
            [
                .. limit, Locate(DemoPrerequisites.QemuX86), "-machine", "pc,accel=tcg", .. common, "-vga", "none",
                // SeaBIOS reads etc/sercon-port as a little-endian integer (f8 03 = COM1): it then copies the screen,
                // its own and the iPXE ROM's and pxelinux's, to the serial console.
                "-fw_cfg", $"name=etc/sercon-port,file={SerconPort(workDirectory)}",
                "-boot", "n", "-device", $"e1000,netdev=lan,mac={DemoNetwork.ClientMac}",
            ],
            DemoMode.Uefi =>
            [
                .. limit, Locate(DemoPrerequisites.QemuX86), "-machine", "q35,accel=tcg", .. common, "-vga", "none",
                .. Flash(DemoPrerequisites.OvmfCode, DemoPrerequisites.OvmfVariables, workDirectory),
                // PXE over IPv4 only: OVMF would try IPv6 PXE next, which this lab does not serve.
                "-fw_cfg", "name=opt/org.tianocore/IPv6Support,string=n",
                // romfile= removes QEMU's iPXE ROM: OVMF's own PXE boots.
                "-device", $"virtio-net-pci,netdev=lan,mac={DemoNetwork.ClientMac},romfile=",
            ],
            _ =>
            [
                .. limit, Locate(DemoPrerequisites.QemuArm), "-machine", "virt,accel=tcg", "-cpu", "cortex-a57", .. common,
                .. Flash(DemoPrerequisites.AavmfCode, DemoPrerequisites.AavmfVariables, workDirectory),
                "-device", $"virtio-net-pci,netdev=lan,mac={DemoNetwork.ClientMac},romfile=",
            ],
        };
    }

    /// <summary>UEFI code read-only, and a private copy of the variable store (the firmware writes it).</summary>
    private static string[] Flash(DemoRequirement code, DemoRequirement variables, string workDirectory)
    {
        var copy = Path.Combine(workDirectory, Path.GetFileName(Locate(variables)));
        File.Copy(Locate(variables), copy, overwrite: true);
        return
        [
            "-drive", $"if=pflash,format=raw,unit=0,readonly=on,file={Locate(code)}",
            "-drive", $"if=pflash,format=raw,unit=1,file={copy}",
        ];
    }

    private static string SerconPort(string workDirectory)
    {
        var path = Path.Combine(workDirectory, "sercon-port.bin");
        File.WriteAllBytes(path, [0xf8, 0x03]);
        return path;
    }

    private static string Locate(DemoRequirement requirement) =>
        requirement.Locate(File.Exists) ?? throw new DemoException($"{requirement.What} not found (package {requirement.Package})");
}

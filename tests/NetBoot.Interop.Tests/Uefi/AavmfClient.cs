using NetBoot.Interop.Tests.Lab;

namespace NetBoot.Interop.Tests.Uefi;

/// <summary>
/// An ARM64 UEFI machine under TCG: QEMU's <c>virt</c> board with Debian's AAVMF (EDK2 ArmVirtQemu, package
/// qemu-efi-aarch64), its own virtio-net driver and PXE (client architecture 11), a private variable store and the
/// PL011 console on a serial log file.
/// </summary>
public static class AavmfClient
{
    public const string Code = "/usr/share/AAVMF/AAVMF_CODE.fd";
    public const string Variables = "/usr/share/AAVMF/AAVMF_VARS.fd";

    public static (LabProcess Process, LogFile Serial) Start(NamespaceLab lab, string mac)
    {
        ArgumentNullException.ThrowIfNull(lab);
        var serial = Path.Combine(lab.WorkDirectory, "serial-aarch64.log");
        var variables = Path.Combine(lab.WorkDirectory, "AAVMF_VARS.fd");
        File.Copy(Variables, variables, overwrite: true);
        var process = lab.Start("qemu-aarch64", lab.LanNamespace, "timeout",
        [
            "--kill-after=5", $"{(int)QemuClient.HardLimit.TotalSeconds}",
            "qemu-system-aarch64",
            "-machine", "virt,accel=tcg", "-cpu", "cortex-a57", "-m", "512", "-nodefaults", "-no-user-config",
            "-display", "none",
            "-serial", $"file:{serial}",
            "-drive", $"if=pflash,format=raw,unit=0,readonly=on,file={Code}",
            "-drive", $"if=pflash,format=raw,unit=1,file={variables}",
            "-netdev", $"tap,id=lan,ifname={LabNetwork.Tap},script=no,downscript=no",
            "-device", $"virtio-net-pci,netdev=lan,mac={mac},romfile=",
        ]);
        return (process, new LogFile(serial, "serial console", isTerminal: true));
    }
}

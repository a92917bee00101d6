using NetBoot.Interop.Tests.Lab;

namespace NetBoot.Interop.Tests.Uefi;

/// <summary>
/// An x86-64 UEFI PC under TCG: Debian's OVMF (EDK2 2022.11) with its own PXE and HTTP Boot drivers on a
/// virtio NIC whose option ROM is removed (<c>romfile=</c>; QEMU's ROM would run iPXE instead), a private copy
/// of the variable store, and the console on a serial log file (OVMF mirrors ConOut to the serial port).
/// </summary>
public static class OvmfClient
{
    public const string Code = "/usr/share/OVMF/OVMF_CODE_4M.fd";
    public const string Variables = "/usr/share/OVMF/OVMF_VARS_4M.fd";

    /// <summary>Debian's Secure Boot build (needs SMM on q35) and a variable store with Microsoft's keys enrolled
    /// and Secure Boot on: it runs only EFI programs signed by a key in db (Microsoft's UEFI CA signs shim).</summary>
    public const string SecureBootCode = "/usr/share/OVMF/OVMF_CODE_4M.secboot.fd";
    public const string SecureBootVariables = "/usr/share/OVMF/OVMF_VARS_4M.ms.fd";

    /// <summary>Which of OVMF's network boot options run. OVMF tries PXEv4, PXEv6, HTTPv4, HTTPv6 in that order;
    /// its platform driver reads <c>opt/org.tianocore/IPv4PXESupport</c> and <c>IPv6Support</c> from fw_cfg,
    /// so HTTP Boot can be reached without waiting for PXE to time out.</summary>
    public enum BootPath
    {
        Pxe,
        HttpOnly,

        /// <summary>PXE over IPv6 only: <c>IPv4Support=n</c> removes the IPv4 stack, so PXEv4 and HTTPv4 are no boot
        /// options and PXEv6 is the first.</summary>
        Pxe6,

        /// <summary>HTTP Boot over IPv6 only: no IPv4 stack, no PXE. EDK2 2022.11's HTTP Boot sends no SOLICIT when it
        /// starts before the link-local address has passed duplicate address detection (its DHCPv6 Start fails with
        /// "Unexpected network error"; PXE waits for the address, HTTP Boot does not): a boot-menu wait of
        /// <see cref="Http6BootMenuWait"/> lets the address settle first.</summary>
        Http6,
    }

    /// <summary>The boot-menu wait (<c>-boot menu=on,splash-time=</c>) before HTTPv6; see <see cref="BootPath.Http6"/>.</summary>
    public static readonly TimeSpan Http6BootMenuWait = TimeSpan.FromSeconds(3);

    public static (LabProcess Process, LogFile Serial) Start(NamespaceLab lab, string mac, BootPath path, bool secureBoot = false)
    {
        ArgumentNullException.ThrowIfNull(lab);
        var serial = Path.Combine(lab.WorkDirectory, "serial.log");
        var variables = Path.Combine(lab.WorkDirectory, "OVMF_VARS_4M.fd");
        File.Copy(secureBoot ? SecureBootVariables : Variables, variables, overwrite: true);
        string[] machine = secureBoot
            ? ["-machine", "q35,smm=on,accel=tcg", "-global", "driver=cfi.pflash01,property=secure,value=on"]
            : ["-machine", "q35,accel=tcg"];
        string[] only = path switch
        {
            BootPath.HttpOnly => ["-fw_cfg", "name=opt/org.tianocore/IPv4PXESupport,string=n", "-fw_cfg", "name=opt/org.tianocore/IPv6Support,string=n"],
            BootPath.Pxe6 => ["-fw_cfg", "name=opt/org.tianocore/IPv4Support,string=n"],
            BootPath.Http6 =>
            [
                "-fw_cfg", "name=opt/org.tianocore/IPv4Support,string=n", "-fw_cfg", "name=opt/org.tianocore/IPv6PXESupport,string=n",
                "-boot", $"menu=on,splash-time={(int)Http6BootMenuWait.TotalMilliseconds}",
            ],
            _ => ["-fw_cfg", "name=opt/org.tianocore/IPv6Support,string=n"],
        };
        var process = lab.Start("qemu", lab.LanNamespace, "timeout",
        [
            "--kill-after=5", $"{(int)QemuClient.HardLimit.TotalSeconds}",
            "qemu-system-x86_64",
            .. machine, "-m", "256", "-nodefaults", "-no-user-config",
            "-display", "none", "-vga", "none",
            "-serial", $"file:{serial}",
            "-drive", $"if=pflash,format=raw,unit=0,readonly=on,file={(secureBoot ? SecureBootCode : Code)}",
            "-drive", $"if=pflash,format=raw,unit=1,file={variables}",
            .. only,
            "-netdev", $"tap,id=lan,ifname={LabNetwork.Tap},script=no,downscript=no",
            "-device", $"virtio-net-pci,netdev=lan,mac={mac},romfile=",
        ]);
        return (process, new LogFile(serial, "serial console", isTerminal: true));
    }
}

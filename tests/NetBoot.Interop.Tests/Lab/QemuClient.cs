namespace NetBoot.Interop.Tests.Lab;

/// <summary>
/// A diskless x86-64 PC under TCG: SeaBIOS and the iPXE option ROM that Debian's ipxe-qemu gives QEMU's
/// e1000, booting from the network (<c>-boot n</c>) on the lab's tap, its console on a serial log file.
/// </summary>
public sealed class QemuClient
{
    /// <summary>The hard limit on the VM's life, enforced by <c>timeout</c> even if the test host dies.</summary>
    public static readonly TimeSpan HardLimit = TimeSpan.FromMinutes(5);

    private QemuClient(LabProcess process, LogFile serial, string monitorSocket)
    {
        Process = process;
        Serial = serial;
        MonitorSocket = monitorSocket;
    }

    public LabProcess Process { get; }

    /// <summary>Everything SeaBIOS, iPXE and pxelinux print (terminal escapes included).</summary>
    public LogFile Serial { get; }

    public string MonitorSocket { get; }

    public static QemuClient Start(NamespaceLab lab, string mac)
    {
        var serial = Path.Combine(lab.WorkDirectory, "serial.log");
        var monitor = Path.Combine(lab.WorkDirectory, "monitor.sock");
        // SeaBIOS reads etc/sercon-port as a little-endian integer of 1, 2, 4 or 8 bytes: the documented
        // `string=0x3f8` is 5 ASCII bytes, which SeaBIOS 1.16.2 ignores (no BIOS or iPXE text on the serial
        // console). Two bytes f8 03 = COM1 work.
        var serconPort = Path.Combine(lab.WorkDirectory, "sercon-port.bin");
        File.WriteAllBytes(serconPort, [0xf8, 0x03]);
        var process = lab.Start("qemu", lab.LanNamespace, "timeout",
        [
            "--kill-after=5", $"{(int)HardLimit.TotalSeconds}",
            "qemu-system-x86_64",
            "-machine", "pc,accel=tcg", "-m", "128", "-nodefaults", "-no-user-config",
            "-display", "none", "-vga", "none",
            "-serial", $"file:{serial}",
            "-monitor", $"unix:{monitor},server=on,wait=off",
            "-fw_cfg", $"name=etc/sercon-port,file={serconPort}",
            "-boot", "n",
            "-netdev", $"tap,id=lan,ifname={LabNetwork.Tap},script=no,downscript=no",
            "-device", $"e1000,netdev=lan,mac={mac}",
        ]);
        return new QemuClient(process, new LogFile(serial, "serial console", isTerminal: true), monitor);
    }

    public Task<QemuMonitor> ConnectMonitorAsync() =>
        QemuMonitor.ConnectAsync(MonitorSocket, TimeSpan.FromSeconds(30), Process.EnsureRunning);
}

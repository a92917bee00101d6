namespace NetBoot.Cli.Demo;

/// <summary>Something the demo needs from a Debian package: present when any of <paramref name="Paths"/> exists.</summary>
internal sealed record DemoRequirement(string Package, string What, params string[] Paths)
{
    /// <summary>The first path that exists, or null.</summary>
    public string? Locate(Func<string, bool> exists) => Paths.FirstOrDefault(exists);
}

/// <summary>The Debian packages each kind of demo needs, found by the files it uses (not by asking dpkg: a file put
/// there another way works as well), and the one <c>apt-get</c> line that installs what is missing.</summary>
internal static class DemoPrerequisites
{
    public static readonly DemoRequirement Ip = new("iproute2", "ip (namespaces, bridge, tap)", "/usr/sbin/ip", "/sbin/ip", "/usr/bin/ip", "/bin/ip");
    public static readonly DemoRequirement Dnsmasq = new("dnsmasq-base", "dnsmasq, the router's ordinary DHCP server", "/usr/sbin/dnsmasq", "/sbin/dnsmasq");
    public static readonly DemoRequirement Timeout = new("coreutils", "timeout (a hard limit on the VM's life)", "/usr/bin/timeout", "/bin/timeout");
    public static readonly DemoRequirement QemuX86 = new("qemu-system-x86", "QEMU for x86-64", "/usr/bin/qemu-system-x86_64");
    public static readonly DemoRequirement SeaBios = new("seabios", "SeaBIOS", "/usr/share/seabios/bios-256k.bin");
    public static readonly DemoRequirement IpxeRom = new("ipxe-qemu", "the iPXE option ROM of QEMU's e1000 NIC", "/usr/lib/ipxe/qemu/efi-e1000.rom");
    public static readonly DemoRequirement Pxelinux = new("pxelinux", "pxelinux.0", "/usr/lib/PXELINUX/pxelinux.0");
    public static readonly DemoRequirement Ldlinux = new("syslinux-common", "ldlinux.c32", "/usr/lib/syslinux/modules/bios/ldlinux.c32");
    public static readonly DemoRequirement OvmfCode = new("ovmf", "OVMF (UEFI for x86-64)", "/usr/share/OVMF/OVMF_CODE_4M.fd");
    public static readonly DemoRequirement OvmfVariables = new("ovmf", "OVMF's variable store", "/usr/share/OVMF/OVMF_VARS_4M.fd");
    public static readonly DemoRequirement IpxeEfi = new("ipxe", "ipxe.efi", "/usr/lib/ipxe/ipxe.efi");
    public static readonly DemoRequirement QemuArm = new("qemu-system-arm", "QEMU for ARM64", "/usr/bin/qemu-system-aarch64");
    public static readonly DemoRequirement AavmfCode = new("qemu-efi-aarch64", "AAVMF (UEFI for ARM64)", "/usr/share/AAVMF/AAVMF_CODE.fd");
    public static readonly DemoRequirement AavmfVariables = new("qemu-efi-aarch64", "AAVMF's variable store", "/usr/share/AAVMF/AAVMF_VARS.fd");

    public static IReadOnlyList<DemoRequirement> For(DemoMode mode) => mode switch
    {
        DemoMode.Bios => [Ip, Dnsmasq, Timeout, QemuX86, SeaBios, IpxeRom, Pxelinux, Ldlinux],
        DemoMode.Uefi => [Ip, Dnsmasq, Timeout, QemuX86, OvmfCode, OvmfVariables, IpxeEfi],
        _ => [Ip, Dnsmasq, Timeout, QemuArm, AavmfCode, AavmfVariables],
    };

    /// <summary>The packages to install, each once, in the order first needed.</summary>
    public static IReadOnlyList<string> MissingPackages(IEnumerable<DemoRequirement> requirements, Func<string, bool> exists) =>
        [.. requirements.Where(r => r.Locate(exists) is null).Select(r => r.Package).Distinct()];

    /// <summary>The exact command that installs <paramref name="packages"/> (recommends left out: nothing more is needed).</summary>
    public static string InstallCommand(IReadOnlyList<string> packages) =>
        "apt-get install --no-install-recommends " + string.Join(' ', packages);

    /// <summary>Installs with consent (<c>--yes</c>): <c>apt-get install</c>, and after an <c>apt-get update</c> when the
    /// package lists are stale. apt's own output goes to the terminal. True when every package is then installed.</summary>
    public static async Task<bool> InstallAsync(IReadOnlyList<string> packages, TextWriter output)
    {
        if (!File.Exists("/usr/bin/apt-get"))
        {
            await output.WriteLineAsync("netboot demo: apt-get not found: install the packages above with your system's package manager").ConfigureAwait(false);
            return false;
        }
        await output.WriteLineAsync($"netboot demo: installing {string.Join(' ', packages)} (--yes)").ConfigureAwait(false);
        string[] install = ["install", "-y", "-q", "--no-install-recommends", .. packages];
        if (await AptAsync(install).ConfigureAwait(false) == 0)
        {
            return true;
        }
        await output.WriteLineAsync("netboot demo: apt-get install failed; updating the package lists and trying once more").ConfigureAwait(false);
        return await AptAsync(["update", "-q"]).ConfigureAwait(false) == 0 && await AptAsync(install).ConfigureAwait(false) == 0;
    }

    private static async Task<int> AptAsync(string[] arguments)
    {
        var info = new System.Diagnostics.ProcessStartInfo("/usr/bin/apt-get") { UseShellExecute = false };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }
        info.Environment["DEBIAN_FRONTEND"] = "noninteractive";
        using var process = System.Diagnostics.Process.Start(info) ?? throw new DemoException("could not start apt-get");
        await process.WaitForExitAsync().ConfigureAwait(false);
        return process.ExitCode;
    }
}

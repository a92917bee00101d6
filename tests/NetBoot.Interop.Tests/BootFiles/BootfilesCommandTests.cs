using System.Text.RegularExpressions;
using NetBoot.Interop.Tests.Servers;
using NetBoot.Testing;

namespace NetBoot.Interop.Tests.BootFiles;

/// <summary>
/// Issue 16: the real <c>netboot bootfiles</c> against Debian's installed packages (pxelinux, syslinux-common, ipxe,
/// shim-signed, grub-efi-amd64-signed and grub-efi-arm64-bin:arm64, which scripts/test installs) into a temporary
/// folder, then <c>netboot check</c> on the configuration it printed.
/// </summary>
[Trait("Category", "Interop")]
public sealed partial class BootfilesCommandTests : IDisposable
{
    private readonly string _work = Directory.CreateTempSubdirectory("netboot-bootfiles-").FullName;

    public void Dispose() => Directory.Delete(_work, recursive: true);

    private static string Netboot => Path.Combine(NetBootServer.PublishDirectory, "netboot");

    /// <summary>What the command must copy: file in the root ← file installed by Debian's package.</summary>
    public static TheoryData<string, string> Expected => new()
    {
        { "pxelinux.0", "/usr/lib/PXELINUX/pxelinux.0" },
        { "ldlinux.c32", "/usr/lib/syslinux/modules/bios/ldlinux.c32" },
        { "menu.c32", "/usr/lib/syslinux/modules/bios/menu.c32" },
        { "libutil.c32", "/usr/lib/syslinux/modules/bios/libutil.c32" },
        { "libcom32.c32", "/usr/lib/syslinux/modules/bios/libcom32.c32" },
        { "reboot.c32", "/usr/lib/syslinux/modules/bios/reboot.c32" },
        { "undionly.kpxe", "/usr/lib/ipxe/undionly.kpxe" },
        { "ipxe.efi", "/usr/lib/ipxe/ipxe.efi" },
        { "snponly.efi", "/usr/lib/ipxe/snponly.efi" },
        { "bootx64.efi", "/usr/lib/shim/shimx64.efi.signed" },
        { "grubx64.efi", "/usr/lib/grub/x86_64-efi-signed/grubnetx64.efi.signed" },
        { "mmx64.efi", "/usr/lib/shim/mmx64.efi.signed" },
        { "bootaa64.efi", "/usr/lib/grub/arm64-efi/monolithic/grubnetaa64.efi" },
    };

    [GeneratedRegex(@"^pxe-service=(tag:[^,]+,)*(?<csa>[^,]+),""[^""]*"",(?<base>[^,\s]+)$", RegexOptions.Multiline)]
    private static partial Regex PxeServiceLine();

    [Fact]
    public void Bootfiles_fills_the_root_with_copies_of_the_package_files_and_menus_and_check_accepts_its_configuration()
    {
        var root = Path.Combine(_work, "tftp");

        var (exitCode, configuration, log) = Shell.Execute(Netboot, "bootfiles", root);

        Assert.True(exitCode == 0, $"netboot bootfiles exited {exitCode}:\n{log}");
        foreach (var row in Expected)
        {
            var (name, installed) = ((string)row[0], (string)row[1]);
            var copy = new FileInfo(Path.Combine(root, name));
            Assert.True(copy.Exists, $"{name} missing from the root");
            Assert.Null(copy.LinkTarget);
            Assert.Equal(File.ReadAllBytes(installed), File.ReadAllBytes(copy.FullName));
            Assert.True(copy.UnixFileMode.HasFlag(UnixFileMode.OtherRead), $"{name} must be readable by the server's user");
        }
        Assert.StartsWith("# pxelinux.cfg/default, written by netboot bootfiles", File.ReadAllText(Path.Combine(root, "pxelinux.cfg", "default")), StringComparison.Ordinal);
        Assert.StartsWith("# grub/grub.cfg, written by netboot bootfiles", File.ReadAllText(Path.Combine(root, "grub", "grub.cfg")), StringComparison.Ordinal);

        // Every first-stage file the printed configuration names is in the root (".0" added to a BIOS basename).
        var services = PxeServiceLine().Matches(configuration).Select(m => (Csa: m.Groups["csa"].Value, File: m.Groups["base"].Value)).ToArray();
        Assert.Equal(["X86PC", "X86-64_EFI", "BC_EFI", "X86-64_EFI", "BC_EFI", "ARM64_EFI"], services.Select(s => s.Csa));
        Assert.Contains("\ndhcp-boot=tag:ipxe,tag:efi-x86_64,menu.ipxe\n", configuration, StringComparison.Ordinal);
        Assert.StartsWith("#!ipxe\n", File.ReadAllText(Path.Combine(root, "menu.ipxe")), StringComparison.Ordinal);
        Assert.All(services, s => Assert.True(File.Exists(Path.Combine(root, s.File.Contains('.', StringComparison.Ordinal) ? s.File : s.File + ".0")), $"{s.File} not in the root"));
        Assert.Contains($"\ntftp-root={root}\n", configuration, StringComparison.Ordinal);

        var conf = Path.Combine(_work, "bootfiles.conf");
        File.WriteAllText(conf, configuration);
        var check = Shell.Execute(Netboot, "check", "-C", conf);
        Assert.True(check.ExitCode == 0, $"netboot check exited {check.ExitCode}:\n{check.Stderr}");
        Assert.Contains($"{root}", check.Stdout, StringComparison.Ordinal);
        Assert.DoesNotMatch(new Regex("missing|not found|no such file", RegexOptions.IgnoreCase), check.Stdout + check.Stderr);
    }

    [Fact]
    public void Bootfiles_run_again_replaces_the_files_keeps_an_edited_menu_and_rewrites_it_with_force()
    {
        var root = Path.Combine(_work, "tftp");
        Assert.Equal(0, Shell.Execute(Netboot, "bootfiles", root, "--arch", "bios").ExitCode);
        var menu = Path.Combine(root, "pxelinux.cfg", "default");
        File.WriteAllText(menu, "DEFAULT site\n");
        File.WriteAllText(Path.Combine(root, "pxelinux.0"), "stale");

        var again = Shell.Execute(Netboot, "bootfiles", root, "--arch", "bios");

        Assert.Equal(0, again.ExitCode);
        Assert.Equal("DEFAULT site\n", File.ReadAllText(menu));
        Assert.Contains($"kept {menu} as it is", again.Stderr, StringComparison.Ordinal);
        Assert.Equal(File.ReadAllBytes("/usr/lib/PXELINUX/pxelinux.0"), File.ReadAllBytes(Path.Combine(root, "pxelinux.0")));
        Assert.False(File.Exists(Path.Combine(root, "grubx64.efi")), "--arch bios copies no UEFI file");

        Assert.Equal(0, Shell.Execute(Netboot, "bootfiles", root, "--arch", "bios", "--force").ExitCode);
        Assert.StartsWith("# pxelinux.cfg/default, written by netboot bootfiles", File.ReadAllText(menu), StringComparison.Ordinal);
    }
}

using NetBoot.Cli.Commands;
using NetBoot.Configuration.BootFiles;
using NetBoot.Hosting.BootFiles;

namespace NetBoot.Cli.Tests;

/// <summary><c>netboot bootfiles</c>'s own decisions, on a fake disk: what it prints when packages are missing,
/// and its <c>--arch</c> words.</summary>
public sealed class BootfilesCommandTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "netboot-bootfiles-cli-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }

    private sealed class Disk(params string[] files) : IBootFileSystem
    {
        public bool FileExists(string path) => files.Contains(path);
    }

    [Fact]
    public void Missing_packages_are_named_with_the_exact_install_commands_nothing_is_copied_and_the_exit_code_is_1()
    {
        var installed = BootFilePackages.All.Where(r => r.Package != "shim-signed" && r.Firmware != BootFirmware.UefiArm64)
            .Select(r => r.InstalledPath).ToArray();
        var request = new BootRootRequest { Root = _root, HostArchitecture = "amd64" };
        var output = new StringWriter();
        var error = new StringWriter();

        var exitCode = BootfilesCommand.Run(request, install: false, new Disk(installed), output, error);

        Assert.Equal(1, exitCode);
        Assert.Equal("", output.ToString());
        Assert.Equal(
            "netboot: bootfiles: 1 boot file is not installed; nothing was copied:\n" +
            "  bootx64.efi: /usr/lib/shim/shimx64.efi.signed (package shim-signed)\n" +
            "netboot: bootfiles: install them as root with the commands below, or run again with --yes:\n" +
            "  apt-get update\n" +
            "  apt-get install --no-install-recommends shim-signed\n",
            error.ToString());
        Assert.False(Directory.Exists(_root));
    }

    [Theory]
    [InlineData(new[] { "bios" }, new[] { BootFirmware.Bios })]
    [InlineData(new[] { "uefi,ARM64" }, new[] { BootFirmware.UefiX64, BootFirmware.UefiArm64 })]
    [InlineData(new[] { "arm64", "bios", "arm64" }, new[] { BootFirmware.UefiArm64, BootFirmware.Bios })]
    [InlineData(new string[0], new BootFirmware[0])]
    public void Arch_words_are_read_comma_separated_or_repeated(string[] values, BootFirmware[] expected)
    {
        Assert.True(BootfilesCommand.TryParseFirmware(values, out var firmware, out _));
        Assert.Equal(expected, firmware.ToArray());
    }

    [Fact]
    public void An_unknown_arch_word_is_refused_with_the_words_that_are_known()
    {
        Assert.False(BootfilesCommand.TryParseFirmware(["bios,ia64"], out _, out var error));
        Assert.Equal("unknown --arch 'ia64': use bios, uefi or arm64", error);
    }
}

using NetBoot.Configuration.BootFiles;

namespace NetBoot.Configuration.Tests.BootFiles;

public class BootFilePackagesTests
{
    [Theory]
    [InlineData("pxelinux.0", "pxelinux")]
    [InlineData("/ltsp/i386/pxelinux.0", "pxelinux")]
    [InlineData("efi\\BOOTX64.EFI", "shim-signed")]
    [InlineData("grubx64.efi", "grub-efi-amd64-signed")]
    [InlineData("bootaa64.efi", "grub-efi-arm64-bin")]
    [InlineData("undionly.kpxe", "ipxe")]
    public void Find_names_the_package_of_a_boot_file_by_its_last_path_segment_ignoring_case(string bootFile, string package)
    {
        Assert.Equal(package, BootFilePackages.Find(bootFile)?.Package);
    }

    [Fact]
    public void Find_returns_null_for_a_file_no_package_provides()
    {
        Assert.Null(BootFilePackages.Find("vmlinuz"));
    }

    [Fact]
    public void Every_row_has_a_unique_plain_file_name_and_an_absolute_installed_path()
    {
        Assert.Equal(BootFilePackages.All.Length, BootFilePackages.All.Select(r => r.FileName).Distinct(StringComparer.OrdinalIgnoreCase).Count());
        Assert.All(BootFilePackages.All, r =>
        {
            Assert.DoesNotContain('/', r.FileName);
            Assert.StartsWith("/usr/lib/", r.InstalledPath, StringComparison.Ordinal);
        });
    }

    [Fact]
    public void A_package_built_for_another_architecture_is_named_with_it_and_a_native_or_all_one_without()
    {
        var arm64 = BootFilePackages.Find("bootaa64.efi")!;
        var shim = BootFilePackages.Find("bootx64.efi")!;
        var pxelinux = BootFilePackages.Find("pxelinux.0")!;

        Assert.Equal("grub-efi-arm64-bin:arm64", BootFilePackages.InstallName(arm64, "amd64"));
        Assert.Equal("grub-efi-arm64-bin", BootFilePackages.InstallName(arm64, "arm64"));
        Assert.Equal("shim-signed", BootFilePackages.InstallName(shim, "amd64"));
        Assert.Equal("pxelinux", BootFilePackages.InstallName(pxelinux, "arm64"));
        Assert.False(BootFilePackages.IsForeign(pxelinux, "arm64"));
    }
}

using NetBoot.Configuration.BootFiles;
using NetBoot.Hosting.BootFiles;

namespace NetBoot.Hosting.Tests.BootFiles;

/// <summary>The builder against a real temporary directory, with package files it creates itself.</summary>
public sealed class BootRootBuilderTests : IDisposable
{
    private readonly string _scratch = Path.Combine(Path.GetTempPath(), "netboot-bootroot-" + Guid.NewGuid().ToString("N"));

    public BootRootBuilderTests() => Directory.CreateDirectory(_scratch);

    public void Dispose() => Directory.Delete(_scratch, recursive: true);

    private string Package(string name, string content)
    {
        var path = Path.Combine(_scratch, "packages", name);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, content);
        return path;
    }

    private BootRootPlan Plan(string root, params (string Installed, string Name)[] files) => new()
    {
        Root = root,
        Firmware = [BootFirmware.Bios],
        Skipped = [],
        Copies = [.. files.Select(f => new BootFileCopy(
            new BootFilePackage(f.Name, BootFirmware.Bios, "test", f.Installed, null, "test"), Path.Combine(root, f.Name)))],
        Menus = [new BootMenuFile("pxelinux.cfg/default", "DEFAULT local\n", IsKept: false), new BootMenuFile("grub/grub.cfg", "ignored", IsKept: true)],
        Missing = [],
        InstallCommands = [],
        Configuration = "",
    };

    [Fact]
    public void Apply_creates_the_root_and_copies_each_file_as_a_regular_file_readable_by_all()
    {
        var root = Path.Combine(_scratch, "root");
        var plan = Plan(root, (Package("pxelinux.0", "loader"), "pxelinux.0"));
        var log = new StringWriter();

        BootRootBuilder.Apply(plan, log);

        var copied = new FileInfo(Path.Combine(root, "pxelinux.0"));
        Assert.Null(copied.LinkTarget);
        Assert.Equal("loader", File.ReadAllText(copied.FullName));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead, copied.UnixFileMode);
        Assert.Equal("DEFAULT local\n", File.ReadAllText(Path.Combine(root, "pxelinux.cfg", "default")));
        Assert.Contains($"copied {plan.Copies[0].Source.InstalledPath} (test) to {copied.FullName}", log.ToString(), StringComparison.Ordinal);
        Assert.Equal(["pxelinux.0", "pxelinux.cfg/default"], Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(root, f)).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void A_symlinked_package_file_is_copied_as_its_content()
    {
        var root = Path.Combine(_scratch, "root");
        var target = Package("real/ldlinux.c32", "core");
        var link = Path.Combine(_scratch, "packages", "ldlinux.c32");
        File.CreateSymbolicLink(link, target);

        BootRootBuilder.Apply(Plan(root, (link, "ldlinux.c32")), TextWriter.Null);

        var copied = new FileInfo(Path.Combine(root, "ldlinux.c32"));
        Assert.Null(copied.LinkTarget);
        Assert.Equal("core", File.ReadAllText(copied.FullName));
    }

    [Fact]
    public void A_symlink_already_at_a_destination_is_replaced_and_what_it_pointed_to_is_left_alone()
    {
        var root = Path.Combine(_scratch, "root");
        Directory.CreateDirectory(root);
        var elsewhere = Package("elsewhere/secret", "do not touch");
        File.CreateSymbolicLink(Path.Combine(root, "pxelinux.0"), elsewhere);

        BootRootBuilder.Apply(Plan(root, (Package("pxelinux.0", "loader"), "pxelinux.0")), TextWriter.Null);

        Assert.Null(new FileInfo(Path.Combine(root, "pxelinux.0")).LinkTarget);
        Assert.Equal("loader", File.ReadAllText(Path.Combine(root, "pxelinux.0")));
        Assert.Equal("do not touch", File.ReadAllText(elsewhere));
    }

    [Fact]
    public void A_kept_menu_is_not_written_and_the_log_says_so()
    {
        var root = Path.Combine(_scratch, "root");
        var grub = Path.Combine(root, "grub", "grub.cfg");
        Directory.CreateDirectory(Path.GetDirectoryName(grub)!);
        File.WriteAllText(grub, "site's own menu");
        var log = new StringWriter();

        BootRootBuilder.Apply(Plan(root), log);

        Assert.Equal("site's own menu", File.ReadAllText(grub));
        Assert.Contains($"kept {grub} as it is (--force rewrites it)", log.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Apply_refuses_a_plan_with_missing_packages()
    {
        var plan = Plan(Path.Combine(_scratch, "root")) with
        {
            Missing = [new BootFilePackage("pxelinux.0", BootFirmware.Bios, "pxelinux", "/nonexistent", null, "test")],
        };

        Assert.Throws<InvalidOperationException>(() => BootRootBuilder.Apply(plan, TextWriter.Null));
        Assert.False(Directory.Exists(plan.Root));
    }

    [Fact]
    public void Unattended_adds_yes_to_apt_get_install_only()
    {
        Assert.Equal(["apt-get", "install", "-y", "--no-install-recommends", "ipxe"],
            BootRootBuilder.Unattended(["apt-get", "install", "--no-install-recommends", "ipxe"]).ToArray());
        Assert.Equal(["apt-get", "update"], BootRootBuilder.Unattended(["apt-get", "update"]).ToArray());
        Assert.Equal(["dpkg", "--add-architecture", "arm64"], BootRootBuilder.Unattended(["dpkg", "--add-architecture", "arm64"]).ToArray());
    }
}

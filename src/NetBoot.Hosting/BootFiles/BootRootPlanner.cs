using System.Collections.Immutable;
using NetBoot.Configuration.BootFiles;

namespace NetBoot.Hosting.BootFiles;

/// <summary>Decides what <c>netboot bootfiles</c> does, from the request and what exists on disk; touches nothing.</summary>
public static class BootRootPlanner
{
    /// <summary>In the order menus and configuration list them.</summary>
    public static ImmutableArray<BootFirmware> Every { get; } = [BootFirmware.Bios, BootFirmware.UefiX64, BootFirmware.UefiArm64];

    /// <summary>The <c>--arch</c> words: <c>bios</c>, <c>uefi</c> (x86-64), <c>arm64</c>.</summary>
    public static string Name(BootFirmware firmware) => firmware switch
    {
        BootFirmware.Bios => "bios",
        BootFirmware.UefiX64 => "uefi",
        BootFirmware.UefiArm64 => "arm64",
        _ => throw new ArgumentOutOfRangeException(nameof(firmware)),
    };

    public static bool TryParse(string word, out BootFirmware firmware)
    {
        foreach (var candidate in Every)
        {
            if (string.Equals(Name(candidate), word, StringComparison.OrdinalIgnoreCase))
            {
                firmware = candidate;
                return true;
            }
        }
        firmware = default;
        return false;
    }

    public static BootRootPlan Plan(BootRootRequest request, IBootFileSystem disk)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(disk);
        var skipped = ImmutableArray.CreateBuilder<SkippedFirmware>();
        var chosen = request.Firmware.IsEmpty
            ? DefaultChoice(request.HostArchitecture, disk, skipped)
            : [.. Every.Where(request.Firmware.Contains)];
        var rows = BootFilePackages.All.Where(r => chosen.Contains(r.Firmware)).ToImmutableArray();
        var missing = rows.Where(r => !disk.FileExists(r.InstalledPath)).ToImmutableArray();
        return new BootRootPlan
        {
            Root = request.Root,
            Firmware = chosen,
            Skipped = skipped.ToImmutable(),
            Copies = [.. rows.Select(r => new BootFileCopy(r, Path.Combine(request.Root, r.FileName)))],
            Menus = Menus(request, chosen, disk),
            Missing = missing,
            InstallCommands = InstallCommands(missing, request.HostArchitecture),
            Configuration = BootConfigLines.Render(request.Root, chosen, request.ProxyNetworks),
        };
    }

    /// <summary>Every firmware whose packages install on this host without another architecture, and any other
    /// whose files are already there: an amd64 host gets BIOS and x86-64 UEFI, and ARM64 once
    /// <c>grub-efi-arm64-bin:arm64</c> is installed (adding a dpkg architecture is left to an explicit <c>--arch arm64</c>).</summary>
    private static ImmutableArray<BootFirmware> DefaultChoice(
        string hostArchitecture, IBootFileSystem disk, ImmutableArray<SkippedFirmware>.Builder skipped)
    {
        var chosen = ImmutableArray.CreateBuilder<BootFirmware>();
        foreach (var firmware in Every)
        {
            var rows = BootFilePackages.All.Where(r => r.Firmware == firmware).ToImmutableArray();
            var foreign = rows.Where(r => BootFilePackages.IsForeign(r, hostArchitecture)).ToImmutableArray();
            if (foreign.IsEmpty || rows.All(r => disk.FileExists(r.InstalledPath)))
            {
                chosen.Add(firmware);
                continue;
            }
            var packages = string.Join(" ", foreign.Select(r => BootFilePackages.InstallName(r, hostArchitecture)).Distinct());
            skipped.Add(new SkippedFirmware(firmware,
                $"{packages} is not installed and is built for another architecture than this host's ({hostArchitecture}); " +
                $"add it with --arch {string.Join(",", Every.Where(f => f == firmware || chosen.Contains(f)).Select(Name))} --yes"));
        }
        return chosen.ToImmutable();
    }

    private static ImmutableArray<BootMenuFile> Menus(BootRootRequest request, ImmutableArray<BootFirmware> chosen, IBootFileSystem disk)
    {
        var menus = ImmutableArray.CreateBuilder<BootMenuFile>();
        if (chosen.Contains(BootFirmware.Bios))
        {
            menus.Add(Menu(request, disk, BootMenus.PxelinuxPath, BootMenus.Pxelinux()));
        }
        if (chosen.Contains(BootFirmware.UefiX64) || chosen.Contains(BootFirmware.UefiArm64))
        {
            menus.Add(Menu(request, disk, BootMenus.GrubPath, BootMenus.Grub()));
        }
        if (chosen.Contains(BootFirmware.UefiX64))
        {
            menus.Add(Menu(request, disk, BootMenus.IpxePath, BootMenus.Ipxe()));
        }
        return menus.ToImmutable();
    }

    private static BootMenuFile Menu(BootRootRequest request, IBootFileSystem disk, string relativePath, string text)
    {
        var exists = disk.FileExists(Path.Combine(request.Root, relativePath));
        return new BootMenuFile(relativePath, text, IsKept: exists && !request.OverwriteMenus);
    }

    /// <summary><c>dpkg --add-architecture</c> for each foreign architecture, <c>apt-get update</c> (a fresh system
    /// or a new architecture has no package lists), then one <c>apt-get install</c> of every missing package.</summary>
    public static ImmutableArray<ImmutableArray<string>> InstallCommands(ImmutableArray<BootFilePackage> missing, string hostArchitecture)
    {
        if (missing.IsEmpty)
        {
            return [];
        }
        var commands = ImmutableArray.CreateBuilder<ImmutableArray<string>>();
        foreach (var architecture in missing.Where(r => BootFilePackages.IsForeign(r, hostArchitecture))
                     .Select(r => r.PackageArchitecture!).Distinct())
        {
            commands.Add(["dpkg", "--add-architecture", architecture]);
        }
        commands.Add(["apt-get", "update"]);
        var packages = missing.Select(r => BootFilePackages.InstallName(r, hostArchitecture)).Distinct();
        commands.Add(["apt-get", "install", "--no-install-recommends", .. packages]);
        return commands.ToImmutable();
    }
}

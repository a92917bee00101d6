using System.Collections.Immutable;
using NetBoot.Configuration.BootFiles;

namespace NetBoot.Hosting.BootFiles;

/// <summary>One file to copy from its Debian package into the boot root.</summary>
public sealed record BootFileCopy(BootFilePackage Source, string Destination);

/// <summary>A generated menu: its path under the root, its text, and whether an existing file is kept instead.</summary>
public sealed record BootMenuFile(string RelativePath, string Text, bool IsKept);

/// <summary>A firmware left out of the default choice, and why (its package is for another architecture and not
/// installed).</summary>
public sealed record SkippedFirmware(BootFirmware Firmware, string Reason);

/// <summary>Everything <c>netboot bootfiles</c> will do, decided before any file is touched: the copies, the menus,
/// the packages missing (nothing is copied while one is), the commands that install them, and the configuration
/// lines that serve the result.</summary>
public sealed record BootRootPlan
{
    public required string Root { get; init; }
    public required ImmutableArray<BootFirmware> Firmware { get; init; }
    public required ImmutableArray<SkippedFirmware> Skipped { get; init; }
    public required ImmutableArray<BootFileCopy> Copies { get; init; }
    public required ImmutableArray<BootMenuFile> Menus { get; init; }
    /// <summary>Rows whose installed file is absent.</summary>
    public required ImmutableArray<BootFilePackage> Missing { get; init; }
    /// <summary>The commands (argument vectors) that install the missing packages, in order; empty when none is missing.</summary>
    public required ImmutableArray<ImmutableArray<string>> InstallCommands { get; init; }
    /// <summary>dnsmasq-syntax lines that serve this root (for <c>/etc/netboot/conf.d/</c> or dnsmasq itself).</summary>
    public required string Configuration { get; init; }

    public bool IsComplete => Missing.IsEmpty;
}

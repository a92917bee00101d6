using System.Collections.Frozen;
using NetBoot.Configuration.Model;

namespace NetBoot.Hosting.Validation;

/// <summary>Warns about the boot files a client would ask this server's TFTP for (the menu's <c>pxe-service</c> files and
/// <c>dhcp-boot</c>) that are not under the TFTP root, naming the Debian package that provides each well-known one.
/// A warning, not an error: the server starts (as dnsmasq does) and the file may be copied in later.</summary>
public static class BootFileCheck
{
    public static IEnumerable<ConfigNotice> Warnings(ServerConfig config, IConfigEnvironment machine)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(machine);
        var tftp = config.Tftp;
        // Without TFTP another server holds the files; with tftp-unique-root each client may have its own folder.
        if (!tftp.IsEnabled || tftp.UniqueRoot != TftpUniqueRoot.None)
        {
            return [];
        }
        var roots = ConfigValidator.Roots(tftp).Select(r => r.Root).Distinct(StringComparer.Ordinal).Where(machine.DirectoryExists).ToList();
        var warnings = new List<ConfigNotice>();
        var reported = new HashSet<(string, string)>();
        foreach (var (directive, name, source) in NamedFiles(config))
        {
            foreach (var root in roots)
            {
                if (!reported.Add((name, root)))
                {
                    continue;
                }
                if (Missing(name, root, tftp.LowerCase, machine) is { } message)
                {
                    warnings.Add(new ConfigNotice(ConfigNoticeKind.Warning, directive, message, source));
                }
            }
        }
        return warnings;
    }

    /// <summary>Files this server is asked for: menu entries served from here (not a local boot, not another boot server,
    /// not the Raspberry Pi entry, whose file the Pi never fetches) and <c>dhcp-boot</c> names without another TFTP
    /// server and that are not URLs (fetched over HTTP).</summary>
    private static IEnumerable<(string Directive, string Name, SourceLocation Source)> NamedFiles(ServerConfig config)
    {
        foreach (var service in config.PxeServices)
        {
            if (service.BootFileName is { } file && service.Server is null
                && !service.MenuText.StartsWith("Raspberry Pi Boot", StringComparison.Ordinal))
            {
                yield return ("pxe-service", file, service.Source);
            }
        }
        foreach (var boot in config.BootFiles)
        {
            if (boot.ServerAddress is null && !boot.FileName.Contains("://", StringComparison.Ordinal))
            {
                yield return ("dhcp-boot", boot.FileName, boot.Source);
            }
        }
    }

    /// <summary>What is missing for <paramref name="name"/> under <paramref name="root"/> (null when nothing is).</summary>
    private static string? Missing(string name, string root, bool lowerCase, IConfigEnvironment machine)
    {
        if (PathUnder(root, lowerCase ? name.ToLowerInvariant() : name) is not { } path)
        {
            return $"boot file {name} has a '..' segment: TFTP refuses such names";
        }
        if (!machine.FileExists(path))
        {
            return $"boot file {name} is not in {root}" + (Advice(name, root) is { } advice ? $": {advice}" : "");
        }
        // pxelinux.0 loads ldlinux.c32 from its own folder before anything else; without it the client stops there.
        if (IsPxelinux(name) && Path.GetDirectoryName(path) is { } folder && !machine.FileExists(Path.Combine(folder, "ldlinux.c32")))
        {
            return $"{Path.GetFileName(name)} loads ldlinux.c32 from {folder}, which is not there: {Advice("ldlinux.c32", root)}";
        }
        return null;
    }

    /// <summary>The file TFTP would open for a request naming <paramref name="name"/> (TftpPathPolicy's lexical rules: '\'
    /// is a separator, a name starting with the whole root is used as is, any other leading '/' is dropped); null
    /// for a '..' segment, which TFTP refuses.</summary>
    internal static string? PathUnder(string root, string name)
    {
        var segments = name.Replace('\\', '/').Split('/');
        if (segments.Contains(".."))
        {
            return null;
        }
        var trimmedRoot = root.Length > 1 ? root.TrimEnd('/') : root;
        var normalised = string.Join('/', segments.Where(s => s is not ("" or ".")));
        return name.StartsWith(trimmedRoot + "/", StringComparison.Ordinal)
            ? "/" + normalised
            : Path.Combine(trimmedRoot, normalised);
    }

    private static bool IsPxelinux(string name) => Path.GetFileName(name).ToLowerInvariant() is "pxelinux.0" or "lpxelinux.0";

    /// <summary>The Debian package and where it puts the file (paths from <c>dpkg -L</c> on Debian 12).</summary>
    internal static string? Advice(string name, string root)
    {
        var file = Path.GetFileName(name);
        var key = file.ToLowerInvariant();
        if (Packages.TryGetValue(key, out var advice))
        {
            return string.Format(System.Globalization.CultureInfo.InvariantCulture, advice, file, root);
        }
        return key.EndsWith(".c32", StringComparison.Ordinal)
            ? $"install the Debian package syslinux-common and copy /usr/lib/syslinux/modules/bios/{key} there"
            : null;
    }

    /// <summary>{0} is the file name as configured, {1} the TFTP root.</summary>
    private static readonly FrozenDictionary<string, string> Packages = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["pxelinux.0"] = "install the Debian package pxelinux and copy /usr/lib/PXELINUX/pxelinux.0 there as {0}, with ldlinux.c32 from syslinux-common (/usr/lib/syslinux/modules/bios/ldlinux.c32)",
        ["lpxelinux.0"] = "install the Debian package pxelinux and copy /usr/lib/PXELINUX/lpxelinux.0 there as {0}, with ldlinux.c32 from syslinux-common (/usr/lib/syslinux/modules/bios/ldlinux.c32)",
        ["undionly.kpxe"] = "install the Debian package ipxe and copy /usr/lib/ipxe/undionly.kpxe there as {0}",
        ["ipxe.efi"] = "install the Debian package ipxe and copy /usr/lib/ipxe/ipxe.efi there as {0}",
        ["snponly.efi"] = "install the Debian package ipxe and copy /usr/lib/ipxe/snponly.efi there as {0}",
        ["bootx64.efi"] = "install the Debian package shim-signed and copy /usr/lib/shim/shimx64.efi.signed there as {0}; it loads grubx64.efi (grub-efi-amd64-signed) from the same folder",
        ["shimx64.efi"] = "install the Debian package shim-signed and copy /usr/lib/shim/shimx64.efi.signed there as {0}",
        ["grubx64.efi"] = "install the Debian package grub-efi-amd64-signed and copy /usr/lib/grub/x86_64-efi-signed/grubnetx64.efi.signed there as {0}",
        ["grubnetx64.efi"] = "install the Debian package grub-efi-amd64-signed and copy /usr/lib/grub/x86_64-efi-signed/grubnetx64.efi.signed there as {0}",
        ["grubaa64.efi"] = "install the Debian package grub-efi-arm64-bin and build a network GRUB image (grub-mknetdir --net-directory={1}, or grub-mkimage -O arm64-efi) to copy there as {0}",
        ["bootaa64.efi"] = "install the Debian package grub-efi-arm64-bin and build a network GRUB image (grub-mknetdir --net-directory={1}, or grub-mkimage -O arm64-efi) to copy there as {0}",
        ["core.0"] = "install the Debian package grub-pc-bin and run grub-mknetdir --net-directory={1}, which writes boot/grub/i386-pc/core.0",
    }.ToFrozenDictionary(StringComparer.Ordinal);
}

using System.Collections.Immutable;
using System.CommandLine;
using System.Runtime.InteropServices;
using NetBoot.Configuration.BootFiles;
using NetBoot.Hosting;
using NetBoot.Hosting.BootFiles;
using NetBoot.Hosting.Net;

namespace NetBoot.Cli.Commands;

/// <summary><c>netboot bootfiles DIR [--arch bios,uefi,arm64] [--yes] [--force]</c>: fills a boot root from the
/// installed Debian packages (PXELINUX, shim and network GRUB, iPXE), writes the menus and prints the configuration
/// lines that serve it. Progress goes to standard error, the configuration alone to standard output, so
/// <c>netboot bootfiles /srv/tftp &gt; /etc/netboot/conf.d/boot.conf</c> works.</summary>
internal static class BootfilesCommand
{
    public static Command Create()
    {
        var directory = new Argument<string>("DIR") { Description = "the boot root to fill (the tftp-root to serve), created if missing" };
        var architectures = new Option<string[]>("--arch")
        {
            Description = "firmware to serve: bios, uefi (x86-64), arm64; comma-separated or repeated (default: what installs on this host, and arm64 once installed)",
            HelpName = "bios,uefi,arm64",
        };
        var yes = new Option<bool>("--yes", "-y") { Description = "install missing Debian packages with apt-get instead of printing the command" };
        var force = new Option<bool>("--force") { Description = "rewrite pxelinux.cfg/default and grub/grub.cfg even if they exist" };
        var command = new Command("bootfiles", "Fill a boot root from Debian's boot loader packages and print the configuration that serves it.");
        command.Arguments.Add(directory);
        command.Options.Add(architectures);
        command.Options.Add(yes);
        command.Options.Add(force);
        command.SetAction(result =>
        {
            if (!TryParseFirmware(result.GetValue(architectures) ?? [], out var firmware, out var error))
            {
                Console.Error.WriteLine("netboot: bootfiles: " + error);
                return 2;
            }
            var request = new BootRootRequest
            {
                Root = Path.GetFullPath(result.GetValue(directory)!),
                Firmware = firmware,
                HostArchitecture = HostArchitecture(),
                ProxyNetworks = DefaultConfiguration.ProxyNetworks(HostInterface.Enumerate()),
                OverwriteMenus = result.GetValue(force),
            };
            return Run(request, result.GetValue(yes), LocalBootFileSystem.Instance, Console.Out, Console.Error);
        });
        return command;
    }

    internal static int Run(BootRootRequest request, bool install, IBootFileSystem disk, TextWriter output, TextWriter error)
    {
        var plan = BootRootPlanner.Plan(request, disk);
        if (!plan.IsComplete && install)
        {
            var exitCode = BootRootBuilder.InstallMissing(plan, error);
            if (exitCode != 0)
            {
                error.WriteLine($"netboot: bootfiles: installing the missing packages failed (exit code {exitCode})");
                return 1;
            }
            plan = BootRootPlanner.Plan(request, disk);
        }
        if (!plan.IsComplete)
        {
            error.Write(DescribeMissing(plan));
            return 1;
        }
        try
        {
            BootRootBuilder.Apply(plan, error);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            error.WriteLine($"netboot: bootfiles: {e.Message}");
            return 1;
        }
        foreach (var skipped in plan.Skipped)
        {
            error.WriteLine($"netboot: bootfiles: {BootRootPlanner.Name(skipped.Firmware)} left out: {skipped.Reason}");
        }
        error.WriteLine($"netboot: bootfiles: {plan.Root} is ready; the configuration that serves it follows on standard output");
        error.WriteLine($"netboot: bootfiles: (to keep it: netboot bootfiles {plan.Root} > /etc/netboot/conf.d/bootfiles.conf)");
        output.Write(plan.Configuration);
        return 0;
    }

    /// <summary>Which files are missing, from which package, and the exact commands that install them. Nothing is
    /// copied while a file is missing, so a half-filled root is never served.</summary>
    internal static string DescribeMissing(BootRootPlan plan)
    {
        var text = new System.Text.StringBuilder();
        text.Append($"netboot: bootfiles: {plan.Missing.Length} boot file{(plan.Missing.Length == 1 ? " is" : "s are")} not installed; nothing was copied:\n");
        foreach (var row in plan.Missing)
        {
            text.Append($"  {row.FileName}: {row.InstalledPath} (package {row.Package})\n");
        }
        text.Append("netboot: bootfiles: install them as root with the commands below, or run again with --yes:\n");
        foreach (var command in plan.InstallCommands)
        {
            text.Append("  ").Append(string.Join(' ', command)).Append('\n');
        }
        return text.ToString();
    }

    internal static bool TryParseFirmware(IEnumerable<string> values, out ImmutableArray<BootFirmware> firmware, out string error)
    {
        var chosen = ImmutableArray.CreateBuilder<BootFirmware>();
        foreach (var word in values.SelectMany(v => v.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)))
        {
            if (!BootRootPlanner.TryParse(word, out var one))
            {
                firmware = [];
                error = $"unknown --arch '{word}': use bios, uefi or arm64";
                return false;
            }
            if (!chosen.Contains(one))
            {
                chosen.Add(one);
            }
        }
        firmware = chosen.ToImmutable();
        error = "";
        return true;
    }

    /// <summary>The host's Debian architecture name, as <c>dpkg --print-architecture</c> gives it.</summary>
    internal static string HostArchitecture() => RuntimeInformation.OSArchitecture switch
    {
        Architecture.X64 => "amd64",
        Architecture.Arm64 => "arm64",
        Architecture.X86 => "i386",
        Architecture.Arm => "armhf",
        var other => other.ToString().ToLowerInvariant(),
    };
}

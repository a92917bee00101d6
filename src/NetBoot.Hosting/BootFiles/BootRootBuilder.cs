using System.Collections.Immutable;
using System.Diagnostics;

namespace NetBoot.Hosting.BootFiles;

/// <summary>Carries out a <see cref="BootRootPlan"/>: copies the boot files into the root and writes the menus,
/// or installs the missing packages. Files are copied, never linked: TFTP (NetBoot's and dnsmasq's) refuses a
/// symlink that leads out of the root. Each file is written beside its final name and renamed into place, so a
/// client booting meanwhile gets the old file or the new one, never half of one.</summary>
public static class BootRootBuilder
{
    private const UnixFileMode ReadableByAll =
        UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead;

    private const UnixFileMode SearchableByAll = ReadableByAll | UnixFileMode.UserExecute
        | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute;

    /// <summary>Copies every file and writes every menu not kept; one line per file on <paramref name="log"/>.
    /// The plan must be complete (no package missing).</summary>
    public static void Apply(BootRootPlan plan, TextWriter log)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(log);
        if (!plan.IsComplete)
        {
            throw new InvalidOperationException("the boot root plan still misses packages: " +
                string.Join(" ", plan.Missing.Select(r => r.Package).Distinct()));
        }
        CreateDirectory(plan.Root);
        foreach (var copy in plan.Copies)
        {
            using (var source = File.OpenRead(copy.Source.InstalledPath))
            {
                Replace(copy.Destination, source);
            }
            log.WriteLine($"copied {copy.Source.InstalledPath} ({copy.Source.Package}) to {copy.Destination}");
        }
        foreach (var menu in plan.Menus)
        {
            var path = Path.Combine(plan.Root, menu.RelativePath);
            if (menu.IsKept)
            {
                log.WriteLine($"kept {path} as it is (--force rewrites it)");
                continue;
            }
            CreateDirectory(Path.GetDirectoryName(path)!);
            using (var text = new MemoryStream(System.Text.Encoding.UTF8.GetBytes(menu.Text)))
            {
                Replace(path, text);
            }
            log.WriteLine($"wrote {path}");
        }
    }

    /// <summary>Runs the plan's install commands as they are printed, with <c>-y</c> and no questions; stops at the
    /// first that fails and returns its exit code (0 when all succeed).</summary>
    public static int InstallMissing(BootRootPlan plan, TextWriter log)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(log);
        foreach (var command in plan.InstallCommands)
        {
            var unattended = Unattended(command);
            log.WriteLine("running: " + string.Join(' ', unattended));
            // Their output goes to the log: standard output carries only the configuration lines.
            var start = new ProcessStartInfo(unattended[0]) { UseShellExecute = false, RedirectStandardOutput = true };
            foreach (var argument in unattended.Skip(1))
            {
                start.ArgumentList.Add(argument);
            }
            start.Environment["DEBIAN_FRONTEND"] = "noninteractive";
            using var process = Process.Start(start)!;
            process.OutputDataReceived += (_, line) =>
            {
                if (line.Data is not null)
                {
                    log.WriteLine(line.Data);
                }
            };
            process.BeginOutputReadLine();
            process.WaitForExit();
            if (process.ExitCode != 0)
            {
                log.WriteLine($"{unattended[0]} exited with {process.ExitCode}");
                return process.ExitCode;
            }
        }
        return 0;
    }

    /// <summary><c>apt-get install -y</c>; other commands as they are.</summary>
    public static ImmutableArray<string> Unattended(ImmutableArray<string> command) =>
        command.Length > 1 && command[0] == "apt-get" && command[1] == "install"
            ? [command[0], command[1], "-y", .. command[2..]]
            : command;

    private static void Replace(string destination, Stream content)
    {
        var temporary = $"{destination}.netboot-{Environment.ProcessId}.tmp";
        try
        {
            using (var output = new FileStream(temporary, new FileStreamOptions
            {
                Mode = FileMode.CreateNew,
                Access = FileAccess.Write,
            }))
            {
                content.CopyTo(output);
            }
            // Whatever the umask, a root's files must be readable by the server's own user.
            SetMode(temporary, ReadableByAll);
            File.Move(temporary, destination, overwrite: true);
        }
        finally
        {
            File.Delete(temporary);
        }
    }

    private static void CreateDirectory(string path)
    {
        if (!Directory.Exists(path))
        {
            Directory.CreateDirectory(path);
            SetMode(path, SearchableByAll);
        }
    }

    private static void SetMode(string path, UnixFileMode mode)
    {
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, mode);
        }
    }
}

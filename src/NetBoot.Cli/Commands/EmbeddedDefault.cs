using NetBoot.Configuration.Model;
using NetBoot.Configuration.Parsing;
using NetBoot.Hosting;
using NetBoot.Hosting.Net;

namespace NetBoot.Cli.Commands;

/// <summary>The configuration used when none is given: generated for this host's interfaces and parsed in memory under
/// the name <see cref="FileName"/> (errors and <c>check</c> point at its lines; nothing is written anywhere). Its TFTP
/// folder, <c>./tftpboot</c>, is created by <c>serve</c> only (<see cref="CreateTftpRoot"/>).</summary>
internal static class EmbeddedDefault
{
    /// <summary>The name its lines are reported under: <c>at line 4 of (embedded default)</c>.</summary>
    public const string FileName = "(embedded default)";

    /// <summary><c>./tftpboot</c> as an absolute path (the working directory of this process).</summary>
    public static string TftpRoot => Path.GetFullPath(DefaultConfiguration.TftpFolderName);

    public static string Text() => DefaultConfiguration.Generate(HostInterface.Enumerate(), TftpRoot);

    public static ConfigLoadResult Parse(string text) => DnsmasqConfigReader.Parse(text, FileName);

    /// <summary>What <c>check</c> and <c>serve</c> print before using it: the text, so it can be saved and edited.</summary>
    public static string Note(string text) =>
        $"netboot: no configuration given; using the embedded default (save it to a file and pass -C FILE to change it):\n{text}";

    /// <summary><c>serve</c>: creates the TFTP folder; null on success, else the one line saying what, where and what to do.</summary>
    public static ConfigDiagnostic? CreateTftpRoot(string root)
    {
        try
        {
            Directory.CreateDirectory(root);
            return null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return CannotCreate(root, e is UnauthorizedAccessException ? "Permission denied" : e.Message);
        }
    }

    /// <summary><c>check</c> and <c>serve --test</c>: whether <c>serve</c> could create the folder, without creating it
    /// (the nearest existing ancestor must be a folder this user may write and enter).</summary>
    public static ConfigDiagnostic? CheckTftpRootCanBeCreated(string root)
    {
        var ancestor = root;
        while (!Directory.Exists(ancestor))
        {
            if (File.Exists(ancestor))
            {
                return CannotCreate(root, $"{ancestor} is a file");
            }
            ancestor = Path.GetDirectoryName(ancestor);
            if (ancestor is null)
            {
                return null;
            }
        }
        return ancestor == root || Native.access(ancestor, Native.WriteAndSearch) == 0 ? null : CannotCreate(root, "Permission denied");
    }

    private static ConfigDiagnostic CannotCreate(string root, string reason) =>
        new($"cannot create {root}, the TFTP folder of the embedded default ({reason}): run netboot from a folder it may write to, or give a configuration with -C FILE",
            SourceLocation.CommandLine) { IsFileError = true };

    private static class Native
    {
        public const int WriteAndSearch = 2 | 1;

#pragma warning disable SYSLIB1054, CA5392, CA2101 // DllImport as elsewhere in NetBoot (no AllowUnsafeBlocks for LibraryImport).
        [System.Runtime.InteropServices.DllImport("libc", CharSet = System.Runtime.InteropServices.CharSet.Ansi, BestFitMapping = false, ThrowOnUnmappableChar = true)]
        public static extern int access(string path, int mode);
#pragma warning restore SYSLIB1054, CA5392, CA2101
    }
}

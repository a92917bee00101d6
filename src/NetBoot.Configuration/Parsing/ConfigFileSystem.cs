namespace NetBoot.Configuration.Parsing;

/// <summary>The file-system edge of the reader, with failures as dnsmasq words them (<c>strerror</c> texts).</summary>
internal static class ConfigFileSystem
{
    public static bool TryReadText(string path, out string text, out string reason)
    {
        text = "";
        reason = "";
        try
        {
            if (Directory.Exists(path))
            {
                reason = "Is a directory";
                return false;
            }
            text = File.ReadAllText(path);
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            reason = Describe(e);
            return false;
        }
    }

    /// <summary>Names of the regular files in a directory (symbolic links followed, as dnsmasq's <c>stat</c> does).</summary>
    public static bool TryListFiles(string directory, out List<string> names, out string reason)
    {
        names = [];
        reason = "";
        try
        {
            foreach (var entry in new DirectoryInfo(directory).EnumerateFileSystemInfos())
            {
                if (IsRegularFile(entry))
                {
                    names.Add(entry.Name);
                }
            }
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            reason = Describe(e);
            return false;
        }
    }

    private static bool IsRegularFile(FileSystemInfo entry)
    {
        if (entry.LinkTarget is null)
        {
            return entry is FileInfo;
        }
        var target = entry.ResolveLinkTarget(returnFinalTarget: true);
        return target is FileInfo { Exists: true };
    }

    public static string ResolveLinks(string fullPath)
    {
        try
        {
            return File.ResolveLinkTarget(fullPath, returnFinalTarget: true)?.FullName ?? fullPath;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return fullPath;
        }
    }

    private static string Describe(Exception e) => e switch
    {
        FileNotFoundException or DirectoryNotFoundException => "No such file or directory",
        UnauthorizedAccessException => "Permission denied",
        _ => e.Message,
    };
}

namespace NetBoot.Hosting.BootFiles;

/// <summary>What the planner needs to know of the disk: whether a file exists. Tests give a fake.</summary>
public interface IBootFileSystem
{
    bool FileExists(string path);
}

/// <summary>The real disk.</summary>
public sealed class LocalBootFileSystem : IBootFileSystem
{
    public static LocalBootFileSystem Instance { get; } = new();

    public bool FileExists(string path) => File.Exists(path);
}

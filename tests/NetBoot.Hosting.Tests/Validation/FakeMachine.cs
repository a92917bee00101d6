using NetBoot.Hosting.Validation;
using NetBoot.Wire.Net;

namespace NetBoot.Hosting.Tests.Validation;

/// <summary>A machine described by lists: the folders and files that exist, the accounts, this host's addresses.</summary>
internal sealed class FakeMachine : IConfigEnvironment
{
    public HashSet<string> Directories { get; } = new(StringComparer.Ordinal) { "/" };
    public HashSet<string> Files { get; } = new(StringComparer.Ordinal);
    public HashSet<string> Users { get; } = new(StringComparer.Ordinal) { "root", "netboot" };
    public HashSet<string> Groups { get; } = new(StringComparer.Ordinal) { "root", "netboot" };
    public HashSet<IPv4Address> Addresses { get; } = [IPv4Address.Parse("192.168.1.10")];
    public Dictionary<string, string> Environment { get; } = new(StringComparer.Ordinal);
    public Dictionary<string, string> PasswordFileProblems { get; } = new(StringComparer.Ordinal);

    /// <summary>Adds the folder and its parents.</summary>
    public FakeMachine WithDirectory(string path)
    {
        for (var folder = path; !string.IsNullOrEmpty(folder); folder = Path.GetDirectoryName(folder))
        {
            Directories.Add(folder);
        }
        return this;
    }

    /// <summary>Adds the file and its folders.</summary>
    public FakeMachine WithFile(string path)
    {
        Files.Add(path);
        return WithDirectory(Path.GetDirectoryName(path)!);
    }

    public bool DirectoryExists(string path) => Directories.Contains(path);

    public bool FileExists(string path) => Files.Contains(path);

    public bool UserExists(string name) => Users.Contains(name);

    public bool GroupExists(string name) => Groups.Contains(name);

    public bool IsLocalAddress(IPv4Address address) => Addresses.Contains(address);

    public string? GetEnvironmentVariable(string name) => Environment.GetValueOrDefault(name);

    public string? PasswordFileProblem(string path) => PasswordFileProblems.GetValueOrDefault(path);
}

using NetBoot.Configuration.BootFiles;
using NetBoot.Hosting.BootFiles;

namespace NetBoot.Hosting.Tests.BootFiles;

/// <summary>A disk that holds exactly the files it is given.</summary>
internal sealed class FakeBootFileSystem(IEnumerable<string> files) : IBootFileSystem
{
    private readonly HashSet<string> _files = [.. files];

    /// <summary>Every package of the table installed, except the rows of the firmware named.</summary>
    public static FakeBootFileSystem Installed(params BootFirmware[] except) =>
        new(BootFilePackages.All.Where(r => !except.Contains(r.Firmware)).Select(r => r.InstalledPath));

    public static FakeBootFileSystem Empty { get; } = new([]);

    public FakeBootFileSystem With(params string[] more) => new(_files.Concat(more));

    public FakeBootFileSystem Without(params string[] gone) => new(_files.Except(gone));

    public bool FileExists(string path) => _files.Contains(path);
}

namespace NetBoot.Testing;

/// <summary>Locates the repository's folders from a test's working directory.</summary>
public static class TestPaths
{
    public static string RepositoryRoot { get; } = FindRoot();

    public static string TestData => Path.Combine(RepositoryRoot, "testdata");

    /// <summary>The project's shared folder, which CI lays beside the clone (<c>../shared</c>);
    /// <c>NETBOOT_SHARED</c> overrides. Tests over the whole corpus read it; a missing folder fails them loudly.</summary>
    public static string Shared =>
        Environment.GetEnvironmentVariable("NETBOOT_SHARED") is { Length: > 0 } env ? env
        : Path.GetFullPath(Path.Combine(RepositoryRoot, "..", "shared"));

    public static string SharedCorpus => Path.Combine(Shared, "corpus");

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "NetBoot.slnx")))
            {
                return dir.FullName;
            }
        }
        throw new InvalidOperationException("NetBoot.slnx not found above " + AppContext.BaseDirectory);
    }
}

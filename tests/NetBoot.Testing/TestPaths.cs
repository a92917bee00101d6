namespace NetBoot.Testing;

/// <summary>Locates the repository's folders from a test's working directory.</summary>
public static class TestPaths
{
    public static string RepositoryRoot { get; } = FindRoot();

    public static string TestData => Path.Combine(RepositoryRoot, "testdata");

    /// <summary>The reference configurations from the field (<c>testdata/examples/*.conf</c>).</summary>
    public static string Examples => Path.Combine(TestData, "examples");

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

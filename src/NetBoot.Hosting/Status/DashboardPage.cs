namespace NetBoot.Hosting.Status;

/// <summary>The dashboard's single self-contained HTML page (inline CSS and JavaScript), embedded in the assembly.</summary>
internal static class DashboardPage
{
    public const string ResourceName = "NetBoot.Hosting.Status.dashboard.html";

    public static Stream Open() =>
        typeof(DashboardPage).Assembly.GetManifestResourceStream(ResourceName)
        ?? throw new InvalidOperationException($"resource {ResourceName} missing from the build");
}

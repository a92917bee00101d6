using System.Xml.Linq;
using NetBoot.Testing;

namespace NetBoot.Cli.Tests;

/// <summary>DESIGN.md's dependency rule: Wire ← Configuration ← Engine ← Leases (← Leases.Postgres) ← Hosting ← Cli, and a
/// pure engine (checked over the compiled assemblies by <see cref="PurityTests"/>).</summary>
public class ArchitectureTests
{
    public static TheoryData<string, string[]> AllowedReferences => new()
    {
        { "NetBoot.Wire", [] },
        { "NetBoot.Configuration", ["NetBoot.Wire"] },
        { "NetBoot.Engine", ["NetBoot.Configuration"] },
        { "NetBoot.Leases", ["NetBoot.Engine"] },
        { "NetBoot.Leases.Postgres", ["NetBoot.Leases"] },
        { "NetBoot.Hosting", ["NetBoot.Leases"] },
        // Only the executable picks the PostgreSQL store; Hosting sees ILeaseStore and never Npgsql.
        { "NetBoot.Cli", ["NetBoot.Hosting", "NetBoot.Leases.Postgres"] },
    };

    [Theory]
    [MemberData(nameof(AllowedReferences))]
    public void Project_references_follow_the_layering(string project, string[] allowed)
    {
        var csproj = XDocument.Load(Path.Combine(TestPaths.RepositoryRoot, "src", project, project + ".csproj"));
        var references = csproj.Descendants("ProjectReference")
            .Select(r => Path.GetFileNameWithoutExtension(r.Attribute("Include")!.Value))
            .ToArray();
        Assert.Equal(allowed.Order(), references.Order());
    }
}

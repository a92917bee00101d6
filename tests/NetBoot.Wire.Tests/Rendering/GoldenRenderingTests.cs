using System.Text;
using NetBoot.Testing;
using NetBoot.Wire.Rendering;

namespace NetBoot.Wire.Tests.Rendering;

/// <summary>Every capture of <c>testdata/pcap/**</c> and <c>testdata/lab/*/capture.pcap</c> renders exactly as its
/// golden file <c>testdata/golden/&lt;path under testdata with / as __&gt;.txt</c>. Run with
/// <c>NETBOOT_UPDATE_GOLDEN=1</c> to rewrite the goldens, then read the diff before committing.</summary>
public class GoldenRenderingTests
{
    private const string TestDataPrefix = "testdata/";

    private static bool Updating => Environment.GetEnvironmentVariable("NETBOOT_UPDATE_GOLDEN") == "1";

    private static string GoldenFolder => Path.Combine(TestPaths.TestData, "golden");

    /// <summary>Keys <c>testdata/…</c> of the captures in the repository (the shared corpus is not needed here).</summary>
    public static IEnumerable<object[]> Captures() =>
        Directory.EnumerateFiles(Path.Combine(TestPaths.TestData, "pcap"), "*", SearchOption.AllDirectories)
            .Where(p => p.EndsWith(".pcap", StringComparison.Ordinal) || p.EndsWith(".pcapng", StringComparison.Ordinal))
            .Concat(Directory.EnumerateFiles(Path.Combine(TestPaths.TestData, "lab"), "capture.pcap", SearchOption.AllDirectories))
            .Select(p => TestDataPrefix + Path.GetRelativePath(TestPaths.TestData, p).Replace(Path.DirectorySeparatorChar, '/'))
            .Order(StringComparer.Ordinal)
            .Select(k => new object[] { k });

    /// <summary><c>testdata/pcap/dhcp/x.pcap</c> → <c>pcap__dhcp__x.pcap.txt</c>.</summary>
    public static string GoldenName(string key) => key[TestDataPrefix.Length..].Replace("/", "__", StringComparison.Ordinal) + ".txt";

    [Theory]
    [MemberData(nameof(Captures))]
    public void Capture_renders_as_its_golden_file(string key)
    {
        var rendering = CaptureRenderer.Render(File.ReadAllBytes(Path.Combine(TestPaths.RepositoryRoot, key)), key);
        var golden = Path.Combine(GoldenFolder, GoldenName(key));

        if (Updating)
        {
            Directory.CreateDirectory(GoldenFolder);
            File.WriteAllText(golden, rendering.Text, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false));
        }

        Assert.True(rendering.IsReadable, rendering.Text);
        Assert.True(File.Exists(golden), $"no golden file {golden}; run the tests with NETBOOT_UPDATE_GOLDEN=1 and review it");
        Assert.Equal(File.ReadAllText(golden).ReplaceLineEndings("\n"), rendering.Text);
    }

    [Fact]
    public void Every_golden_file_belongs_to_a_capture()
    {
        var expected = Captures().Select(row => GoldenName((string)row[0])).ToHashSet(StringComparer.Ordinal);
        var stale = Directory.EnumerateFiles(GoldenFolder, "*.txt").Select(Path.GetFileName).Where(n => !expected.Contains(n!)).ToList();

        Assert.Empty(stale);
    }
}

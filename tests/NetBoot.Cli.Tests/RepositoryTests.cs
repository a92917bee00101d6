using System.Text.RegularExpressions;
using NetBoot.Testing;

namespace NetBoot.Cli.Tests;

/// <summary>The repository stands alone: a clone anywhere has everything its tests, scripts and documents read. No file
/// refers to the project's shared folder beside the clone or to an absolute path of the machine it was written on.</summary>
public sealed partial class RepositoryTests
{
    private static readonly string[] SkippedFolders = [".git", "bin", "obj", "artifacts", "node_modules", "TestResults"];

    /// <summary>The shared folder beside the clone, or an absolute home, root or work folder that is not part of a longer
    /// relative path such as <c>base/root/</c>.</summary>
    [GeneratedRegex(@"\.\./shared\b|(?<![\w.\-/])/(work|home|root)/")]
    private static partial Regex OutsideReference();

    public static IEnumerable<string> TextFiles()
    {
        var pending = new Stack<DirectoryInfo>([new DirectoryInfo(TestPaths.RepositoryRoot)]);
        while (pending.TryPop(out var directory))
        {
            foreach (var child in directory.EnumerateDirectories())
            {
                if (!SkippedFolders.Contains(child.Name) && !child.Attributes.HasFlag(FileAttributes.ReparsePoint))
                {
                    pending.Push(child);
                }
            }
            foreach (var file in directory.EnumerateFiles())
            {
                // A worktree's .git is a file naming the main checkout: git's, not the repository's content.
                if (file.Name != ".git" && file.Length < 4 << 20 && !IsBinary(file.FullName))
                {
                    yield return file.FullName;
                }
            }
        }
    }

    private static bool IsBinary(string path)
    {
        Span<byte> head = stackalloc byte[4096];
        using var stream = File.OpenRead(path);
        var read = stream.Read(head);
        return head[..read].Contains((byte)0);
    }

    [Fact]
    public void No_file_refers_to_a_folder_outside_the_repository_or_to_a_machines_absolute_path()
    {
        var offending = new List<string>();
        foreach (var path in TextFiles())
        {
            var lineNumber = 0;
            foreach (var line in File.ReadLines(path))
            {
                lineNumber++;
                if (OutsideReference().IsMatch(line))
                {
                    offending.Add($"{Path.GetRelativePath(TestPaths.RepositoryRoot, path)}:{lineNumber}: {line.Trim()}");
                }
            }
        }

        Assert.True(offending.Count == 0, "outside references:\n" + string.Join('\n', offending));
    }

    [Fact]
    public void The_scan_sees_the_sources_tests_scripts_and_documents()
    {
        var files = TextFiles().Select(p => Path.GetRelativePath(TestPaths.RepositoryRoot, p).Replace('\\', '/')).ToHashSet();

        Assert.Contains("README.md", files);
        Assert.Contains("scripts/test", files);
        Assert.Contains("src/NetBoot.Cli/Program.cs", files);
        Assert.Contains("testdata/examples/ltsp.conf", files);
        Assert.Contains("tests/NetBoot.Cli.Tests/RepositoryTests.cs", files);
    }

    [Fact]
    public void The_pattern_catches_outside_references_and_spares_relative_paths()
    {
        // Written in pieces, so that this file does not match itself.
        Assert.Matches(OutsideReference(), "see .." + "/shared/examples/ltsp.conf");
        Assert.Matches(OutsideReference(), "cp /" + "work/shared/examples/ltsp.conf .");
        Assert.Matches(OutsideReference(), "\"/" + "home/alice/netboot\"");
        Assert.DoesNotMatch(OutsideReference(), "base/root/pxelinux.0");
        Assert.DoesNotMatch(OutsideReference(), "/var/lib/tftpboot and /tmp/netboot-lab");
    }
}

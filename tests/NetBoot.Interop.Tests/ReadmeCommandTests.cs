using System.Text.RegularExpressions;
using NetBoot.Interop.Tests.Lab;
using NetBoot.Interop.Tests.Servers;
using NetBoot.Testing;
using Xunit.Abstractions;

namespace NetBoot.Interop.Tests;

/// <summary>
/// Every command of the README's <c>sh</c> blocks runs as shown (README, "About this README"): from the repository's
/// root, with the netboot under test first on PATH and a leading <c>sudo</c> dropped (these tests run as root); each must
/// exit 0. A <c>serve</c> runs in a throw-away network namespace with one veth pair (so the embedded default has a subnet
/// to serve) and is stopped once it logs that it started. Blocks marked <c>&lt;!-- readme-test: skip: REASON --&gt;</c>
/// are left out, and the test checks that each gives its reason.
/// </summary>
[Trait("Category", "Interop")]
public sealed partial class ReadmeCommandTests(ITestOutputHelper output)
{
    private static readonly TimeSpan CommandTimeout = TimeSpan.FromMinutes(4);

    public static TheoryData<string> Commands() => [.. ReadmeBlocks.RunnableCommands()];

    [Theory]
    [MemberData(nameof(Commands))]
    public async Task The_command_runs_as_shown(string command)
    {
        var line = command.StartsWith("sudo ", StringComparison.Ordinal) ? command["sudo ".Length..] : command;
        if (ServeCommand().IsMatch(line))
        {
            await RunServeAsync(line);
            return;
        }
        using var process = WatchedProcess.Start("bash", ["-c", line], TestPaths.RepositoryRoot, await EnvironmentAsync());
        var code = await process.WaitForExitAsync(CommandTimeout);
        output.WriteLine($"$ {line}\n{process.Output}");
        Assert.True(code == 0, $"README: `{command}` exited {code}:\n{process.Output}");
    }

    [Fact]
    public void The_readme_runs_commands_and_every_skipped_block_says_why()
    {
        Assert.True(ReadmeBlocks.RunnableCommands().Count >= 4, "the README shows commands to run");
        Assert.All(ReadmeBlocks.SkipMarks(), reason => Assert.Matches(@"^\S.{9,}", reason));
    }

    /// <summary><c>serve</c>: in a namespace of its own, stopped (with its process tree) once it logged "started".</summary>
    private async Task RunServeAsync(string line)
    {
        using var netns = NetworkNamespace.Create("nbreadme");
        NetworkNamespace.Link(netns, "lan0", "10.78.0.2/24", netns, "lan1", "10.78.0.3/24");
        // The embedded default serves TFTP from ./tftpboot: remove it afterwards unless it was there before.
        var tftpboot = Path.Combine(TestPaths.RepositoryRoot, "tftpboot");
        var hadTftpboot = Directory.Exists(tftpboot);
        try
        {
            using var server = WatchedProcess.Start("ip", ["netns", "exec", netns.Name, "bash", "-c", line], TestPaths.RepositoryRoot, await EnvironmentAsync());
            try
            {
                await server.WaitForLineAsync(Started(), CommandTimeout);
            }
            finally
            {
                output.WriteLine($"$ {line}\n{server.Output}");
            }
        }
        finally
        {
            if (!hadTftpboot && Directory.Exists(tftpboot))
            {
                Directory.Delete(tftpboot, recursive: true);
            }
        }
    }

    private static async Task<Dictionary<string, string>> EnvironmentAsync() => new()
    {
        ["PATH"] = await NetBootServer.PublishDirectoryAsync() + ":" + Environment.GetEnvironmentVariable("PATH"),
    };

    [GeneratedRegex(@"(^|\s)(netboot|--) serve\b")]
    private static partial Regex ServeCommand();

    [GeneratedRegex(@"netboot: started, version")]
    private static partial Regex Started();
}

/// <summary>The README's fenced <c>sh</c> blocks and their skip marks.</summary>
public static partial class ReadmeBlocks
{
    private static string Readme => File.ReadAllText(Path.Combine(TestPaths.RepositoryRoot, "README.md"));

    /// <summary>Every command line of the blocks that are not marked to be skipped.</summary>
    public static IReadOnlyList<string> RunnableCommands() =>
        [.. Blocks().Where(b => b.SkipReason is null).SelectMany(b => b.Lines)];

    /// <summary>The reasons given by the skip marks in front of blocks.</summary>
    public static IReadOnlyList<string> SkipMarks() => [.. Blocks().Where(b => b.SkipReason is not null).Select(b => b.SkipReason!)];

    private static IEnumerable<(string? SkipReason, string[] Lines)> Blocks()
    {
        var readme = Readme;
        foreach (Match block in ShBlock().Matches(readme))
        {
            var before = readme[..block.Index].TrimEnd('\n').Split('\n')[^1];
            var skip = SkipMark().Match(before);
            var lines = block.Groups["body"].Value.Split('\n')
                .Select(l => l.Trim()).Where(l => l.Length > 0 && !l.StartsWith('#')).ToArray();
            yield return (skip.Success ? skip.Groups["reason"].Value.Trim() : null, lines);
        }
    }

    [GeneratedRegex(@"^```sh\n(?<body>.*?)^```$", RegexOptions.Multiline | RegexOptions.Singleline)]
    private static partial Regex ShBlock();

    [GeneratedRegex(@"^<!-- readme-test: skip: (?<reason>.*) -->$")]
    private static partial Regex SkipMark();
}

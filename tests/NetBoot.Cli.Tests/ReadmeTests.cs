using System.CommandLine;
using System.Text.RegularExpressions;
using NetBoot.Cli.Commands;
using NetBoot.Testing;

namespace NetBoot.Cli.Tests;

/// <summary>The README matches the product: its Commands table lists exactly the commands the program has, with options
/// they take, and every <c>netboot …</c> command written inline in its prose parses without an error. (The commands of its
/// <c>sh</c> blocks are run by tests/NetBoot.Interop.Tests/ReadmeCommandTests.cs.)</summary>
public sealed partial class ReadmeTests
{
    /// <summary>Commands the README announces that another branch adds (issue 16: <c>bootfiles</c>). Each must not be
    /// registered yet: once it is, this test fails so that the entry is removed and the table checked in full.</summary>
    private static readonly string[] PendingCommands = [];

    private static string Readme => File.ReadAllText(Path.Combine(TestPaths.RepositoryRoot, "README.md"));

    [Fact]
    public void The_commands_table_lists_every_command_the_program_has_and_no_other()
    {
        var listed = TableRows().Select(r => r.Command).ToList();
        var registered = CliRun.RunnableCommandPaths();

        Assert.Equal(listed.Distinct().Count(), listed.Count);
        Assert.Empty(registered.Except(listed));
        Assert.Equal(PendingCommands, listed.Except(registered).ToArray());
        Assert.Empty(PendingCommands.Intersect(registered));
    }

    [Fact]
    public void Every_option_a_table_row_shows_is_an_option_of_that_command()
    {
        var root = NetBootCommandLine.Build();
        foreach (var (command, synopsis) in TableRows().Where(r => !PendingCommands.Contains(r.Command)))
        {
            var target = Find(root, command);
            var names = HelpText.VisibleOptions(target).SelectMany(o => o.Aliases.Append(o.Name)).ToHashSet();
            foreach (Match option in OptionInSynopsis().Matches(synopsis))
            {
                var name = option.Groups["name"].Value;
                var isDirective = name == "--directive" && !target.TreatUnmatchedTokensAsErrors;
                Assert.True(isDirective || names.Contains(name), $"README row `{synopsis}`: {command} has no option {name}");
            }
        }
    }

    [Fact]
    public void Every_netboot_command_it_shows_parses()
    {
        var commands = InlineCommands().Concat(BlockCommands()).ToList();
        Assert.True(commands.Count >= 10, "the README shows netboot commands");
        foreach (var line in commands)
        {
            var parse = NetbootCommandLine(line);
            Assert.True(parse.Errors.Count == 0, $"README: `{line}`: {string.Join("; ", parse.Errors.Select(e => e.Message))}");
        }
    }

    /// <summary>The Commands table: first cell <c>`netboot COMMAND …`</c>. The command is the words that name commands of
    /// the tree from the root down ("db migrate"; "completion", not "completion bash"), or the first word when it names none.</summary>
    internal static IEnumerable<(string Command, string Synopsis)> TableRows()
    {
        var section = Readme[Readme.IndexOf("\n## Commands\n", StringComparison.Ordinal)..];
        section = section[..section.IndexOf("\n## ", 5, StringComparison.Ordinal)];
        var root = NetBootCommandLine.Build();
        foreach (Match row in TableRow().Matches(section))
        {
            var synopsis = row.Groups["synopsis"].Value.Replace("\\|", "|", StringComparison.Ordinal);
            var words = synopsis.Split(' ').Skip(1).ToList();
            var path = new List<string>();
            Command current = root;
            foreach (var word in words)
            {
                if (current.Subcommands.FirstOrDefault(c => c.Name == word) is not { } next)
                {
                    break;
                }
                path.Add(word);
                current = next;
            }
            yield return (path.Count > 0 ? string.Join(' ', path) : words[0], synopsis);
        }
    }

    /// <summary>Inline code spans in the prose (tables and code blocks left out) that run netboot: <c>netboot …</c> or an
    /// installed path such as <c>/opt/netboot/netboot …</c>, without placeholders (<c>[</c>, <c>…</c>, <c>|</c>).</summary>
    private static IEnumerable<string> InlineCommands()
    {
        var prose = FencedBlock().Replace(Readme, "");
        foreach (var line in prose.Split('\n').Where(l => !l.StartsWith('|') && !l.StartsWith("    ", StringComparison.Ordinal)))
        {
            foreach (Match span in InlineCode().Matches(line))
            {
                var text = span.Groups[1].Value;
                if (NetbootInvocation().IsMatch(text) && !text.Contains('[', StringComparison.Ordinal) && !text.Contains('…', StringComparison.Ordinal) && !text.Contains('|', StringComparison.Ordinal))
                {
                    yield return text;
                }
            }
        }
    }

    /// <summary>The netboot commands of every <c>sh</c> block, run in CI or not (<c>dotnet run … -- ARGS</c> is
    /// <c>netboot ARGS</c>; in a pipe or <c>$(…)</c>, the netboot part).</summary>
    private static IEnumerable<string> BlockCommands()
    {
        foreach (Match block in ShBlock().Matches(Readme))
        {
            foreach (var line in block.Groups["body"].Value.Split('\n'))
            {
                if (DotnetRun().Match(line) is { Success: true } run)
                {
                    yield return "netboot " + run.Groups["args"].Value;
                }
                foreach (Match part in NetbootInLine().Matches(line))
                {
                    yield return part.Groups["command"].Value.Trim();
                }
            }
        }
    }

    private static ParseResult NetbootCommandLine(string line)
    {
        var words = ShellWords(line);
        var start = words.FindIndex(w => w == "netboot" || w.EndsWith("/netboot", StringComparison.Ordinal));
        return NetBootCommandLine.Build().Parse(words.Skip(start + 1).ToArray());
    }

    /// <summary>Splits as a shell does for the simple lines the README shows: spaces, double quotes.</summary>
    private static List<string> ShellWords(string line) =>
        [.. ShellWord().Matches(line).Select(m => m.Value.Replace("\"", "", StringComparison.Ordinal))];

    private static Command Find(Command root, string path)
    {
        var command = root;
        foreach (var name in path.Split(' '))
        {
            command = command.Subcommands.Single(c => c.Name == name);
        }
        return command;
    }

    [GeneratedRegex(@"^\| `(?<synopsis>netboot [^`]+)` \|", RegexOptions.Multiline)]
    private static partial Regex TableRow();

    [GeneratedRegex(@"(?<![\w-])(?<name>--?[a-zA-Z][a-z0-9-]*)")]
    private static partial Regex OptionInSynopsis();

    [GeneratedRegex(@"```.*?```", RegexOptions.Singleline)]
    private static partial Regex FencedBlock();

    [GeneratedRegex("`([^`]+)`")]
    private static partial Regex InlineCode();

    [GeneratedRegex(@"^(sudo )?(\S*/)?netboot [a-z]")]
    private static partial Regex NetbootInvocation();

    [GeneratedRegex(@"^```sh\n(?<body>.*?)^```$", RegexOptions.Multiline | RegexOptions.Singleline)]
    private static partial Regex ShBlock();

    [GeneratedRegex(@"dotnet run .*? -- (?<args>.+)$")]
    private static partial Regex DotnetRun();

    [GeneratedRegex(@"(?:^|[|(]\s*|sudo )(?<command>(?:\S*/)?netboot [a-z][^|)""]*)")]
    private static partial Regex NetbootInLine();

    [GeneratedRegex(@"(?:[^\s""]+|""[^""]*"")+")]
    private static partial Regex ShellWord();
}

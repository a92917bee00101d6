using System.CommandLine;
using System.Text.RegularExpressions;
using NetBoot.Cli.Commands;
using NetBoot.Testing;

namespace NetBoot.Cli.Tests;

/// <summary>One version everywhere, and a netboot(8) that names every command and option the CLI has.</summary>
public partial class PackagingTests
{
    private static string Repository(params string[] path) => Path.Combine([TestPaths.RepositoryRoot, .. path]);

    [GeneratedRegex("<Version>(?<v>[^<]+)</Version>")]
    private static partial Regex VersionElement();

    private static string PropsVersion => VersionElement().Match(File.ReadAllText(Repository("Directory.Build.props"))).Groups["v"].Value;

    [Fact]
    public void The_version_printed_and_logged_is_the_one_of_Directory_Build_props_without_a_commit_suffix()
    {
        Assert.Matches(@"^\d+\.\d+\.\d+$", PropsVersion);
        Assert.Equal(PropsVersion, NetBootVersion.Text);
    }

    [Fact]
    public void The_debian_changelogs_top_entry_is_the_version_of_Directory_Build_props()
    {
        var top = File.ReadLines(Repository("packaging", "debian", "changelog")).First();

        Assert.StartsWith($"netboot ({PropsVersion}) ", top, StringComparison.Ordinal);
    }

    [Fact]
    public void Netboot_8_names_every_command_and_every_option_of_each()
    {
        var page = File.ReadAllText(Repository("packaging", "man", "netboot.8")).Replace(@"\-", "-", StringComparison.Ordinal);
        var missing = new List<string>();
        foreach (var command in Walk(NetBootCommandLine.Build()))
        {
            if (!Regex.IsMatch(page, $@"^\.(B|BI|TP\n\.B) {Regex.Escape(command.Name)}\b", RegexOptions.Multiline) && !page.Contains($"netboot db {command.Name}", StringComparison.Ordinal))
            {
                missing.Add(command.Name);
            }
            foreach (var option in command.Options.Where(o => o.Name is not ("--help" or "-h" or "-?" or "--version")))
            {
                foreach (var alias in option.Aliases.Append(option.Name).Where(a => a.StartsWith("--", StringComparison.Ordinal)))
                {
                    if (!page.Contains(alias, StringComparison.Ordinal))
                    {
                        missing.Add($"{command.Name} {alias}");
                    }
                }
            }
        }
        Assert.True(missing.Count == 0, "not in packaging/man/netboot.8: " + string.Join(", ", missing));
    }

    private static IEnumerable<Command> Walk(Command command) =>
        command.Subcommands.SelectMany(c => Walk(c).Prepend(c));
}

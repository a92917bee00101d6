using System.CommandLine;
using System.Text.RegularExpressions;
using NetBoot.Cli.Commands;

namespace NetBoot.Cli.Tests;

/// <summary><c>--help</c> for every command: a usage line and the sections that have something in them, none of
/// System.CommandLine's framework noise.</summary>
public sealed partial class HelpTextTests
{
    public static TheoryData<string> Commands() => [.. CliRun.AllCommands(NetBootCommandLine.Build()).Select(HelpText.Path)];

    [Theory]
    [MemberData(nameof(Commands))]
    public async Task Help_has_a_usage_line_no_framework_boilerplate_and_no_empty_section(string path)
    {
        string[] args = [.. path.Split(' ').Skip(1), "--help"];
        var (code, stdout, stderr) = await CliRun.InvokeAsync(args);

        Assert.Equal(0, code);
        Assert.Equal("", stderr);
        Assert.Contains($"\nUsage: {path}", stdout, StringComparison.Ordinal);
        foreach (var noise in new[] { "additional arguments", "Additional Arguments", "[[--]", "/?", "-?", "<", ">" })
        {
            Assert.DoesNotContain(noise, stdout, StringComparison.Ordinal);
        }
        // A section title is followed by at least one indented row.
        foreach (Match title in SectionTitle().Matches(stdout))
        {
            var after = stdout[(title.Index + title.Length)..];
            Assert.StartsWith("  ", after, StringComparison.Ordinal);
        }
        Assert.DoesNotContain("\n\n\n", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Root_help_lists_every_command_with_its_description()
    {
        var (_, stdout, _) = await CliRun.InvokeAsync("--help");
        foreach (var command in NetBootCommandLine.Build().Subcommands)
        {
            Assert.Matches($@"\n  {Regex.Escape(command.Name)} +{Regex.Escape(command.Description!)}\n", stdout);
        }
    }

    [Fact]
    public async Task Commands_that_take_directives_say_so_instead_of_additional_arguments()
    {
        var (_, stdout, _) = await CliRun.InvokeAsync("serve", "--help");
        Assert.Contains("Usage: netboot serve [options] [--DIRECTIVE[=VALUE]…]", stdout, StringComparison.Ordinal);
        Assert.Contains("  --DIRECTIVE[=VALUE]  ", stdout, StringComparison.Ordinal);
        Assert.Contains("  -C, --conf-file FILE  ", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Option_values_have_names_and_choices()
    {
        var (_, tftp, _) = await CliRun.InvokeAsync("tftp-get", "--help");
        Assert.Contains("--blksize N", tftp, StringComparison.Ordinal);
        Assert.Contains("-o, --output OUT", tftp, StringComparison.Ordinal);
        var (_, probe, _) = await CliRun.InvokeAsync("probe", "--help");
        Assert.Contains("--arch arm64|bios|ipxe|uefi", probe, StringComparison.Ordinal);
        Assert.Contains("(default: bios)", probe, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_parse_error_names_the_help_instead_of_printing_it()
    {
        var (code, stdout, stderr) = await CliRun.InvokeAsync("tftp-get", "--blksize", "4", "127.0.0.1", "f");
        Assert.Equal(1, code);
        Assert.Contains("--blksize 4: must be between 8 and 65464", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("Usage:", stdout + stderr, StringComparison.Ordinal);
    }

    [GeneratedRegex(@"^[A-Z][a-z]+:\n", RegexOptions.Multiline)]
    private static partial Regex SectionTitle();
}

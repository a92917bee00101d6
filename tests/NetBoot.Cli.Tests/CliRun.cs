using System.CommandLine;
using NetBoot.Cli.Commands;

namespace NetBoot.Cli.Tests;

/// <summary>Runs a command line as Program.cs does (the real command tree, parse errors as netboot reports them), its output captured (commands that write to the
/// invocation's Output and Error: help, parse errors, status, completion).</summary>
internal static class CliRun
{
    public static async Task<(int ExitCode, string Stdout, string Stderr)> InvokeAsync(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var code = await NetBootCommandLine.InvokeAsync(args, new InvocationConfiguration { Output = stdout, Error = stderr });
        return (code, stdout.ToString(), stderr.ToString());
    }

    /// <summary>Every command of the tree, the root first, depth first.</summary>
    public static IEnumerable<Command> AllCommands(Command root)
    {
        yield return root;
        foreach (var child in root.Subcommands.SelectMany(AllCommands))
        {
            yield return child;
        }
    }

    /// <summary>"serve", "db migrate": the commands an administrator runs (those without subcommands).</summary>
    public static IReadOnlyList<string> RunnableCommandPaths() =>
        [.. AllCommands(NetBootCommandLine.Build()).Where(c => c.Subcommands.Count == 0 && c is not RootCommand)
            .Select(c => HelpText.Path(c)["netboot ".Length..])];

    /// <summary>The netboot executable built beside the tests (the CLI project is referenced, so its apphost is copied).</summary>
    public static string Executable => Path.Combine(AppContext.BaseDirectory, "netboot");
}

using System.CommandLine;
using System.CommandLine.Invocation;

namespace NetBoot.Cli.Commands;

/// <summary>The <c>netboot</c> command tree. <c>serve</c> and <c>check</c> accept every configuration directive
/// as <c>--directive[=value]</c>, as dnsmasq does.</summary>
public static class NetBootCommandLine
{
    public static RootCommand Build()
    {
        var root = new RootCommand("NetBoot: proxyDHCP, PXE boot server and TFTP, configured in dnsmasq syntax.");
        root.Subcommands.Add(ServeCommand.Create());
        root.Subcommands.Add(CheckCommand.Create());
        root.Subcommands.Add(DecodeCommand.Create());
        root.Subcommands.Add(ProbeCommand.Create());
        root.Subcommands.Add(TftpGetCommand.Create());
        root.Subcommands.Add(LeasesCommand.Create());
        root.Subcommands.Add(StatusCommand.Create());
        root.Subcommands.Add(DbCommand.Create());
        root.Subcommands.Add(BootfilesCommand.Create());
        root.Subcommands.Add(DemoCommand.Create());
        root.Subcommands.Add(CompletionCommand.Create());
        HelpText.Install(root);
        return root;
    }

    /// <summary>Parses and runs. A command line that does not parse gets its errors and one line naming the help, not the
    /// whole help text (System.CommandLine's default): "--blksize 4: must be between 8 and 65464" stays visible.</summary>
    public static async Task<int> InvokeAsync(string[] args, InvocationConfiguration? configuration = null)
    {
        configuration ??= new InvocationConfiguration();
        var parse = Build().Parse(args);
        if (parse.Action is ParseErrorAction errors)
        {
            errors.ShowHelp = false;
            var code = await parse.InvokeAsync(configuration).ConfigureAwait(false);
            await configuration.Error.WriteLineAsync($"Run '{HelpText.Path(parse.CommandResult.Command)} --help' for what it takes.").ConfigureAwait(false);
            return code;
        }
        return await parse.InvokeAsync(configuration).ConfigureAwait(false);
    }
}

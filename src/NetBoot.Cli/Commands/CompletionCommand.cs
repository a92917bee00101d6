using System.CommandLine;

namespace NetBoot.Cli.Commands;

/// <summary><c>netboot completion bash</c>: prints a bash completion script. The first word (the command) is completed
/// from the list written into the script; everything after it (options, their values such as <c>--arch bios|uefi|ipxe</c>,
/// subcommands such as <c>db migrate</c>) is asked of netboot itself through System.CommandLine's <c>[suggest]</c>
/// directive, so the script never falls behind the program. Where netboot suggests nothing (a file name), bash
/// completes file names.</summary>
internal static class CompletionCommand
{
    public static Command Create()
    {
        var shell = new Argument<string>("SHELL") { Description = "the shell to complete in: bash" };
        shell.AcceptOnlyFromAmong("bash");
        var command = new Command("completion",
            "Print a shell completion script: eval \"$(netboot completion bash)\" in ~/.bashrc, or save it in /etc/bash_completion.d/netboot.")
        {
            shell,
        };
        command.SetAction(result =>
        {
            // The command tree is the root of this command; a script for it is printed.
            var root = result.RootCommandResult.Command;
            result.InvocationConfiguration.Output.Write(BashScript(root));
            return 0;
        });
        return command;
    }

    internal static string BashScript(Command root)
    {
        var words = root.Subcommands.Where(c => !c.Hidden).Select(c => c.Name).Append("--help").Append("--version");
        return $$"""
            # bash completion for netboot (netboot completion bash). Load it with
            #   eval "$(netboot completion bash)"              (in ~/.bashrc)
            # or save it as /etc/bash_completion.d/netboot.
            _netboot_complete()
            {
                local cur="${COMP_WORDS[COMP_CWORD]}"
                if [ "$COMP_CWORD" -eq 1 ]; then
                    COMPREPLY=($(compgen -W "{{string.Join(' ', words)}}" -- "$cur"))
                    return
                fi
                # Options, their values and subcommands: netboot answers through System.CommandLine's [suggest] directive.
                local IFS=$'\n' words
                words=$("${COMP_WORDS[0]}" "[suggest:${COMP_POINT}]" "${COMP_LINE}" 2>/dev/null)
                if [[ "$cur" != -* ]]; then
                    # Not an option being typed: leave out option names, so that file names are completed where netboot
                    # suggests nothing else (decode FILE, -C FILE).
                    words=$(grep -v '^[-/]' <<<"$words")
                fi
                COMPREPLY=($(compgen -W "$words" -- "$cur"))
            }
            complete -o default -o bashdefault -F _netboot_complete netboot

            """;
    }
}

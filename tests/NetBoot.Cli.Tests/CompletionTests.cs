using System.Diagnostics;
using NetBoot.Cli.Commands;

namespace NetBoot.Cli.Tests;

/// <summary><c>netboot completion bash</c>: the script names every command, and bash, with it loaded, completes a
/// command, an option and an option's values by asking the netboot executable built beside these tests.</summary>
public sealed class CompletionTests
{
    [Fact]
    public async Task The_script_mentions_every_command()
    {
        var (code, script, _) = await CliRun.InvokeAsync("completion", "bash");
        Assert.Equal(0, code);
        foreach (var command in NetBootCommandLine.Build().Subcommands)
        {
            Assert.Matches($@"compgen -W ""[^""]*\b{command.Name}\b", script);
        }
        Assert.Contains("complete -o default -o bashdefault -F _netboot_complete netboot", script, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unknown_shell_is_refused()
    {
        var (code, _, stderr) = await CliRun.InvokeAsync("completion", "tcsh");
        Assert.NotEqual(0, code);
        Assert.Contains("tcsh", stderr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("netboot se", "serve")]
    [InlineData("netboot tftp-get --bl", "--blksize")]
    [InlineData("netboot probe --arch ", "arm64\nbios\nipxe\nuefi")]
    [InlineData("netboot db ", "migrate")]
    [InlineData("netboot demo --ue", "--uefi")]
    public async Task Bash_completes_commands_options_and_values(string line, string expected)
    {
        // COMP_WORDS as bash splits the line (a trailing space starts an empty word).
        var words = line.Split(' ');
        var script = $$"""
            set -e
            eval "$(netboot completion bash)"
            COMP_LINE='{{line}}'
            COMP_POINT=${#COMP_LINE}
            COMP_WORDS=({{string.Join(' ', words.Select(w => $"'{w}'"))}})
            COMP_CWORD={{words.Length - 1}}
            _netboot_complete
            printf '%s\n' "${COMPREPLY[@]}"
            """;
        var info = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true };
        info.ArgumentList.Add("-c");
        info.ArgumentList.Add(script);
        info.Environment["PATH"] = AppContext.BaseDirectory + ":" + Environment.GetEnvironmentVariable("PATH");
        using var bash = Process.Start(info)!;
        var stdout = bash.StandardOutput.ReadToEndAsync();
        var stderr = bash.StandardError.ReadToEndAsync();
        await bash.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
        Assert.True(bash.ExitCode == 0, await stderr);
        Assert.Equal(expected, (await stdout).TrimEnd('\n'));
    }
}

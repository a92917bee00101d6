using System.Collections.Immutable;
using System.CommandLine;
using NetBoot.Configuration.Parsing;

namespace NetBoot.Cli.Commands;

/// <summary>The options shared by <c>serve</c> and <c>check</c>: <c>-C/--conf-file</c>, <c>--conf-dir</c>, and any
/// other <c>--directive[=value]</c> taken as a configuration line.</summary>
internal sealed class ConfigArguments
{
    public Option<string[]> ConfFile { get; } = new("--conf-file", "-C")
    {
        Description = "Read configuration from FILE (dnsmasq syntax); may be repeated.",
        HelpName = "FILE",
        AllowMultipleArgumentsPerToken = false,
    };

    public Option<string[]> ConfDir { get; } = new("--conf-dir", "-7")
    {
        Description = "Read every file in DIR (alphabetical), skipping the listed suffixes: DIR[,.ext…][,*.conf].",
        HelpName = "DIR[,ext…]",
        AllowMultipleArgumentsPerToken = false,
    };

    public void AddTo(Command command)
    {
        command.Options.Add(ConfFile);
        command.Options.Add(ConfDir);
        // Every other --directive[=value] is a configuration line (dnsmasq allows any directive on the command line).
        command.TreatUnmatchedTokensAsErrors = false;
    }

    /// <summary>Builds the configuration input; a stray token that is not <c>--directive</c> is an error.</summary>
    public ConfigInput Read(ParseResult result, out string? error)
    {
        error = null;
        var directives = ImmutableArray.CreateBuilder<string>();
        foreach (var token in result.UnmatchedTokens)
        {
            if (!token.StartsWith("--", StringComparison.Ordinal) || token.Length == 2)
            {
                error = $"bad command line options: '{token}' is not a --directive[=value]";
                return new ConfigInput();
            }
            directives.Add(token[2..]);
        }
        return new ConfigInput
        {
            Files = [.. result.GetValue(ConfFile) ?? []],
            Directories = [.. result.GetValue(ConfDir) ?? []],
            CommandLine = directives.ToImmutable(),
        };
    }

    /// <summary>The configuration these arguments name (the embedded default when they name none), or null once the
    /// reason it cannot be used is written to standard error (a bad argument, or each error with its file and line).
    /// For the commands that only read the configuration (<c>leases</c>, <c>db migrate</c>).</summary>
    public async Task<Configuration.Model.ServerConfig?> LoadOrReportAsync(ParseResult result)
    {
        var input = Read(result, out var error);
        if (error is not null)
        {
            await Console.Error.WriteLineAsync("netboot: " + error).ConfigureAwait(false);
            return null;
        }
        // Only read: the embedded default is parsed in memory, its folder is neither checked nor created.
        var loaded = new ConfigSource(input).Parse();
        if (!loaded.IsValid)
        {
            ReportErrors(Console.Error, loaded.Errors);
            return null;
        }
        return loaded.Config!;
    }

    public static bool IsEmpty(ConfigInput input) =>
        input.Files.IsEmpty && input.Directories.IsEmpty && input.CommandLine.IsEmpty;

    /// <summary>Prints errors in dnsmasq's format, <c>netboot: bad dhcp-range at line 77 of FILE</c>, each with a hint.</summary>
    public static void ReportErrors(TextWriter error, IEnumerable<ConfigDiagnostic> diagnostics)
    {
        foreach (var diagnostic in diagnostics)
        {
            error.WriteLine($"netboot: {diagnostic}");
            if (diagnostic.Hint is { Length: > 0 } hint)
            {
                error.WriteLine($"netboot:   hint: {hint}");
            }
        }
    }
}

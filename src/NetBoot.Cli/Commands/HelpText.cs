using System.CommandLine;
using System.CommandLine.Completions;
using System.CommandLine.Help;
using System.CommandLine.Invocation;
using System.Text;

namespace NetBoot.Cli.Commands;

/// <summary>
/// <c>--help</c> as NetBoot writes it: a usage line, the arguments, the options with their value names and defaults, the
/// subcommands; nothing else. System.CommandLine's own help adds framework noise NetBoot does not want (a usage tail
/// <c>[[--] &lt;additional arguments&gt;...]]</c> and an "Additional Arguments" section for commands that take
/// <c>--directive[=value]</c>, the DOS spellings <c>-?</c> and <c>/h</c>, option values named after the option) and cannot
/// be customised in version 2.0 (its help builder is internal), so the text is rendered here from the command tree.
/// </summary>
internal static class HelpText
{
    /// <summary>The line for commands that take any configuration directive (<see cref="ConfigArguments"/>).</summary>
    public const string DirectiveUsage = "--DIRECTIVE[=VALUE]";

    /// <summary>Makes every <c>-h</c>/<c>--help</c> below <paramref name="root"/> print <see cref="Render"/>.</summary>
    public static void Install(RootCommand root)
    {
        foreach (var help in root.Options.OfType<HelpOption>())
        {
            help.Action = new Action();
        }
    }

    public static string Render(Command command)
    {
        var text = new StringBuilder();
        var path = Path(command);
        text.Append(command.Parents.Any() ? $"{path}: {command.Description}\n\n" : $"{command.Description}\n\n");
        text.Append("Usage: ").Append(Usage(command, path)).Append('\n');
        AppendSection(text, "Arguments", command.Arguments.Where(a => !a.Hidden).Select(a => (ArgumentName(a), a.Description ?? "")));
        AppendSection(text, "Options", Options(command));
        AppendSection(text, "Commands", command.Subcommands.Where(c => !c.Hidden).Select(c => (c.Name, c.Description ?? "")));
        if (command.Subcommands.Count > 0)
        {
            text.Append($"\nRun '{path} COMMAND --help' for what a command takes.\n");
        }
        return text.ToString();
    }

    /// <summary>"netboot db migrate": the names from the root down.</summary>
    internal static string Path(Command command)
    {
        var names = new List<string>();
        for (Command? current = command; current is not null; current = current.Parents.OfType<Command>().FirstOrDefault())
        {
            names.Insert(0, current is RootCommand ? "netboot" : current.Name);
        }
        return string.Join(' ', names);
    }

    /// <summary>Every option a command takes, its own and those it inherits (<c>--help</c>), as help rows.</summary>
    internal static IEnumerable<Option> VisibleOptions(Command command)
    {
        var inherited = command.Parents.OfType<Command>().SelectMany(AncestorsAndSelf).SelectMany(c => c.Options).Where(o => o.Recursive);
        return command.Options.Concat(inherited).Where(o => !o.Hidden).Distinct();
    }

    private static IEnumerable<Command> AncestorsAndSelf(Command command)
    {
        for (Command? current = command; current is not null; current = current.Parents.OfType<Command>().FirstOrDefault())
        {
            yield return current;
        }
    }

    private static string Usage(Command command, string path)
    {
        var parts = new List<string> { path };
        if (command.Subcommands.Count > 0)
        {
            parts.Add("COMMAND");
        }
        parts.AddRange(command.Arguments.Where(a => !a.Hidden).Select(a => a.Arity.MaximumNumberOfValues > 1 ? ArgumentName(a) + "…" : ArgumentName(a)));
        if (VisibleOptions(command).Any(o => o is not HelpOption and not VersionOption))
        {
            parts.Add("[options]");
        }
        if (!command.TreatUnmatchedTokensAsErrors)
        {
            parts.Add($"[{DirectiveUsage}…]");
        }
        return string.Join(' ', parts);
    }

    private static IEnumerable<(string, string)> Options(Command command)
    {
        foreach (var option in VisibleOptions(command))
        {
            yield return option switch
            {
                HelpOption => ("-h, --help", "Show this help."),
                VersionOption => ("--version", "Print NetBoot's version."),
                _ => (OptionName(option), Description(option)),
            };
        }
        if (!command.TreatUnmatchedTokensAsErrors)
        {
            yield return (DirectiveUsage, "Any dnsmasq configuration directive, as a line of a file would give it (--dhcp-range=10.0.0.0,proxy).");
        }
    }

    /// <summary>"-o, --output FILE": short spelling first, then the value's name (its help name, the values it accepts, or N).</summary>
    private static string OptionName(Option option)
    {
        var names = string.Join(", ", option.Aliases.Append(option.Name).Distinct().OrderBy(n => n.StartsWith("--", StringComparison.Ordinal)).ThenBy(n => n, StringComparer.Ordinal));
        if (option.Arity.MaximumNumberOfValues == 0 || option.ValueType == typeof(bool))
        {
            return names;
        }
        var values = option.HelpName ?? Choices(option) ?? "VALUE";
        return $"{names} {values}";
    }

    private static string? Choices(Option option)
    {
        var values = option.GetCompletions(CompletionContext.Empty).Select(c => c.Label).ToList();
        return values.Count > 0 ? string.Join('|', values) : null;
    }

    private static string Description(Option option)
    {
        var description = option.Description ?? "";
        if (option.HasDefaultValue && option.ValueType != typeof(bool) && option.GetDefaultValue() is { } value && value.ToString() is { Length: > 0 } shown)
        {
            description += $" (default: {shown})";
        }
        return description;
    }

    private static string ArgumentName(Argument argument) => argument.HelpName ?? argument.Name.ToUpperInvariant();

    private static void AppendSection(StringBuilder text, string title, IEnumerable<(string Name, string Description)> rows)
    {
        var list = rows.ToList();
        if (list.Count == 0)
        {
            return;
        }
        var width = list.Max(r => r.Name.Length) + 2;
        text.Append('\n').Append(title).Append(":\n");
        foreach (var (name, description) in list)
        {
            text.Append("  ").Append(name.PadRight(width)).Append(description).Append('\n');
        }
    }

    private sealed class Action : SynchronousCommandLineAction
    {
        public override bool ClearsParseErrors => true;

        public override int Invoke(ParseResult parseResult)
        {
            parseResult.InvocationConfiguration.Output.Write(Render(parseResult.CommandResult.Command));
            return 0;
        }
    }
}

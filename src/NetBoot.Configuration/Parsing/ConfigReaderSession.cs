using System.Collections.Immutable;
using NetBoot.Configuration.Model;

namespace NetBoot.Configuration.Parsing;

/// <summary>One read of a configuration: the command line, files, <c>conf-file</c> includes and <c>conf-dir</c>
/// directories (<c>read_file</c>, <c>one_file</c>, <c>one_opt</c> in dnsmasq's <c>src/option.c</c>).</summary>
internal sealed class ConfigReaderSession
{
    private readonly HashSet<string> _readFiles = new(StringComparer.Ordinal);

    public ConfigBuilder Config { get; } = new();

    public void ReadCommandLine(ImmutableArray<string> arguments)
    {
        foreach (var argument in arguments)
        {
            var text = argument.StartsWith("--", StringComparison.Ordinal) ? argument[2..] : argument;
            ReadLine(text, SourceLocation.CommandLine, fromCommandLine: true);
        }
    }

    public void ReadText(string text, string fileName)
    {
        _readFiles.Add(Canonical(fileName));
        Config.SourceFiles.Add(fileName);
        var lines = text.Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            ReadLine(lines[i], new SourceLocation(fileName, i + 1), fromCommandLine: false);
        }
    }

    /// <summary>Reads a file unless the same file was read already (dnsmasq compares dev+inode; NetBoot the resolved path).</summary>
    public void ReadFile(string path, SourceLocation requestedAt)
    {
        if (_readFiles.Contains(Canonical(path)))
        {
            return;
        }
        if (!ConfigFileSystem.TryReadText(path, out var text, out var reason))
        {
            Config.FileError($"cannot read {path}: {reason}", requestedAt, "check the path and that NetBoot may read it");
            return;
        }
        ReadText(text, path);
    }

    /// <summary><c>conf-dir=DIR[,.ext-to-skip…][,*.ext-required…]</c>: regular files in strcmp order, skipping
    /// names ending in <c>~</c>, starting with <c>.</c>, or enclosed in <c>#</c>.</summary>
    public void ReadDirectory(string spec, SourceLocation requestedAt)
    {
        var fields = FieldCursor.Split(spec).Select(QuotedText.Reveal).ToList();
        var directory = fields.Count > 0 ? fields[0] : "";
        if (directory.Length == 0)
        {
            Config.Error("bad conf-dir", requestedAt, "write conf-dir=<directory>[,.<suffix to skip>…][,*.<suffix to read>]");
            return;
        }
        var required = fields.Skip(1).Where(f => f.StartsWith('*')).Select(f => f[1..]).ToList();
        var excluded = fields.Skip(1).Where(f => f.Length > 0 && !f.StartsWith('*')).ToList();
        if (!ConfigFileSystem.TryListFiles(directory, out var names, out var reason))
        {
            Config.FileError($"cannot access directory {directory}: {reason}", requestedAt, "check the path given to conf-dir");
            return;
        }
        foreach (var name in names.Where(n => IsReadable(n, required, excluded)).Order(StringComparer.Ordinal))
        {
            ReadFile(Path.Combine(directory, name), requestedAt);
        }
    }

    private static bool IsReadable(string name, List<string> required, List<string> excluded) =>
        !name.EndsWith('~')
        && !name.StartsWith('.')
        && !(name.Length >= 2 && name.StartsWith('#') && name.EndsWith('#'))
        && !excluded.Any(suffix => name.EndsWith(suffix, StringComparison.Ordinal))
        && (required.Count == 0 || required.Any(suffix => name.EndsWith(suffix, StringComparison.Ordinal)));

    private void ReadLine(string line, SourceLocation source, bool fromCommandLine)
    {
        switch (ConfigLexer.TryLex(line, out var lexed))
        {
            case LexOutcome.Empty:
                return;
            case LexOutcome.MissingQuote:
                Config.Error("missing \"", source, "close the quoted text with a second \"");
                return;
        }
        if (!DirectiveTable.TryGet(lexed.Name, out var spec))
        {
            Config.Error("bad option", source, BadOptionHint(lexed.Name));
            return;
        }
        if (!HasValidArity(spec, lexed, source) || !IsFirstUse(spec, source, fromCommandLine))
        {
            return;
        }
        Apply(spec, lexed, source);
    }

    private void Apply(DirectiveSpec spec, LexedDirective lexed, SourceLocation source)
    {
        switch (spec.Name)
        {
            case "conf-file":
                if (lexed.Value is { Length: > 0 } file)
                {
                    ReadFile(QuotedText.Reveal(file), source);
                }
                return;
            case "conf-dir":
                ReadDirectory(lexed.Value!, source);
                return;
        }
        var errorsBefore = Config.Errors.Count;
        var context = new DirectiveContext(Config, spec.Name, lexed.Value, source);
        spec.Apply?.Invoke(context);
        if (Config.Errors.Count == errorsBefore && DirectiveTable.NoticeKind(spec.Effect) is { } kind)
        {
            Config.Notice(kind, spec.Name, spec.Note ?? "accepted, not acted on", source);
        }
    }

    private static string BadOptionHint(string name)
    {
        var suggestion = DirectiveTable.Suggest(name);
        return suggestion is not null
            ? $"'{name}' is not a dnsmasq option NetBoot knows; did you mean {suggestion}?"
            : $"'{name}' is not a dnsmasq option NetBoot knows (a stray non-configuration file in a conf-dir gives this too)";
    }

    private bool HasValidArity(DirectiveSpec spec, LexedDirective lexed, SourceLocation source)
    {
        if (spec.Arity == DirectiveArity.None && lexed.Value is not null)
        {
            Config.Error("extraneous parameter", source, $"{spec.Name} takes no value: write just {spec.Name}");
            return false;
        }
        if (spec.Arity == DirectiveArity.Required && lexed.Value is null)
        {
            Config.Error("missing parameter", source, $"{spec.Name} needs a value: write {spec.Name}=…");
            return false;
        }
        return true;
    }

    /// <summary>dnsmasq parity (<c>one_opt</c>): a single-valued option may be given once on the command line and once in
    /// the files (the file overrides); twice in files is "illegal repeated keyword", twice on the command line "illegal repeated flag".</summary>
    private bool IsFirstUse(DirectiveSpec spec, SourceLocation source, bool fromCommandLine)
    {
        if (!spec.IsSingleValued)
        {
            return true;
        }
        if (Config.SingleValuedSeen.TryGetValue(spec.Name, out var earlier) && earlier.IsCommandLine == fromCommandLine)
        {
            var message = fromCommandLine ? "illegal repeated flag" : "illegal repeated keyword";
            Config.Error(message, source, $"{spec.Name} may be given only once; it was already set {earlier}");
            return false;
        }
        Config.SingleValuedSeen[spec.Name] = source;
        return true;
    }

    private static string Canonical(string path)
    {
        var full = Path.GetFullPath(path);
        return ConfigFileSystem.ResolveLinks(full);
    }
}

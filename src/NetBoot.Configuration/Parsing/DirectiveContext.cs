using NetBoot.Configuration.Model;

namespace NetBoot.Configuration.Parsing;

/// <summary>One directive being applied: its name, hidden value, where it came from, and the builder it writes to.</summary>
internal sealed class DirectiveContext(ConfigBuilder config, string name, string? value, SourceLocation source)
{
    public ConfigBuilder Config { get; } = config;
    public string Name { get; } = name;
    /// <summary>The value in hidden form (see <see cref="QuotedText"/>); null when the directive had no <c>=</c>.</summary>
    public string? Value { get; } = value;
    public SourceLocation Source { get; } = source;

    public FieldCursor Fields() => new(Value);

    public void Error(string message, string? hint = null) => Config.Error(message, Source, hint);

    public void Notice(ConfigNoticeKind kind, string message) => Config.Notice(kind, Name, message, Source);
}

namespace NetBoot.Configuration.Model;

/// <summary>Where a directive came from: a file and a 1-based physical line, or the command line (line 0).</summary>
public readonly record struct SourceLocation(string File, int Line)
{
    public static readonly SourceLocation CommandLine = new("command line", 0);

    public bool IsCommandLine => Line == 0;

    /// <summary>dnsmasq's suffix: <c>at line N of FILE</c>.</summary>
    public override string ToString() => IsCommandLine ? "on the command line" : $"at line {Line} of {File}";
}

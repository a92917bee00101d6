using System.Collections.Immutable;
using NetBoot.Configuration.Model;

namespace NetBoot.Configuration.Parsing;

/// <summary>A configuration error: what was wrong, where, and what to write instead.</summary>
public sealed record ConfigDiagnostic(string Message, SourceLocation Source, string? Hint = null)
{
    /// <summary>dnsmasq's format: <c>bad dhcp-range at line 77 of /etc/dnsmasq.conf</c>.</summary>
    public override string ToString() => $"{Message} {Source}";
}

/// <summary>Where configuration comes from: <c>-C FILE</c>, <c>--conf-dir=DIR[,ext…]</c>, and <c>--directive[=value]</c> arguments.</summary>
public sealed record ConfigInput
{
    public ImmutableArray<string> Files { get; init; } = [];
    /// <summary>Raw <c>conf-dir</c> values: <c>DIR[,.ext-to-skip…][,*.ext-required]</c>.</summary>
    public ImmutableArray<string> Directories { get; init; } = [];
    /// <summary>Directives from the command line, without the leading <c>--</c>: <c>dhcp-range=10.0.0.0,proxy</c>.</summary>
    public ImmutableArray<string> CommandLine { get; init; } = [];
}

public sealed record ConfigLoadResult(ServerConfig? Config, ImmutableArray<ConfigDiagnostic> Errors)
{
    public bool IsValid => Config is not null && Errors.IsEmpty;
}

/// <summary>Reads dnsmasq-syntax configuration into one validated <see cref="ServerConfig"/>.</summary>
public static class DnsmasqConfigReader
{
    public static ConfigLoadResult Load(ConfigInput input) => throw new NotImplementedException();

    public static ConfigLoadResult Parse(string text, string fileName = "netboot.conf") => throw new NotImplementedException();
}

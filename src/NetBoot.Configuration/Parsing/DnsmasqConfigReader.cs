using System.Collections.Immutable;
using NetBoot.Configuration.Model;

namespace NetBoot.Configuration.Parsing;

/// <summary>A configuration error: what was wrong, where, and what to write instead.</summary>
public sealed record ConfigDiagnostic(string Message, SourceLocation Source, string? Hint = null)
{
    /// <summary>A file or directory could not be read ("cannot read FILE: reason"): the message names the path itself.</summary>
    public bool IsFileError { get; init; }

    /// <summary>dnsmasq's formats: <c>bad dhcp-range at line 77 of /etc/dnsmasq.conf</c>, <c>bad command line options: bad
    /// dhcp-range</c>, and a bare <c>cannot read FILE: reason</c> for a file named on the command line.</summary>
    public override string ToString() =>
        !Source.IsCommandLine ? $"{Message} {Source}"
        : IsFileError ? Message
        : $"bad command line options: {Message}";
}

/// <summary>Where configuration comes from: <c>-C FILE</c>, <c>--conf-dir=DIR[,ext…]</c>, and <c>--directive[=value]</c> arguments.</summary>
public sealed record ConfigInput
{
    public ImmutableArray<string> Files { get; init; } = [];
    /// <summary>Raw <c>conf-dir</c> values: <c>DIR[,.ext-to-skip…][,*.ext-required]</c>.</summary>
    public ImmutableArray<string> Directories { get; init; } = [];
    /// <summary>Directives from the command line, without the leading <c>--</c>: <c>dhcp-range=10.0.0.0,proxy</c>.</summary>
    public ImmutableArray<string> CommandLine { get; init; } = [];
    /// <summary>The file <c>read-ethers</c> reads (tests point it elsewhere).</summary>
    public string EthersPath { get; init; } = DhcpFileReader.EthersPath;
}

public sealed record ConfigLoadResult(ServerConfig? Config, ImmutableArray<ConfigDiagnostic> Errors)
{
    public bool IsValid => Config is not null && Errors.IsEmpty;
}

/// <summary>Reads dnsmasq-syntax configuration into one validated <see cref="ServerConfig"/>.</summary>
public static class DnsmasqConfigReader
{
    /// <summary>Reads the command-line directives first (as dnsmasq parses argv before its files), then the
    /// <c>conf-dir</c> directories, then the files. <c>conf-file</c>/<c>conf-dir</c> lines are read where they appear.</summary>
    public static ConfigLoadResult Load(ConfigInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var session = new ConfigReaderSession();
        session.ReadCommandLine(input.CommandLine);
        foreach (var directory in input.Directories)
        {
            session.ReadDirectory(directory, SourceLocation.CommandLine);
        }
        foreach (var file in input.Files)
        {
            session.ReadFile(file, SourceLocation.CommandLine);
        }
        return Finish(session.Config, input.EthersPath);
    }

    /// <summary>Parses one configuration text as if it were the file <paramref name="fileName"/>.</summary>
    public static ConfigLoadResult Parse(string text, string fileName = "netboot.conf")
    {
        ArgumentNullException.ThrowIfNull(text);
        var session = new ConfigReaderSession();
        session.ReadText(text, fileName);
        return Finish(session.Config, DhcpFileReader.EthersPath);
    }

    private static ConfigLoadResult Finish(ConfigBuilder config, string ethersPath)
    {
        // dnsmasq parity (reread_dhcp): host and option files are read after the whole configuration.
        DhcpFileReader.ReadAll(config, ethersPath);
        ConfigConsistency.Validate(config);
        return config.Errors.Count > 0
            ? new ConfigLoadResult(null, [.. config.Errors])
            : new ConfigLoadResult(config.Build(), []);
    }
}

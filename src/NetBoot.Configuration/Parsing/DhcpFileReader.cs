using System.Collections.Immutable;
using NetBoot.Configuration.Model;
using NetBoot.Wire.Net;

namespace NetBoot.Configuration.Parsing;

/// <summary>The lines of one host or option file: what was read and what could not be (each with file and line).</summary>
public sealed record DhcpFileContent(
    string Path,
    ImmutableArray<DhcpHostConfig> Hosts,
    ImmutableArray<DhcpOptionConfig> Options,
    ImmutableArray<ConfigNotice> Errors);

/// <summary><c>dhcp-hostsfile</c>, <c>dhcp-optsfile</c>, <c>dhcp-hostsdir</c>, <c>dhcp-optsdir</c> and <c>read-ethers</c>
/// (dnsmasq's <c>reread_dhcp</c>, <c>one_file(…, LOPT_BANK)</c>, <c>read_ethers</c>): each line is the value of a
/// <c>dhcp-host</c> or <c>dhcp-option</c>, without the directive name. A bad line (or an unreadable file) is logged with
/// file and line and skipped; the rest of that file and the other files are served, as dnsmasq does.</summary>
public static class DhcpFileReader
{
    /// <summary>dnsmasq reads DHCP host information from here for <c>read-ethers</c>.</summary>
    public const string EthersPath = "/etc/ethers";

    /// <summary>The directive handler: records the path; the files are read once the configuration is read
    /// (<see cref="ReadAll"/>), as dnsmasq reads them after its configuration.</summary>
    internal static Action<DirectiveContext> Record(DhcpFileKind kind, bool isWatched) => d =>
    {
        var path = QuotedText.Reveal(d.Value ?? "");
        if (path.Length == 0)
        {
            d.Error("missing parameter", $"{d.Name} needs a file or directory: write {d.Name}=<path>");
            return;
        }
        d.Config.DhcpFiles.Add(new DhcpFileSource(path, kind, isWatched, d.Source));
    };

    /// <summary>Reads every host and option file and directory named, then /etc/ethers under <c>read-ethers</c>; the
    /// lines go after the configuration's own, their errors into the notices as <see cref="ConfigNoticeKind.FileLineError"/>.</summary>
    internal static void ReadAll(ConfigBuilder config, string ethersPath)
    {
        foreach (var source in config.DhcpFiles)
        {
            foreach (var content in ReadSource(source))
            {
                Add(config, content);
            }
        }
        if (config.ReadEthers is { } requestedAt)
        {
            Add(config, ReadEthers(ethersPath, requestedAt));
        }
    }

    /// <summary>Every file of one source: the file itself, or the readable files of the directory in name order.</summary>
    public static IEnumerable<DhcpFileContent> ReadSource(DhcpFileSource source)
    {
        ArgumentNullException.ThrowIfNull(source);
        if (Directory.Exists(source.Path))
        {
            if (!ConfigFileSystem.TryListFiles(source.Path, out var names, out var reason))
            {
                return [Failed(source.Path, $"cannot access directory {source.Path}: {reason}", source.Source, "check the path and that NetBoot may read it")];
            }
            return names.Where(IsReadableName).Order(StringComparer.Ordinal)
                .Select(name => ReadFile(Path.Combine(source.Path, name), source.Kind))
                .ToList();
        }
        if (source.IsWatched)
        {
            // dnsmasq parity (set_dynamic_inotify): "bad dynamic directory DIR: …", logged, not fatal.
            var reason = File.Exists(source.Path) ? "not a directory" : "No such file or directory";
            return [Failed(source.Path, $"bad dynamic directory {source.Path}: {reason}", source.Source,
                $"{source.Directive} needs an existing directory; create it (files added later are read at once)")];
        }
        return [ReadFile(source.Path, source.Kind, source.Source)];
    }

    /// <summary>dnsmasq parity (inotify.c, option.c): editor backups (<c>name~</c>), dot files and <c>#name#</c> are
    /// never read from a directory, nor when inotify reports them.</summary>
    public static bool IsReadableName(string name) =>
        name.Length > 0
        && !name.EndsWith('~')
        && !name.StartsWith('.')
        && !(name.Length >= 2 && name.StartsWith('#') && name.EndsWith('#'));

    /// <summary>One file: every line a <c>dhcp-host</c> (or <c>dhcp-option</c>) value, checked alone.</summary>
    public static DhcpFileContent ReadFile(string path, DhcpFileKind kind, SourceLocation? requestedAt = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (!ConfigFileSystem.TryReadText(path, out var text, out var reason))
        {
            return Failed(path, $"cannot read {path}: {reason}", requestedAt, "check the path and that NetBoot may read it");
        }
        var builder = new ConfigBuilder();
        var (name, apply) = kind == DhcpFileKind.Hosts
            ? ("dhcp-host", (Action<DirectiveContext>)DhcpHostParser.Parse)
            : ("dhcp-option", DhcpOptionParser.ParseNormal);
        var lines = text.Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            ReadLine(builder, name, apply, lines[i], new SourceLocation(path, i + 1));
        }
        return new DhcpFileContent(path, [.. builder.Hosts], [.. builder.Options],
            [.. builder.Errors.Select(e => new ConfigNotice(ConfigNoticeKind.FileLineError, name, e.Message, e.Source, e.Hint))]);
    }

    private static void ReadLine(ConfigBuilder builder, string name, Action<DirectiveContext> apply, string line, SourceLocation source)
    {
        // The lexer's rules (comments, quotes, whitespace) for the value alone: "name= value" makes a leading # a comment.
        switch (ConfigLexer.TryLex($"{name}= {line}", out var lexed))
        {
            case LexOutcome.MissingQuote:
                builder.Error("missing \"", source, "close the quoted text with a second \"");
                return;
            case LexOutcome.Directive when lexed.Value is { Length: > 0 }:
                apply(new DirectiveContext(builder, name, lexed.Value, source));
                return;
        }
    }

    /// <summary>/etc/ethers (dnsmasq <c>read_ethers</c>): <c>MAC name-or-address</c> per line, <c>#</c> comments; each line
    /// is a <c>dhcp-host=MAC,address</c> or <c>dhcp-host=MAC,name</c>.</summary>
    internal static DhcpFileContent ReadEthers(string path, SourceLocation requestedAt)
    {
        if (!ConfigFileSystem.TryReadText(path, out var text, out var reason))
        {
            // dnsmasq parity: "failed to read /etc/ethers: …", logged, not fatal.
            return Failed(path, $"failed to read {path}: {reason}", requestedAt, "create the file or remove read-ethers");
        }
        var hosts = ImmutableArray.CreateBuilder<DhcpHostConfig>();
        var errors = ImmutableArray.CreateBuilder<ConfigNotice>();
        var lines = text.Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            var source = new SourceLocation(path, i + 1);
            switch (ParseEthersLine(lines[i], source, out var host, out var error))
            {
                case true:
                    hosts.Add(host!);
                    break;
                case false:
                    errors.Add(new ConfigNotice(ConfigNoticeKind.FileLineError, "read-ethers", error!, source,
                        "write a MAC address, then a host name or an IPv4 address (e.g. 52:54:00:12:34:56 node1)"));
                    break;
            }
        }
        return new DhcpFileContent(path, hosts.ToImmutable(), [], errors.ToImmutable());
    }

    /// <summary>Null for a blank or comment line (dnsmasq also skips NIS <c>+</c> lines).</summary>
    private static bool? ParseEthersLine(string line, SourceLocation source, out DhcpHostConfig? host, out string? error)
    {
        host = null;
        error = null;
        var fields = line.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
        if (fields.Length == 0 || fields[0][0] is '#' or '+')
        {
            return null;
        }
        if (fields.Length < 2 || !HardwareAddressSyntax.TryParse(fields[0], out var type, out var bytes)
            || type is not null || bytes.Length != 6 || bytes.Any(b => b is null))
        {
            error = "bad line";
            return false;
        }
        host = new DhcpHostConfig { HardwareAddresses = [new HardwareAddressPattern(HardwareAddressPattern.Ethernet, bytes)], Source = source };
        if (IPv4Address.TryParse(fields[1], out var address))
        {
            host = host with { Address = address };
            return true;
        }
        if (!DhcpHostParser.IsLegalHostName(fields[1]))
        {
            error = "bad name";
            host = null;
            return false;
        }
        host = host with { HostName = fields[1] };
        return true;
    }

    private static DhcpFileContent Failed(string path, string message, SourceLocation? requestedAt, string hint) =>
        new(path, [], [], [new ConfigNotice(ConfigNoticeKind.FileLineError, "file", message, requestedAt ?? SourceLocation.CommandLine, hint)]);

    private static void Add(ConfigBuilder config, DhcpFileContent content)
    {
        if (!content.Hosts.IsEmpty || !content.Options.IsEmpty)
        {
            // Listed among the files read, so options keep "later file wins" order (SourceOrder) after the configuration's.
            config.SourceFiles.Add(content.Path);
        }
        foreach (var host in content.Hosts)
        {
            if (host.Address is { } address && config.Hosts.FirstOrDefault(h => h.Address == address) is { } earlier)
            {
                config.Notices.Add(new ConfigNotice(ConfigNoticeKind.FileLineError, "dhcp-host", $"duplicate dhcp-host IP address {address}", host.Source,
                    $"{address} is already given to another host {earlier.Source}; each static address belongs to one dhcp-host line"));
                continue;
            }
            config.Hosts.Add(host);
        }
        config.Options.AddRange(content.Options);
        config.Notices.AddRange(content.Errors);
    }
}

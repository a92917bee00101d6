using System.Collections.Immutable;
using NetBoot.Configuration.Model;
using NetBoot.Wire.Net;

namespace NetBoot.Hosting;

/// <summary>Boot-server names in <c>pxe-service</c> and <c>dhcp-boot</c> resolve through /etc/hosts, as dnsmasq
/// does (<c>a_record_from_hosts</c>; no DNS query on the reply path). Done once per configuration snapshot, so
/// the engine only ever sees addresses.</summary>
public static class ServerNameResolution
{
    public const string HostsPath = "/etc/hosts";

    /// <summary>Name → first IPv4 address of /etc/hosts text (case-insensitive names, aliases included).</summary>
    public static ImmutableDictionary<string, IPv4Address> ParseHosts(string hostsText)
    {
        ArgumentNullException.ThrowIfNull(hostsText);
        var names = ImmutableDictionary.CreateBuilder<string, IPv4Address>(StringComparer.OrdinalIgnoreCase);
        foreach (var rawLine in hostsText.Split('\n'))
        {
            var line = rawLine.Split('#')[0];
            var fields = line.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length < 2 || !IPv4Address.TryParse(fields[0], out var address))
            {
                continue;
            }
            foreach (var name in fields.Skip(1))
            {
                names.TryAdd(name, address);
            }
        }
        return names.ToImmutable();
    }

    /// <summary>Replaces every server name that /etc/hosts knows by its address; each unknown one becomes a warning
    /// (dnsmasq then sends 0.0.0.0, which firmware cannot use).</summary>
    public static ServerConfig Apply(ServerConfig config, IReadOnlyDictionary<string, IPv4Address> hosts)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(hosts);
        var warnings = ImmutableArray.CreateBuilder<ConfigNotice>();
        string? Resolve(string? server, string directive, SourceLocation source)
        {
            if (server is null || IPv4Address.TryParse(server, out _))
            {
                return server;
            }
            if (hosts.TryGetValue(server, out var address))
            {
                return address.ToString();
            }
            warnings.Add(new ConfigNotice(ConfigNoticeKind.Warning, directive,
                $"boot server name '{server}' is not in {HostsPath}: clients would be sent 0.0.0.0; add it there or write the address", source));
            return server;
        }
        var services = config.PxeServices.Select(s => s with { Server = Resolve(s.Server, "pxe-service", s.Source) }).ToImmutableArray();
        var bootFiles = config.BootFiles.Select(b => b with { ServerAddress = Resolve(b.ServerAddress, "dhcp-boot", b.Source) }).ToImmutableArray();
        return config with { PxeServices = services, BootFiles = bootFiles, Notices = config.Notices.AddRange(warnings) };
    }

    /// <summary>Reads /etc/hosts (a missing file means no names) and applies it.</summary>
    public static ServerConfig ApplyHostsFile(ServerConfig config) =>
        Apply(config, File.Exists(HostsPath) ? ParseHosts(File.ReadAllText(HostsPath)) : ImmutableDictionary<string, IPv4Address>.Empty);
}

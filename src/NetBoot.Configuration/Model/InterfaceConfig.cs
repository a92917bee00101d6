using System.Collections.Immutable;
using NetBoot.Wire.Net;

namespace NetBoot.Configuration.Model;

/// <summary><c>interface</c>, <c>except-interface</c>, <c>listen-address</c>, <c>bind-interfaces</c>, <c>no-dhcp-interface</c>.</summary>
public sealed record InterfaceConfig
{
    /// <summary>Empty = every interface (except loopback, as dnsmasq does for DHCP).</summary>
    public ImmutableArray<string> Include { get; init; } = [];
    public ImmutableArray<string> Exclude { get; init; } = [];
    public ImmutableArray<string> NoDhcp { get; init; } = [];
    public ImmutableArray<IPv4Address> ListenAddresses { get; init; } = [];
    /// <summary>The first <c>listen-address</c> line, for warnings about its addresses.</summary>
    public SourceLocation? ListenAddressSource { get; init; }
    public bool BindInterfaces { get; init; }
    /// <summary><c>bind-dynamic</c>: bind per interface and follow interfaces that appear later (implies <see cref="BindInterfaces"/>).</summary>
    public bool BindDynamic { get; init; }

    /// <summary>Interface names support a trailing <c>*</c> wildcard, as dnsmasq's do.</summary>
    public bool Allows(string interfaceName)
    {
        if (Exclude.Any(p => NameMatches(p, interfaceName)) || NoDhcp.Any(p => NameMatches(p, interfaceName)))
        {
            return false;
        }
        return Include.IsDefaultOrEmpty || Include.Any(p => NameMatches(p, interfaceName));
    }

    private static bool NameMatches(string pattern, string name) =>
        pattern.EndsWith('*') ? name.StartsWith(pattern[..^1], StringComparison.Ordinal) : pattern == name;
}

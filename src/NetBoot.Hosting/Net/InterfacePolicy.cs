using System.Collections.Frozen;
using System.Collections.Immutable;
using NetBoot.Configuration.Model;

namespace NetBoot.Hosting.Net;

/// <summary>dnsmasq's three network modes, on NetBoot's sockets (always one per interface, bound to the device).</summary>
public enum InterfaceBinding
{
    /// <summary>Neither <c>bind-interfaces</c> nor <c>bind-dynamic</c>. dnsmasq listens on the wildcard address and filters
    /// by interface, so an interface that appears later is served and a named one that does not exist yet is only a
    /// warning ("interface X does not currently exist"); NetBoot does the same with per-device sockets.</summary>
    Default,

    /// <summary><c>bind-interfaces</c>: the interfaces present at start, once and for all; a named interface that does
    /// not exist is fatal (dnsmasq: "unknown interface X", exit code 2).</summary>
    Interfaces,

    /// <summary><c>bind-dynamic</c>: per-interface binding that follows interfaces and addresses as they appear.</summary>
    Dynamic,
}

/// <summary>Which interfaces a service may listen on, from <c>interface</c>, <c>except-interface</c>,
/// <c>no-dhcp-interface</c> and the binding mode; the services add what they need on top (an address in a range, IPv4).</summary>
public sealed class InterfacePolicy
{
    private readonly FrozenSet<string>? _presentAtStart;

    private InterfacePolicy(InterfaceConfig config, InterfaceBinding binding, FrozenSet<string>? presentAtStart)
    {
        Config = config;
        Binding = binding;
        _presentAtStart = presentAtStart;
    }

    public InterfaceConfig Config { get; }

    public InterfaceBinding Binding { get; }

    public bool FollowsNewInterfaces => Binding != InterfaceBinding.Interfaces;

    public static InterfaceBinding BindingOf(InterfaceConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        return config.BindDynamic ? InterfaceBinding.Dynamic : config.BindInterfaces ? InterfaceBinding.Interfaces : InterfaceBinding.Default;
    }

    /// <summary>The policy for a server started when the kernel had <paramref name="atStart"/>.</summary>
    public static InterfacePolicy Create(InterfaceConfig config, InterfaceReading atStart)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(atStart);
        var binding = BindingOf(config);
        return new InterfacePolicy(config, binding,
            binding == InterfaceBinding.Interfaces ? atStart.Interfaces.Select(n => n.Name).ToFrozenSet(StringComparer.Ordinal) : null);
    }

    /// <summary>Allowed by <c>interface</c>/<c>except-interface</c>/<c>no-dhcp-interface</c> (loopback only when named,
    /// as dnsmasq does for DHCP) and, under <c>bind-interfaces</c>, present at start.</summary>
    public bool Covers(HostInterface nic)
    {
        ArgumentNullException.ThrowIfNull(nic);
        return IsCandidate(nic) && Config.Allows(nic.Name) && (!nic.IsLoopback || Config.Include.Contains(nic.Name));
    }

    /// <summary>Under <c>bind-interfaces</c>, only an interface present at start; otherwise any.</summary>
    public bool IsCandidate(HostInterface nic)
    {
        ArgumentNullException.ThrowIfNull(nic);
        return _presentAtStart is null || _presentAtStart.Contains(nic.Name);
    }

    /// <summary>The <c>interface=</c> names (or wildcards) that match no interface the kernel has.</summary>
    public static ImmutableArray<string> Missing(InterfaceConfig config, IEnumerable<HostInterface> interfaces)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(interfaces);
        var names = interfaces.Select(n => n.Name).ToArray();
        return [.. config.Include.Distinct(StringComparer.Ordinal).Where(pattern => !names.Any(name => Matches(pattern, name)))];
    }

    private static bool Matches(string pattern, string name) =>
        pattern.EndsWith('*') ? name.StartsWith(pattern[..^1], StringComparison.Ordinal) : pattern == name;
}

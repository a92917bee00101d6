using NetBoot.Configuration.Model;
using NetBoot.Wire.Net;

namespace NetBoot.Hosting.Net;

/// <summary>Where DHCP and PXE answer: on an interface with an address in the subnet of some <c>dhcp-range</c> (dnsmasq
/// answers only where it has a context); which interfaces are allowed at all is <see cref="InterfacePolicy"/>'s.</summary>
public static class InterfaceSelection
{
    /// <summary>The interface whose address, ranges and <c>interface</c>/<c>except-interface</c> rules a request arriving on
    /// <paramref name="nic"/> is served by: for an alias of <c>bridge-interface=INTERFACE,ALIAS…</c>, INTERFACE (null when
    /// the kernel has no such interface now: dnsmasq then drops the request); otherwise <paramref name="nic"/> itself.</summary>
    public static HostInterface? ServedAs(ServerConfig config, HostInterface nic, InterfaceReading reading)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(nic);
        ArgumentNullException.ThrowIfNull(reading);
        // dnsmasq dhcp.c: the first bridge with a matching alias wins.
        return config.Protocol.Bridges.FirstOrDefault(b => b.HasAlias(nic.Name)) is { } bridge
            ? reading.Interfaces.FirstOrDefault(i => i.Name == bridge.InterfaceName)
            : nic;
    }

    /// <summary>The serving address for a request arriving on <paramref name="nic"/>: its own, or for a
    /// <c>bridge-interface</c> alias the bridge interface's (the alias itself usually has none).</summary>
    public static (IPv4Address Address, IPv4Address Netmask)? ServingAddress(ServerConfig config, HostInterface nic, InterfaceReading reading) =>
        ServedAs(config, nic, reading) is { } served ? ServingAddress(config, served) : null;

    /// <summary>The interface's own address whose subnet holds a range (honouring a range's explicit netmask).</summary>
    public static (IPv4Address Address, IPv4Address Netmask)? ServingAddress(ServerConfig config, HostInterface nic)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(nic);
        foreach (var (address, netmask) in nic.Addresses)
        {
            if (!config.Interfaces.ListenAddresses.IsDefaultOrEmpty && !config.Interfaces.ListenAddresses.Contains(address))
            {
                continue;
            }
            foreach (var range in config.Ranges)
            {
                var mask = range.Netmask ?? netmask;
                if (range.Start.IsInSubnet(address, mask) || IsSharedWith(config, nic.Name, range, mask))
                {
                    return (address, netmask);
                }
            }
        }
        return null;
    }

    /// <summary><c>shared-network=INTERFACE,ADDRESS</c>: the range on ADDRESS's network is served on that interface too,
    /// so an interface whose own subnet has no range still answers (with its own address as server identifier).</summary>
    private static bool IsSharedWith(ServerConfig config, string interfaceName, DhcpRangeConfig range, IPv4Address mask) =>
        config.Protocol.SharedNetworks.Any(n => n.InterfaceName == interfaceName && range.Start.IsInSubnet(n.SharedAddress, mask));
}

using System.Collections.Immutable;
using NetBoot.Configuration.Model;
using NetBoot.Engine;
using NetBoot.Wire.Net;

namespace NetBoot.Hosting.Net;

/// <summary>Which interfaces DHCP and PXE listen on: those allowed by <c>interface</c>/<c>except-interface</c>
/// that have an address in the subnet of some <c>dhcp-range</c> (dnsmasq answers only where it has a context).</summary>
public static class InterfaceSelection
{
    public static ImmutableArray<ArrivalInterface> ForDhcp(ServerConfig config, IEnumerable<HostInterface> interfaces)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(interfaces);
        var selected = ImmutableArray.CreateBuilder<ArrivalInterface>();
        foreach (var nic in interfaces)
        {
            var explicitlyNamed = config.Interfaces.Include.Contains(nic.Name);
            if (!config.Interfaces.Allows(nic.Name) || (nic.IsLoopback && !explicitlyNamed))
            {
                continue;
            }
            if (ServingAddress(config, nic) is { } served)
            {
                selected.Add(new ArrivalInterface(nic.Name, nic.Index, served.Address, served.Netmask, nic.Mtu));
            }
        }
        return selected.ToImmutable();
    }

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
                if (range.Start.IsInSubnet(address, mask))
                {
                    return (address, netmask);
                }
            }
        }
        return null;
    }
}

using NetBoot.Configuration.Model;
using NetBoot.Wire.Net;

namespace NetBoot.Hosting.Net;

/// <summary>Where DHCP and PXE answer: on an interface with an address in the subnet of some <c>dhcp-range</c> (dnsmasq
/// answers only where it has a context); which interfaces are allowed at all is <see cref="InterfacePolicy"/>'s.</summary>
public static class InterfaceSelection
{
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

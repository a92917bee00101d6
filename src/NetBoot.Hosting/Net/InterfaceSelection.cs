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
                if (range.Start.IsInSubnet(address, mask))
                {
                    return (address, netmask);
                }
            }
        }
        return null;
    }
}

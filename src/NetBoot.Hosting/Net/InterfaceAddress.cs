using System.Collections.Immutable;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using NetBoot.Wire.Net;

namespace NetBoot.Hosting.Net;

/// <summary>An interface as the sockets see it: name, kernel index, MTU and its IPv4 addresses with masks.</summary>
public sealed record HostInterface(
    string Name,
    int Index,
    int Mtu,
    bool IsLoopback,
    ImmutableArray<(IPv4Address Address, IPv4Address Netmask)> Addresses)
{
    /// <summary>Reads the host's interfaces that are up and have IPv4.</summary>
    public static ImmutableArray<HostInterface> Enumerate()
    {
        var result = ImmutableArray.CreateBuilder<HostInterface>();
        foreach (var nic in NetworkInterface.GetAllNetworkInterfaces())
        {
            if (nic.OperationalStatus == OperationalStatus.Down)
            {
                continue;
            }
            var properties = nic.GetIPProperties();
            var ipv4 = properties.GetIPv4Properties();
            if (ipv4 is null)
            {
                continue;
            }
            var addresses = properties.UnicastAddresses
                .Where(a => a.Address.AddressFamily == AddressFamily.InterNetwork)
                .Select(a => (IPv4Address.FromIPAddress(a.Address), IPv4Address.MaskFromPrefix(a.PrefixLength)))
                .ToImmutableArray();
            if (addresses.IsEmpty)
            {
                continue;
            }
            result.Add(new HostInterface(nic.Name, ipv4.Index, ipv4.Mtu, nic.NetworkInterfaceType == NetworkInterfaceType.Loopback, addresses));
        }
        return result.ToImmutable();
    }
}

using NetBoot.Wire.Net;

namespace NetBoot.Engine;

/// <summary>The interface a request arrived on (from IP_PKTINFO) and this server's own address there.</summary>
public sealed record ArrivalInterface(string Name, int Index, IPv4Address Address, IPv4Address Netmask, int Mtu = 1500)
{
    public IPv4Address Network => Address.Mask(Netmask);

    public bool Contains(IPv4Address address) => address.IsInSubnet(Address, Netmask);
}

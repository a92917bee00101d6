namespace NetBoot.Interop.Tests.Lab;

/// <summary>The test LAN's addressing. Fixed values are safe: every run has its own namespaces.</summary>
public static class LabNetwork
{
    public const string Subnet = "10.77.0.0";
    public const int PrefixLength = 24;
    public const string Netmask = "255.255.255.0";
    public const string RouterAddress = "10.77.0.1";
    public const string ServerAddress = "10.77.0.2";
    public const string PoolStart = "10.77.0.100";
    public const string PoolEnd = "10.77.0.150";

    /// <summary>An IPv6 prefix the router advertises, so iPXE need not wait 13 to 16 s for a router.</summary>
    public const string Ipv6Prefix = "fd77::";
    public const string RouterIpv6Address = "fd77::1";

    /// <summary>The server's address on an IPv6-only segment (<see cref="NamespaceLab.AddServerIpv6AddressAsync"/>),
    /// and the DHCPv6 pool it leases from.</summary>
    public const string ServerIpv6Address = "fd77::2";
    public const string Ipv6PoolStart = "fd77::100";
    public const string Ipv6PoolEnd = "fd77::1ff";

    /// <summary>Interface names inside the namespaces (each namespace is private to one run).</summary>
    public const string Bridge = "br0";
    public const string Tap = "tap0";
    public const string RouterInterface = "rt0";
    public const string ServerInterface = "sv0";

    public const string ClientMac = "52:54:00:4e:42:01";
}

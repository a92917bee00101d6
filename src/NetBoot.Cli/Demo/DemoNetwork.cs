namespace NetBoot.Cli.Demo;

/// <summary>The demo LAN's addressing. Fixed values are safe: every run has namespaces of its own, so nothing here is
/// ever seen by the host's interfaces or by another run.</summary>
internal static class DemoNetwork
{
    public const string Subnet = "10.77.0.0";
    public const int PrefixLength = 24;
    public const string Netmask = "255.255.255.0";
    public const string RouterAddress = "10.77.0.1";
    public const string ServerAddress = "10.77.0.2";
    public const string PoolStart = "10.77.0.100";
    public const string PoolEnd = "10.77.0.150";

    /// <summary>An IPv6 prefix the router advertises: iPXE otherwise waits 13 to 16 s for an IPv6 router.</summary>
    public const string Ipv6Prefix = "fd77::";
    public const string RouterIpv6Address = "fd77::1";

    /// <summary>Interface names inside the namespaces (private to the run, so fixed).</summary>
    public const string Bridge = "br0";
    public const string Tap = "tap0";
    public const string RouterInterface = "rt0";
    public const string ServerInterface = "sv0";

    /// <summary>The VM's MAC: QEMU's prefix 52:54:00, then "ND" (NetBoot Demo) and 01.</summary>
    public const string ClientMac = "52:54:00:4e:44:01";

    public const int HttpPort = 8080;
}

using NetBoot.Wire.Net;

namespace NetBoot.Engine.Pxe;

/// <summary>The server field of <c>pxe-service</c> / <c>dhcp-boot</c>: an IPv4 literal or a host name.</summary>
public static class ServerAddress
{
    /// <summary>An IPv4 literal resolves to itself. dnsmasq looks names up in /etc/hosts (<c>a_record_from_hosts</c>) and
    /// uses 0.0.0.0 when that fails; the engine does no I/O, so names resolve to 0.0.0.0 here until the configuration
    /// snapshot carries resolved host names (a later issue).</summary>
    public static IPv4Address Resolve(string server) =>
        IPv4Address.TryParse(server, out var address) ? address : IPv4Address.Any;

    public static bool IsName(string server) => !IPv4Address.TryParse(server, out _);
}

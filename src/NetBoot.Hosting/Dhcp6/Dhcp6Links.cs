using System.Collections.Immutable;
using System.Net;
using NetBoot.Configuration.Model;
using NetBoot.Engine.Dhcp6;
using NetBoot.Wire.Dhcp6;
using NetBoot.Wire.Net;

namespace NetBoot.Hosting.Dhcp6;

/// <summary>Which interfaces the DHCPv6 service answers on, what each link's ranges are, where a reply goes, and the
/// server DUID: the pure part of <see cref="Dhcp6Service"/>.</summary>
public static class Dhcp6Links
{
    /// <summary>RFC 8415 §7.2.</summary>
    public const int ClientPort = 546;

    /// <summary>RFC 8415 §7.2.</summary>
    public const int ServerPort = 547;

    /// <summary>RFC 8415 §7.1: All_DHCP_Relay_Agents_and_Servers, where clients send.</summary>
    public static readonly IPAddress AllRelayAgentsAndServers = IPAddress.Parse("ff02::1:2");

    /// <summary>A range DHCPv6 answers for: it leases addresses, or gives options only (<c>ra-stateless</c>); <c>ra-only</c>
    /// and <c>slaac</c> ranges are router advertisements alone.</summary>
    public static bool IsDhcpRange(Dhcp6RangeConfig range)
    {
        ArgumentNullException.ThrowIfNull(range);
        return range.Modes.HasFlag(Dhcp6RangeModes.Dhcp);
    }

    /// <summary>Whether <c>netboot serve</c> starts the DHCPv6 service at all.</summary>
    public static bool Serves(ServerConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        return config.Ipv6.Ranges.Any(IsDhcpRange);
    }

    /// <summary>The link <paramref name="nic"/> serves, or null when no DHCPv6 range is on it or <c>interface</c>,
    /// <c>except-interface</c>, <c>no-dhcp-interface</c> leave it out. A literal range is on the interface when one of its
    /// global addresses is on the range's prefix (dnsmasq matches contexts to interfaces so); a <c>constructor:</c> range
    /// whose pattern names the interface is made once per global prefix of it.</summary>
    public static Dhcp6Link? Build(ServerConfig config, Ipv6Interface nic)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(nic);
        if (!config.Interfaces.Allows(nic.Name) || nic.Name == "lo")
        {
            return null;
        }
        var global = nic.Global.ToArray();
        var ranges = ImmutableArray.CreateBuilder<Dhcp6LinkRange>();
        foreach (var range in config.Ipv6.Ranges.Where(IsDhcpRange))
        {
            if (range.ConstructorInterface is { } pattern)
            {
                if (NameMatches(pattern, nic.Name))
                {
                    // One range per distinct prefix (two addresses on one /64 make one range).
                    ranges.AddRange(global.Select(a => a.Address.Mask(range.PrefixLength)).Distinct().Select(p => Dhcp6LinkRange.Constructed(range, p)));
                }
            }
            else
            {
                var literal = Dhcp6LinkRange.FromLiteral(range);
                if (global.Any(a => literal.IsOnLink(a.Address)))
                {
                    ranges.Add(literal);
                }
            }
        }
        if (ranges.Count == 0)
        {
            return null;
        }
        var linked = ranges.ToImmutable();
        return new Dhcp6Link(nic.Name, ServerAddress(nic, global, linked), linked);
    }

    /// <summary>The link for a relayed message that names its client's link by a global link-address (RFC 8415 §19.1.1): every
    /// DHCPv6 range (a <c>constructor:</c> one as made on each interface), of which the responder keeps those on that
    /// link-address, as dnsmasq picks contexts by the relay's link-address, not by the interface the relay reached it
    /// on. Null when the message names no such link (the arrival interface's own link serves it then).</summary>
    public static Dhcp6Link? ForRelay(ServerConfig config, Dhcp6Packet packet, Ipv6Interface arrival, IEnumerable<Ipv6Interface> interfaces)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(arrival);
        if (packet is not Dhcp6RelayMessage relay || InnermostLinkAddress(relay) is not { IsZero: false, IsLinkLocal: false })
        {
            return null;
        }
        var ranges = config.Ipv6.Ranges.Where(r => IsDhcpRange(r) && !r.IsTemplate).Select(Dhcp6LinkRange.FromLiteral)
            .Concat(interfaces.Select(nic => Build(config, nic)).SelectMany(l => l is null ? [] : l.Ranges.Where(r => r.Config.IsTemplate)))
            .ToImmutableArray();
        var global = arrival.Global.ToArray();
        return new Dhcp6Link(arrival.Name, ServerAddress(arrival, global, ranges), ranges);
    }

    private static IPv6Address InnermostLinkAddress(Dhcp6RelayMessage relay)
    {
        var current = relay;
        while (current.Relayed is Dhcp6RelayMessage inner)
        {
            current = inner;
        }
        return current.LinkAddress;
    }

    /// <summary>The address <c>[::]</c> in a URL stands for: the interface's global address on a served range, else any
    /// global one, else its link-local one.</summary>
    private static IPv6Address ServerAddress(Ipv6Interface nic, Ipv6InterfaceAddress[] global, ImmutableArray<Dhcp6LinkRange> ranges) =>
        global.Where(a => ranges.Any(r => r.IsOnLink(a.Address))).Select(a => (IPv6Address?)a.Address).FirstOrDefault()
        ?? global.Select(a => (IPv6Address?)a.Address).FirstOrDefault()
        ?? nic.LinkLocal
        ?? IPv6Address.Any;

    /// <summary>dnsmasq's interface patterns: a trailing <c>*</c> matches any suffix.</summary>
    public static bool NameMatches(string pattern, string name)
    {
        ArgumentNullException.ThrowIfNull(pattern);
        return pattern.EndsWith('*') ? name.StartsWith(pattern[..^1], StringComparison.Ordinal) : pattern == name;
    }

    /// <summary>Where the answer to a datagram from <paramref name="source"/> goes: a RELAY-REPL back to the relay agent
    /// at the port it sent from (547, or another one under RFC 8357); anything else to the client's address (its link-local
    /// one, scoped to the arrival interface) at port 546 (RFC 8415 §7.2, §18.3.10).</summary>
    public static IPEndPoint ReplyDestination(Dhcp6Packet request, IPEndPoint source, int arrivalIndex)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(source);
        var address = source.Address.IsIPv6LinkLocal || source.Address.IsIPv6Multicast
            ? new IPAddress(source.Address.GetAddressBytes(), arrivalIndex)
            : source.Address;
        return new IPEndPoint(address, request is Dhcp6RelayMessage ? source.Port : ClientPort);
    }

    /// <summary>The server DUID to use when the store has none: <c>dhcp-duid</c> when configured, else a DUID-LLT (RFC 8415
    /// §11.2) from the MAC of the first served interface that has one (dnsmasq makes its DUID from the first interface's
    /// MAC), else from any interface's MAC, else from a random locally administered MAC.</summary>
    public static Duid ServerDuid(Duid? configured, IEnumerable<Ipv6Interface> served, IEnumerable<Ipv6Interface> all, DateTimeOffset now)
    {
        if (configured is { } duid)
        {
            return duid;
        }
        var mac = served.Concat(all).Select(i => i.HardwareAddress).FirstOrDefault(m => m is not null);
        if (mac is { } found)
        {
            return Duid.LinkLayerPlusTime(found, now);
        }
        Span<byte> random = stackalloc byte[6];
        System.Security.Cryptography.RandomNumberGenerator.Fill(random);
        // Locally administered, unicast (IEEE 802 bits of the first octet).
        random[0] = (byte)((random[0] | 0x02) & 0xFE);
        return Duid.LinkLayerPlusTime(HardwareAddress.Ethernet(random), now);
    }
}

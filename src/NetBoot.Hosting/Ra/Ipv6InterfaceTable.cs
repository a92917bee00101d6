using System.Collections.Immutable;
using System.Globalization;
using NetBoot.Configuration.Model;
using NetBoot.Engine.Ra;
using NetBoot.Hosting.Net;
using NetBoot.Wire.Net;

namespace NetBoot.Hosting.Ra;

/// <summary>One IPv6 address line of <c>/proc/net/if_inet6</c>: the address, its interface and flags.</summary>
public sealed record Ipv6AddressEntry(int InterfaceIndex, string InterfaceName, RaInterfaceAddress Address);

/// <summary>The IPv6 side of the host's interfaces, as router advertisements need it: addresses (with the kernel's
/// deprecated and tentative flags) from <c>/proc/net/if_inet6</c>, the IPv6 MTU and hop limit from
/// <c>/proc/sys/net/ipv6/conf/&lt;if&gt;/</c> (where dnsmasq reads the MTU), the MAC from <c>/sys/class/net</c>.
/// <para>The file does not give address lifetimes: every address reads as never expiring. dnsmasq (reading them over
/// netlink) uses them only to cap a <c>constructor:</c> prefix, and constructs only from permanent addresses, whose
/// lifetimes are infinite; what differs is the lifetime of RDNSS/DNSSL when the server's own best address is a
/// SLAAC or DHCPv6 one (dnsmasq: its remaining preferred lifetime; NetBoot: the advertised prefix's).</para></summary>
public static class Ipv6InterfaceTable
{
    // linux/if_addr.h IFA_F_* (the file shows the low 8 bits).
    private const int Deprecated = 0x20;
    private const int Tentative = 0x40;
    private const int DadFailed = 0x08;
    private const int Permanent = 0x80;

    /// <summary>Every line that parses; others (a future format) are skipped.</summary>
    public static ImmutableArray<Ipv6AddressEntry> Parse(string ifInet6)
    {
        ArgumentNullException.ThrowIfNull(ifInet6);
        var entries = ImmutableArray.CreateBuilder<Ipv6AddressEntry>();
        foreach (var line in ifInet6.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length != 6 || fields[0].Length != 32
                || !UInt128.TryParse(fields[0], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var value)
                || !int.TryParse(fields[1], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var index)
                || !int.TryParse(fields[2], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var prefixLength)
                || !int.TryParse(fields[4], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var flags))
            {
                continue;
            }
            var address = RaInterfaceAddress.Permanent(new IPv6Address(value), prefixLength) with
            {
                IsDeprecated = (flags & Deprecated) != 0,
                IsTentative = (flags & (Tentative | DadFailed)) != 0,
                IsPermanent = (flags & Permanent) != 0,
            };
            entries.Add(new Ipv6AddressEntry(index, fields[5], address));
        }
        return entries.ToImmutable();
    }

    /// <summary>The interfaces with IPv6 addresses now, each with its MAC, IPv6 MTU and hop limit.</summary>
    public static ImmutableDictionary<int, RaLinkState> Read()
    {
        var text = TryRead("/proc/net/if_inet6") ?? string.Empty;
        return [.. Parse(text).GroupBy(e => (e.InterfaceIndex, e.InterfaceName)).Select(g => KeyValuePair.Create(g.Key.InterfaceIndex,
            new RaLinkState(g.Key.InterfaceName, HardwareAddress(g.Key.InterfaceName), Ipv6Mtu(g.Key.InterfaceName) ?? 0,
                HopLimit(g.Key.InterfaceName), [.. g.Select(e => e.Address)])))];
    }

    /// <summary>The interfaces router advertisements may go out on: up, not loopback, allowed by
    /// interface/except-interface/no-dhcp-interface (dnsmasq iface_check), with IPv6 addresses.</summary>
    public static ImmutableDictionary<int, RaLinkState> Served(InterfaceConfig interfaces, IEnumerable<HostInterface> nics)
    {
        ArgumentNullException.ThrowIfNull(interfaces);
        ArgumentNullException.ThrowIfNull(nics);
        var byIndex = nics.ToDictionary(n => n.Index);
        return Read().Where(pair => byIndex.TryGetValue(pair.Key, out var nic) && nic is { IsUp: true, IsLoopback: false }
            && nic.Name == pair.Value.InterfaceName && interfaces.Allows(nic.Name)).ToImmutableDictionary();
    }

    /// <summary>dnsmasq reads /proc/sys/net/ipv6/conf/&lt;if&gt;/mtu (the IPv6 MTU, which may differ from the link's).</summary>
    public static int? Ipv6Mtu(string interfaceName) => ReadInt($"/proc/sys/net/ipv6/conf/{interfaceName}/mtu");

    /// <summary>The Cur Hop Limit to advertise: the interface's own setting, 64 (RFC 8200's usual value) when unreadable.</summary>
    private static byte HopLimit(string interfaceName) =>
        ReadInt($"/proc/sys/net/ipv6/conf/{interfaceName}/hop_limit") is { } limit and > 0 and <= 255 ? (byte)limit : (byte)64;

    private static ImmutableArray<byte> HardwareAddress(string interfaceName)
    {
        var text = TryRead($"/sys/class/net/{interfaceName}/address")?.Trim();
        if (string.IsNullOrEmpty(text))
        {
            return [];
        }
        var parts = text.Split(':');
        var bytes = new byte[parts.Length];
        for (var i = 0; i < parts.Length; i++)
        {
            if (!byte.TryParse(parts[i], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out bytes[i]))
            {
                return [];
            }
        }
        // All zeros (a tunnel, a dummy) is no link-layer address to advertise.
        return bytes.All(b => b == 0) ? [] : [.. bytes];
    }

    private static int? ReadInt(string path) =>
        int.TryParse(TryRead(path)?.Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) ? value : null;

    private static string? TryRead(string path)
    {
        try
        {
            return File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}

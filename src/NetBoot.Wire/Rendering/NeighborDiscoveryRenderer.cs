using System.Globalization;
using NetBoot.Wire.Icmp6;

namespace NetBoot.Wire.Rendering;

/// <summary>Renders Router Solicitations and Advertisements (RFC 4861 §4.1, §4.2) for <c>netboot decode</c>.</summary>
public static class NeighborDiscoveryRenderer
{
    public static string Summary(RouterAdvertisement advertisement)
    {
        ArgumentNullException.ThrowIfNull(advertisement);
        var flags = new List<string>();
        if (advertisement.IsManaged)
        {
            flags.Add("M (addresses by DHCPv6)");
        }
        if (advertisement.IsOtherConfiguration)
        {
            flags.Add("O (other configuration by DHCPv6)");
        }
        var flagText = flags.Count == 0 ? "no M/O flags" : "flags " + string.Join(", ", flags);
        return string.Create(CultureInfo.InvariantCulture,
            $"ROUTER-ADVERTISEMENT  {flagText}  router lifetime {advertisement.RouterLifetime.TotalSeconds}s");
    }

    public static void RenderBody(RenderWriter writer, RouterAdvertisement advertisement)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(advertisement);
        writer.Line(string.Create(CultureInfo.InvariantCulture,
            $"hop limit {advertisement.CurrentHopLimit}  preference {advertisement.Preference.ToString().ToLowerInvariant()}  reachable {advertisement.ReachableTime.TotalMilliseconds}ms  retrans {advertisement.RetransmitTimer.TotalMilliseconds}ms"));
        if (!advertisement.SourceLinkLayerAddress.IsEmpty)
        {
            writer.Line("source link-layer " + LinkLayer(advertisement.SourceLinkLayerAddress.AsSpan()));
        }
        if (advertisement.Mtu is { } mtu)
        {
            writer.Line(string.Create(CultureInfo.InvariantCulture, $"mtu {mtu}"));
        }
        foreach (var prefix in advertisement.Prefixes)
        {
            var flags = (prefix.IsOnLink ? "L" : "") + (prefix.IsAutonomous ? "A" : "");
            writer.Line(string.Create(CultureInfo.InvariantCulture,
                $"prefix {prefix.Prefix}/{prefix.PrefixLength}  flags {(flags.Length == 0 ? "none" : flags)}  valid {Seconds(prefix.ValidLifetime)}  preferred {Seconds(prefix.PreferredLifetime)}"));
        }
        foreach (var dns in advertisement.DnsServers)
        {
            writer.Line($"rdnss {string.Join(", ", dns.Servers)}  lifetime {Seconds(dns.Lifetime)}");
        }
        foreach (var search in advertisement.SearchLists)
        {
            writer.Line($"dnssl {string.Join(", ", search.Domains)}  lifetime {Seconds(search.Lifetime)}");
        }
        RenderOthers(writer, advertisement.OtherOptions);
    }

    public static string Summary(RouterSolicitation solicitation)
    {
        ArgumentNullException.ThrowIfNull(solicitation);
        return solicitation.SourceLinkLayerAddress.IsEmpty
            ? "ROUTER-SOLICITATION"
            : "ROUTER-SOLICITATION  source link-layer " + LinkLayer(solicitation.SourceLinkLayerAddress.AsSpan());
    }

    public static void RenderBody(RenderWriter writer, RouterSolicitation solicitation)
    {
        ArgumentNullException.ThrowIfNull(solicitation);
        RenderOthers(writer, solicitation.OtherOptions);
    }

    private static void RenderOthers(RenderWriter writer, IEnumerable<NeighborDiscoveryOption> options)
    {
        foreach (var option in options)
        {
            writer.Line(string.Create(CultureInfo.InvariantCulture, $"option {(byte)option.Type}  ") + ValueText.Hex(option.Data.AsSpan()));
        }
    }

    private static string LinkLayer(ReadOnlySpan<byte> address) =>
        string.Join(':', address.ToArray().Select(b => b.ToString("x2", CultureInfo.InvariantCulture)));

    private static string Seconds(TimeSpan time) => ValueText.Seconds((uint)Math.Clamp(time.TotalSeconds, 0, uint.MaxValue));
}

using System.Globalization;
using System.Text;
using NetBoot.Configuration.Model;
using NetBoot.Engine.Ra;
using NetBoot.Wire.Icmp6;

namespace NetBoot.Hosting.Ra;

/// <summary>The router advertisement part of <c>netboot check</c>: for each interface the server would serve, the RA it
/// would send now (flags, lifetimes, prefixes, options) or why it sends none.</summary>
public static class RouterAdvertisementSummary
{
    /// <param name="links">The served interfaces (up, not loopback, allowed), with their IPv6 state.</param>
    public static string Render(ServerConfig config, IEnumerable<RaLinkState> links, Func<string, int?>? mtuOf = null)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(links);
        if (!config.Ipv6.SendsRouterAdvertisements)
        {
            return string.Empty;
        }
        var text = new StringBuilder("\nRouter advertisements (planned from this host's interfaces now)\n");
        var any = false;
        foreach (var link in links.OrderBy(l => l.InterfaceName, StringComparer.Ordinal))
        {
            any = true;
            var plan = RouterAdvertisementPlanner.Plan(config.Ipv6, link, mtuOf);
            if (plan.Message is not { } ra)
            {
                text.Append(CultureInfo.InvariantCulture, $"  {link.InterfaceName}: none ({plan.NotSentReason?.Describe()})\n");
                continue;
            }
            text.Append(CultureInfo.InvariantCulture,
                $"  {link.InterfaceName} from {plan.Source}: M={Bit(ra.IsManaged)} O={Bit(ra.IsOtherConfiguration)} preference {ra.Preference.ToString().ToLowerInvariant()}, router lifetime {Seconds(ra.RouterLifetime)}, every {Seconds(plan.Interval)} at most{Mtu(ra)}\n");
            foreach (var prefix in ra.Prefixes)
            {
                text.Append(CultureInfo.InvariantCulture,
                    $"    prefix {prefix.Prefix}/{prefix.PrefixLength}{(prefix.IsOnLink ? " on-link" : "")}{(prefix.IsAutonomous ? " autonomous (SLAAC)" : "")}, valid {Seconds(prefix.ValidLifetime)}, preferred {Seconds(prefix.PreferredLifetime)}\n");
            }
            foreach (var servers in ra.DnsServers)
            {
                text.Append(CultureInfo.InvariantCulture, $"    RDNSS {string.Join(", ", servers.Servers)}, lifetime {Seconds(servers.Lifetime)}\n");
            }
            foreach (var search in ra.SearchLists)
            {
                text.Append(CultureInfo.InvariantCulture, $"    DNSSL {string.Join(", ", search.Domains)}, lifetime {Seconds(search.Lifetime)}\n");
            }
        }
        if (!any)
        {
            text.Append("  no interface is up with IPv6\n");
        }
        return text.ToString();
    }

    private static string Bit(bool value) => value ? "1" : "0";

    private static string Mtu(RouterAdvertisement ra) => ra.Mtu is { } mtu ? $", MTU {mtu}" : "";

    private static string Seconds(TimeSpan time) =>
        time >= RaLifetime.Infinite ? "infinite" : ((long)time.TotalSeconds).ToString(CultureInfo.InvariantCulture) + " s";
}

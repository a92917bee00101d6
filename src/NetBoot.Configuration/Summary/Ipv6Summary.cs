using System.Globalization;
using System.Text;
using NetBoot.Configuration.Model;
using NetBoot.Configuration.Parsing;
using NetBoot.Wire.Dhcp6;
using NetBoot.Wire.Icmp6;

namespace NetBoot.Configuration.Summary;

/// <summary>The IPv6 part of <c>netboot check</c>: ranges and what each asks for (DHCPv6 addresses, RA, SLAAC), router
/// advertisement parameters, the server DUID, DHCPv6 boot and other options, and DHCPv6 tag matches. The section title
/// says what is served: DHCPv6, not router advertisements.</summary>
internal static class Ipv6Summary
{
    public static void Render(SummaryWriter text, ServerConfig config)
    {
        var ipv6 = config.Ipv6;
        if (ipv6.IsEmpty)
        {
            return;
        }
        text.Section("IPv6 (DHCPv6 served; " + Ipv6Parser.RaNotServed + ")");
        foreach (var range in ipv6.Ranges)
        {
            var set = range.SetTag is { } tag ? $"  sets tag {tag}" : "";
            text.Item($"range {Ipv6Parser.Describe(range)}  {Modes(range)}{set}{ConfigSummary.Tags(range.Filter)}");
        }
        if (ipv6.EnableRouterAdvertisements)
        {
            text.Item("router advertisements: enabled on every interface with an IPv6 range (enable-ra)");
        }
        foreach (var param in ipv6.RouterAdvertisementParams)
        {
            text.Item($"router advertisements on {param.Interface}: {RaParam(param)}");
        }
        if (ipv6.ServerDuid is { } duid)
        {
            text.Item($"server DUID {duid}");
        }
        foreach (var option in ipv6.Options)
        {
            text.Item($"option6 {Dhcp6OptionCatalog.Describe(option.Code)} = {Value(option)}{ConfigSummary.Tags(option.Filter)}");
        }
        foreach (var match in ipv6.Matches)
        {
            text.Item($"{match.SetTag} <- dhcp-match {Dhcp6OptionCatalog.Describe(match.Code)} {MatchValue(match.Value)}");
        }
        foreach (var vendor in ipv6.VendorClasses)
        {
            text.Item($"{vendor.SetTag} <- vendor class (option6 16) of enterprise {vendor.EnterpriseNumber} contains \"{Encoding.UTF8.GetString(vendor.Pattern.AsSpan())}\"");
        }
        foreach (var host in config.Hosts.Where(h => h.Ipv6Address is not null))
        {
            text.Item($"dhcp-host {host.Ipv6Address} ({host.Source})");
        }
    }

    private static string Modes(Dhcp6RangeConfig range)
    {
        var parts = new List<string>();
        if (range.Modes.HasFlag(Dhcp6RangeModes.RaStateless))
        {
            parts.Add("stateless DHCPv6 (options only) with RA, SLAAC addresses");
        }
        else if (range.Modes.HasFlag(Dhcp6RangeModes.Static))
        {
            parts.Add("addresses only from dhcp-host");
        }
        else if (range.LeasesAddresses)
        {
            parts.Add($"DHCPv6 leases of {Lease(range.LeaseTime)}");
        }
        else if (range.PrefixLength == 0)
        {
            parts.Add("stateless DHCPv6 on any interface");
        }
        if (range.SendsRouterAdvertisements && !range.Modes.HasFlag(Dhcp6RangeModes.RaStateless))
        {
            parts.Add(range.LeasesAddresses ? "RA with SLAAC too" : "RA only (SLAAC addresses)");
        }
        if (range.Modes.HasFlag(Dhcp6RangeModes.RaNames))
        {
            parts.Add("ra-names");
        }
        if (range.Modes.HasFlag(Dhcp6RangeModes.RaAdvertiseRouter))
        {
            parts.Add("router address advertised");
        }
        if (range.Modes.HasFlag(Dhcp6RangeModes.OffLink))
        {
            parts.Add("off-link");
        }
        if (range.Modes.HasFlag(Dhcp6RangeModes.Deprecated))
        {
            parts.Add("deprecated");
        }
        return parts.Count == 0 ? "no DHCPv6 addresses, no RA" : string.Join(", ", parts);
    }

    private static string Lease(TimeSpan? lease) =>
        lease is { } time ? time.TotalSeconds.ToString(CultureInfo.InvariantCulture) + " s" : "infinite";

    private static string RaParam(RouterAdvertisementParamConfig param)
    {
        var parts = new List<string> { $"every {param.Interval.TotalSeconds.ToString(CultureInfo.InvariantCulture)} s" };
        if (param.RouterLifetime is { } lifetime)
        {
            parts.Add($"router lifetime {lifetime.TotalSeconds.ToString(CultureInfo.InvariantCulture)} s");
        }
        if (param.Preference != RouterPreference.Medium)
        {
            parts.Add($"preference {param.Preference.ToString().ToLowerInvariant()}");
        }
        if (param.Mtu is { } mtu)
        {
            parts.Add($"MTU {mtu}");
        }
        else if (param.MtuInterface is { } mtuInterface)
        {
            parts.Add($"MTU of {mtuInterface}");
        }
        else if (param.IsMtuOff)
        {
            parts.Add("no MTU option");
        }
        return string.Join(", ", parts);
    }

    private static string Value(Dhcp6OptionConfig option)
    {
        var values = string.Join(", ", option.Values);
        return option.UsesServerAddress ? values + "  ([::] = this server's address on the client's link)" : values;
    }

    private static string MatchValue(DhcpMatchValue? value) => value switch
    {
        null => "present",
        { Kind: DhcpMatchKind.Substring } v => $"contains \"{Encoding.UTF8.GetString(v.Bytes.AsSpan())}\"",
        { Kind: DhcpMatchKind.HexPattern } v => "starts with " + Convert.ToHexString(v.Bytes.AsSpan()).ToLowerInvariant(),
        { } v => "has element " + v.Bytes.Aggregate(0UL, (acc, b) => (acc << 8) | b).ToString(CultureInfo.InvariantCulture),
    };
}

using System.Collections.Immutable;
using System.Text;
using NetBoot.Configuration.Model;
using NetBoot.Engine.Dhcp;
using NetBoot.Wire.Dhcp6;
using NetBoot.Wire.Net;

namespace NetBoot.Engine.Dhcp6;

/// <summary>The <c>dhcp-option=option6:…</c> lines a reply carries (dnsmasq rfc3315.c add_options).</summary>
public static class Dhcp6ReplyOptions
{
    /// <summary>Per code, a tagged line beats an untagged one and among equals the later line wins (as for DHCPv4). With an
    /// Option Request option only requested codes are sent, unless <c>dhcp-option-force</c>. <c>[::]</c> becomes
    /// <paramref name="serverAddress"/>. An HTTP Boot client sent a boot URL gets option 16 "HTTPClient" back unless one is configured.</summary>
    public static IEnumerable<Dhcp6Option> Configured(Dhcp6Message request, Ipv6Config config, TagSet tags, IPv6Address serverAddress)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(tags);
        var winners = new SortedDictionary<Dhcp6OptionCode, Dhcp6OptionConfig>();
        foreach (var option in config.Options.Where(o => tags.Matches(o.Filter)))
        {
            if (!winners.TryGetValue(option.Code, out var current) || current.Filter.IsEmpty || !option.Filter.IsEmpty)
            {
                winners[option.Code] = option;
            }
        }
        var asked = request.Options.Contains(Dhcp6OptionCode.OptionRequest) ? request.Options.OptionRequests.ToHashSet() : null;
        var result = new List<Dhcp6Option>();
        foreach (var option in winners.Values)
        {
            if (option.IsForced || asked is null || asked.Contains(option.Code))
            {
                result.Add(new Dhcp6Option(option.Code, option.Data ?? WithServerAddress(option, serverAddress)));
            }
        }
        // Echoed only with a boot URL: an "HTTPClient" offer without one is no HTTP Boot offer to EDK2.
        if (!winners.ContainsKey(Dhcp6OptionCode.VendorClass) && result.Any(o => o.Code == Dhcp6OptionCode.BootfileUrl)
            && Dhcp6Classifier.HttpClientClass(request) is { } http)
        {
            result.Add(http.ToOption());
        }
        return result;
    }

    /// <summary>dnsmasq: <c>[::]</c> in an address list or a URL means this server's address on the client's link.</summary>
    public static ImmutableArray<byte> WithServerAddress(Dhcp6OptionConfig option, IPv6Address serverAddress)
    {
        ArgumentNullException.ThrowIfNull(option);
        if (option.Kind == Dhcp6OptionValueKind.AddressList)
        {
            var data = new byte[option.Values.Length * IPv6Address.Length];
            for (var i = 0; i < option.Values.Length; i++)
            {
                var text = option.Values[i].Trim('[', ']');
                var address = IPv6Address.TryParse(text, out var parsed) && !parsed.IsZero ? parsed : serverAddress;
                address.WriteTo(data.AsSpan(i * IPv6Address.Length));
            }
            return [.. data];
        }
        var value = string.Join(',', option.Values).Replace("[::]", $"[{serverAddress}]", StringComparison.Ordinal);
        return [.. Encoding.UTF8.GetBytes(value)];
    }
}

using System.Globalization;
using NetBoot.Configuration.Model;
using NetBoot.Wire.Net;

namespace NetBoot.Configuration.Parsing;

/// <summary><c>metrics-listen</c>, <c>dashboard-listen</c>, <c>dashboard-token</c> and <c>status-host</c> (NetBoot's own
/// directives).</summary>
internal static class StatusParser
{
    public static void ParseMetricsListen(DirectiveContext d)
    {
        if (TryParseEndpoint(d, "metrics-listen", 9167) is { } endpoint)
        {
            d.Config.Status = d.Config.Status with { Metrics = endpoint, Source = d.Config.Status.Source ?? d.Source };
        }
    }

    public static void ParseDashboardListen(DirectiveContext d)
    {
        if (TryParseEndpoint(d, "dashboard-listen", 9168) is { } endpoint)
        {
            d.Config.Status = d.Config.Status with { Dashboard = endpoint, Source = d.Config.Status.Source ?? d.Source };
        }
    }

    public static void ParseDashboardToken(DirectiveContext d)
    {
        var token = QuotedText.Reveal(d.Value ?? "");
        if (token.Length == 0 || token.Any(c => char.IsWhiteSpace(c) || char.IsControl(c)))
        {
            d.Error("bad dashboard-token", "write dashboard-token=<secret> (no spaces), then open the dashboard with ?token=<secret>");
            return;
        }
        d.Config.Status = d.Config.Status with { DashboardToken = token };
    }

    /// <summary><c>status-host=NAME[,NAME…]</c>, repeatable: DNS names the metrics and dashboard ports answer to
    /// (a Host header naming anything else gets 421).</summary>
    public static void ParseStatusHost(DirectiveContext d)
    {
        var names = FieldCursor.Split(d.Value).Select(QuotedText.Reveal).ToList();
        if (names.Count == 0 || !names.All(IsHostName))
        {
            d.Error("bad status-host", "write status-host=<name>[,<name>...] with DNS names (letters, digits, '-', '.'), e.g. status-host=netboot.example.org");
            return;
        }
        d.Config.Status = d.Config.Status with { HostNames = [.. d.Config.Status.HostNames, .. names.Select(n => n.TrimEnd('.').ToLowerInvariant())] };
    }

    private static bool IsHostName(string name) =>
        name.TrimEnd('.').Length is > 0 and <= 253 && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '.' or '_');

    /// <summary><c>PORT</c> or <c>ADDRESS:PORT</c> (IPv4); the address defaults to 127.0.0.1 so nothing is exposed by accident.</summary>
    internal static ListenEndpoint? TryParseEndpoint(DirectiveContext d, string name, int example)
    {
        var text = QuotedText.Reveal(d.Value ?? "");
        var colon = text.LastIndexOf(':');
        var addressText = colon < 0 ? "127.0.0.1" : text[..colon];
        var portText = colon < 0 ? text : text[(colon + 1)..];
        if (!IPv4Address.TryParse(addressText, out var address))
        {
            d.Error($"bad {name} address", $"'{addressText}' is not an IPv4 address; write {name}=[<address>:]<port>, e.g. {name}=127.0.0.1:{example}");
            return null;
        }
        if (portText.Length is 0 or > 5 || !portText.All(char.IsAsciiDigit)
            || int.Parse(portText, CultureInfo.InvariantCulture) is < 1 or > 65535)
        {
            d.Error($"bad {name} port", $"write {name}=[<address>:]<1-65535>, e.g. {name}={example}");
            return null;
        }
        return new ListenEndpoint(address, int.Parse(portText, CultureInfo.InvariantCulture));
    }
}

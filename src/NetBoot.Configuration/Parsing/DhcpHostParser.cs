using System.Collections.Immutable;
using System.Text;
using NetBoot.Configuration.Model;
using NetBoot.Wire.Net;

namespace NetBoot.Configuration.Parsing;

/// <summary><c>dhcp-host</c>: comma-separated tokens in any order (<c>src/option.c</c>, <c>case 'G'</c>).</summary>
internal static class DhcpHostParser
{
    public static void Parse(DirectiveContext d)
    {
        var host = new DhcpHostConfig { Source = d.Source };
        foreach (var field in FieldCursor.Split(d.Value))
        {
            if (!TryApply(d, field, ref host))
            {
                return;
            }
        }
        if (host.Address is { } address && d.Config.Hosts.FirstOrDefault(h => h.Address == address) is { } earlier)
        {
            d.Error($"duplicate dhcp-host IP address {address}",
                $"{address} is already given to another host {earlier.Source}; each static address belongs to one dhcp-host line (list several MACs on that line instead)");
            return;
        }
        d.Config.Hosts.Add(host);
    }

    private static bool TryApply(DirectiveContext d, string field, ref DhcpHostConfig host)
    {
        var text = QuotedText.Reveal(field);
        if (field.StartsWith("id:", StringComparison.Ordinal))
        {
            return TryClientId(d, field[3..], ref host);
        }
        if (TagSyntax.IsSetPrefix(field) || field.StartsWith("net:", StringComparison.Ordinal))
        {
            host = host with { SetTags = host.SetTags.Add(QuotedText.Reveal(field[4..])) };
            return true;
        }
        if (field.StartsWith("tag:", StringComparison.Ordinal))
        {
            host = host with { Filter = TagSyntax.Filter(host.Filter.Conditions.Add(TagSyntax.Condition(field[4..]))) };
            return true;
        }
        if (field.StartsWith('[') && field.EndsWith(']'))
        {
            if (!IPv6Address.TryParse(QuotedText.Reveal(field[1..^1]), out var ipv6))
            {
                d.Error("bad IPv6 address", $"'{text}' is not an IPv6 address in brackets, e.g. [2001:db8::5] or [::5] for the host part on any prefix");
                return false;
            }
            host = host with { Ipv6Address = ipv6 };
            d.Notice(ConfigNoticeKind.NotInEffect, $"IPv6 address {ipv6} parsed: DHCPv6 does not give dhcp-host addresses (clients get one from the IPv6 range)");
            return true;
        }
        if (IPv4Address.TryParse(field, out var address))
        {
            return TrySetAddress(d, address, ref host);
        }
        switch (field)
        {
            case "infinite":
                host = host with { IsInfinite = true, LeaseTime = null };
                return true;
            case "ignore":
                host = host with { IsIgnored = true };
                return true;
        }
        // dnsmasq parity: any other field with a colon is a MAC; a dash-only MAC is taken as a host name.
        if (field.Contains(':', StringComparison.Ordinal))
        {
            return TryHardwareAddress(d, field, ref host);
        }
        if (DurationSyntax.TryParseSeconds(field, out var seconds))
        {
            // dnsmasq parity: a purely numeric "host name" is a lease time; minimum 120 s.
            host = host with { LeaseTime = TimeSpan.FromSeconds(Math.Max(seconds, 120u)) };
            return true;
        }
        return TrySetName(d, text, ref host);
    }

    private static bool TrySetAddress(DirectiveContext d, IPv4Address address, ref DhcpHostConfig host)
    {
        if (host.Address is { } earlier)
        {
            // dnsmasq parity: the later address replaces the earlier one without a word; say so.
            d.Notice(ConfigNoticeKind.Warning, $"two IPv4 addresses on one dhcp-host line: {address} replaces {earlier}");
        }
        host = host with { Address = address };
        return true;
    }

    private static bool TryHardwareAddress(DirectiveContext d, string field, ref DhcpHostConfig host)
    {
        if (!HardwareAddressSyntax.TryParse(field, out var type, out var pattern))
        {
            d.Error("bad hex constant", $"'{QuotedText.Reveal(field)}' is not a MAC address: write aa:bb:cc:dd:ee:ff (* for any byte; a dash only before an ARP type, 06-aa:bb:…)");
            return false;
        }
        host = host with { HardwareAddresses = host.HardwareAddresses.Add(new HardwareAddressPattern(type ?? HardwareAddressPattern.Ethernet, pattern)) };
        return true;
    }

    private static bool TryClientId(DirectiveContext d, string hidden, ref DhcpHostConfig host)
    {
        if (hidden == "*")
        {
            host = host with { IgnoresClientId = true };
            return true;
        }
        ImmutableArray<byte> id;
        if (hidden.Contains(':', StringComparison.Ordinal) && hidden.All(c => c == ':' || char.IsAsciiHexDigit(c)))
        {
            if (!OptionValueEncoder.TryEncodeHex(hidden, false, out var hex, out var error))
            {
                d.Error(error.Message, error.Hint);
                return false;
            }
            id = hex.Bytes;
        }
        else
        {
            id = [.. Encoding.UTF8.GetBytes(QuotedText.Reveal(hidden))];
        }
        host = host with { ClientIds = host.ClientIds.Add(id) };
        return true;
    }

    private static bool TrySetName(DirectiveContext d, string name, ref DhcpHostConfig host)
    {
        if (host.HostName is not null)
        {
            d.Error("DHCP host has multiple names", $"'{host.HostName}' and '{name}' are both host names; keep one");
            return false;
        }
        if (!IsLegalHostName(name))
        {
            d.Error("bad DHCP host name", $"'{name}' is not a host name: use letters, digits, '-' and '.' only");
            return false;
        }
        host = host with { HostName = name };
        return true;
    }

    // RFC 1123 §2.1 labels; dnsmasq's legal_hostname also allows '_' in the middle.
    internal static bool IsLegalHostName(string name) =>
        name.Length is > 0 and <= 255
        && name.Split('.').All(label => label.Length is > 0 and <= 63
            && label.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_')
            && label[0] != '-' && label[^1] != '-');
}

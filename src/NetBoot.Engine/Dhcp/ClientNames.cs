using System.Collections.Immutable;
using System.Text;
using NetBoot.Configuration.Model;
using NetBoot.Wire.Dhcp;
using NetBoot.Wire.Net;

namespace NetBoot.Engine.Dhcp;

/// <summary>The name a client gives (option 81, else option 12), the tags <c>dhcp-name-match</c> sets from it, the
/// name its lease keeps (<c>dhcp-ignore-names</c>, <c>dhcp-generate-names</c>) and the option 81 of the reply
/// (RFC 4702, <c>dhcp-client-update</c>): dnsmasq's <c>dhcp_reply</c> and <c>do_options</c>.</summary>
public static class ClientNames
{
    /// <summary>RFC 4702 §2.1 flags: S (server updates A), O (server overrode S), E (canonical wire encoding), N (no
    /// updates by the server).</summary>
    public const byte ServerUpdates = 0x01;
    public const byte Overridden = 0x02;
    public const byte WireEncoding = 0x04;
    public const byte NoServerUpdates = 0x08;

    /// <summary>The option 81 the client sent: its flags and name (null when the name is not a legal host name).</summary>
    public readonly record struct ClientFqdn(byte Flags, string? Name);

    /// <summary>RFC 4702 §2: flags, two RCODE bytes, then the name in wire labels (E set) or ASCII. At least three bytes,
    /// as dnsmasq's <c>option_find(…, OPTION_CLIENT_FQDN, 3)</c>.</summary>
    public static ClientFqdn? ReadFqdn(DhcpOptionList options)
    {
        if (!options.TryGet(DhcpOptionCode.ClientFqdn, out var data) || data.Length < 3)
        {
            return null;
        }
        var flags = data[0];
        var body = data.AsSpan()[3..];
        var name = (flags & WireEncoding) != 0 ? Labels(body) : Encoding.ASCII.GetString(body).TrimEnd('\0');
        return new ClientFqdn(flags, HostNameRules.IsLegal(name) ? name.TrimEnd('.') : null);
    }

    /// <summary>RFC 1035 labels joined with dots, up to the root label or the end of the data (a partial name).</summary>
    private static string Labels(ReadOnlySpan<byte> body)
    {
        var name = new StringBuilder();
        var at = 0;
        while (at < body.Length && body[at] != 0 && at + 1 + body[at] <= body.Length)
        {
            name.Append(Encoding.ASCII.GetString(body.Slice(at + 1, body[at]))).Append('.');
            at += 1 + body[at];
        }
        return name.ToString();
    }

    /// <summary>The full name the client gives, when legal: option 81's, else option 12's (dnsmasq reads 12 only without
    /// 81).</summary>
    public static string? ClientName(DhcpOptionList options)
    {
        if (ReadFqdn(options) is { } fqdn)
        {
            return fqdn.Name;
        }
        if (!options.TryGetString(DhcpOptionCode.HostName, out var name))
        {
            return null;
        }
        name = name.TrimEnd('\0');
        return HostNameRules.IsLegal(name) ? name : null;
    }

    /// <summary><c>dhcp-name-match</c>: the client's name equals the configured one, or starts with it for a <c>name*</c>
    /// line, ignoring case.</summary>
    public static IEnumerable<string> NameMatchTags(DhcpOptionList options, DhcpProtocolConfig protocol)
    {
        if (protocol.NameMatches.IsEmpty || ClientName(options) is not { } name)
        {
            return [];
        }
        return protocol.NameMatches.Where(m => Matches(m, name)).Select(m => m.SetTag);
    }

    private static bool Matches(DhcpNameMatchConfig match, string name) =>
        name.Length >= match.Name.Length
        && (name.Length == match.Name.Length || match.IsPrefix)
        && name.AsSpan(0, match.Name.Length).Equals(match.Name, StringComparison.OrdinalIgnoreCase);

    /// <summary>The host name a lease records (dnsmasq, DHCPREQUEST): the <c>dhcp-host</c> name; else the client's own
    /// host part unless <c>dhcp-ignore-names</c> matches; failing a name, one made from the hardware address when
    /// <c>dhcp-generate-names</c> matches (lower-case hex bytes joined by <c>-</c>, e.g. <c>52-54-00-12-00-01</c>).</summary>
    public static string? LeaseName(DhcpHostConfig? host, DhcpOptionList options, HardwareAddress hardware, TagSet tags, DhcpProtocolConfig protocol)
    {
        if (host?.HostName is { } configured)
        {
            return configured;
        }
        var name = ClientName(options) is { } full ? HostNameRules.HostPart(full) : null;
        if (name is not null && AnyApplies(protocol.IgnoreNames, tags))
        {
            name = null;
        }
        if (name is null && hardware.Length > 0 && AnyApplies(protocol.GenerateNames, tags))
        {
            name = string.Join('-', hardware.Bytes.Select(b => b.ToString("x2", System.Globalization.CultureInfo.InvariantCulture)));
        }
        return name;
    }

    /// <summary>dnsmasq: a line without tags applies to every client; one with tags when they all hold.</summary>
    public static bool AnyApplies(ImmutableArray<TagFilter> filters, TagSet tags) => filters.Any(f => f.IsEmpty || tags.Matches(f));

    /// <summary>The reply's option 81 (dnsmasq <c>do_options</c>), when the client sent one and has a name: the flags as
    /// dnsmasq sets them (with <c>dhcp-client-update</c> the client updates its own record: S moves to O, N is set;
    /// without, S and O are set unless S was, and N is cleared; the MBZ bits are cleared), RCODEs 255, and the host name,
    /// as labels (a partial name, no domain: NetBoot serves no DNS) when E is set, else as text.</summary>
    public static DhcpOption? FqdnReply(DhcpOptionList request, string? hostName, DhcpProtocolConfig protocol)
    {
        if (hostName is null || ReadFqdn(request) is not { } fqdn)
        {
            return null;
        }
        var flags = fqdn.Flags;
        if (protocol.ClientUpdate)
        {
            if ((flags & ServerUpdates) != 0)
            {
                flags = (byte)((flags | Overridden) & ~ServerUpdates);
            }
            flags |= NoServerUpdates;
        }
        else
        {
            if ((flags & ServerUpdates) == 0)
            {
                flags |= ServerUpdates | Overridden;
            }
            flags = (byte)(flags & ~NoServerUpdates);
        }
        var name = Encoding.ASCII.GetBytes(hostName);
        var value = new List<byte> { (byte)(flags & 0x0f), 255, 255 };
        if ((flags & WireEncoding) != 0)
        {
            value.Add((byte)name.Length);
        }
        value.AddRange(name);
        return DhcpOption.Create(DhcpOptionCode.ClientFqdn, [.. value]);
    }
}

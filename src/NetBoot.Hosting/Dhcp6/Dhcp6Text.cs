using NetBoot.Wire.Dhcp6;

namespace NetBoot.Hosting.Dhcp6;

/// <summary>How DHCPv6 messages read in the log: dnsmasq's names (<c>DHCPSOLICIT</c>, <c>DHCPINFORMATION-REQUEST</c>).</summary>
public static class Dhcp6Text
{
    public static string MessageName(Dhcp6MessageType type) => type switch
    {
        Dhcp6MessageType.Solicit => "DHCPSOLICIT",
        Dhcp6MessageType.Advertise => "DHCPADVERTISE",
        Dhcp6MessageType.Request => "DHCPREQUEST",
        Dhcp6MessageType.Confirm => "DHCPCONFIRM",
        Dhcp6MessageType.Renew => "DHCPRENEW",
        Dhcp6MessageType.Rebind => "DHCPREBIND",
        Dhcp6MessageType.Reply => "DHCPREPLY",
        Dhcp6MessageType.Release => "DHCPRELEASE",
        Dhcp6MessageType.Decline => "DHCPDECLINE",
        Dhcp6MessageType.Reconfigure => "DHCPRECONFIGURE",
        Dhcp6MessageType.InformationRequest => "DHCPINFORMATION-REQUEST",
        Dhcp6MessageType.RelayForward => "DHCPRELAY-FORW",
        Dhcp6MessageType.RelayReply => "DHCPRELAY-REPL",
        _ => $"DHCPv6 type {(byte)type}",
    };

    /// <summary>A metric tag value: <c>solicit</c>, <c>information-request</c>, <c>relay-forw</c>.</summary>
    public static string MetricName(Dhcp6MessageType type) => MessageName(type).Replace("DHCP", "", StringComparison.Ordinal).ToLowerInvariant();

    /// <summary>A metric tag value for a responder drop: <c>for_another_server</c>, <c>no_matching_range</c>.</summary>
    public static string MetricName(Engine.Dhcp6.Dhcp6DropReason reason) => reason switch
    {
        Engine.Dhcp6.Dhcp6DropReason.NotAClientMessage => "not_a_client_message",
        Engine.Dhcp6.Dhcp6DropReason.Malformed => "malformed",
        Engine.Dhcp6.Dhcp6DropReason.ForAnotherServer => "for_another_server",
        Engine.Dhcp6.Dhcp6DropReason.NoMatchingRange => "no_matching_range",
        Engine.Dhcp6.Dhcp6DropReason.NothingToConfirm => "nothing_to_confirm",
        Engine.Dhcp6.Dhcp6DropReason.IgnoredByHost => "ignored_by_host",
        _ => "other",
    };

    /// <summary>IPv6 leases counted by state, every state present (zero when none), for <c>netboot.dhcp6.leases</c>.</summary>
    public static IEnumerable<(string State, long Count)> CountByState(IEnumerable<Engine.Dhcp6.Ipv6Lease> leases, DateTimeOffset now)
    {
        var active = leases.Where(l => l.IsActiveAt(now)).ToArray();
        return Enum.GetValues<Engine.Dhcp6.Ipv6LeaseState>().Select(s => (s.ToString().ToLowerInvariant(), (long)active.Count(l => l.State == s)));
    }

    /// <summary>The addresses a reply gives (non-zero valid lifetime), space-separated; <paramref name="otherwise"/> (the
    /// responder's summary, e.g. "release") when it gives none.</summary>
    public static string Addresses(Dhcp6Message reply, string otherwise)
    {
        ArgumentNullException.ThrowIfNull(reply);
        var given = reply.Options.IdentityAssociations.SelectMany(ia => ia.Addresses).Where(a => a.ValidLifetime > TimeSpan.Zero).Select(a => a.Address.ToString()).ToArray();
        if (given.Length > 0)
        {
            return string.Join(' ', given);
        }
        // The summary starts with "REPLY(eth0) …": keep what follows.
        var space = otherwise.IndexOf(' ', StringComparison.Ordinal);
        return space < 0 ? otherwise : otherwise[(space + 1)..];
    }
}

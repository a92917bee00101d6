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

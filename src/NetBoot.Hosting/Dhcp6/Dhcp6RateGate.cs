using System.Net;
using NetBoot.Configuration.Model;
using NetBoot.Engine.Dhcp;
using NetBoot.Engine.Dhcp6;
using NetBoot.Engine.Leases;
using NetBoot.Hosting.Dhcp;
using NetBoot.Leases;
using NetBoot.Wire.Dhcp6;
using NetBoot.Wire.Net;

namespace NetBoot.Hosting.Dhcp6;

/// <summary><c>dhcp-rate-limit</c> for DHCPv6, on the DHCPv4 gate (<see cref="DhcpRateGate"/>: per-client and per-interface
/// buckets, one summary log line per interval while shedding). A request is charged to its DUID and to the address it came
/// from (the relay's peer-address when relayed: the client's, not the relay's), so a host spraying SOLICITs with random
/// DUIDs from many ports spends its own address's budget, not the interface's; random DUIDs from random addresses spend
/// the new-client budget, which clients with a lease or a <c>dhcp-host</c> never need. Decided before the responder, and
/// outside the lease store's lock but for one read of it.</summary>
internal sealed class Dhcp6RateGate(DhcpRateGate gate, IIpv6LeaseStore leases)
{
    /// <summary>A decision with no change: what the lease lookup hands the store back.</summary>
    private static readonly Dhcp6Outcome NoChange = new(new Dhcp6Drop(Dhcp6DropReason.NotAClientMessage, "rate-limit lookup"));

    /// <summary>True when the request may be decided on; otherwise it is counted by the caller and dropped.</summary>
    public bool Admit(string @interface, ServerConfig config, IPAddress source, Dhcp6Packet packet)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(packet);
        if (config.DhcpRateLimit.IsOff)
        {
            return true;
        }
        var message = packet.InnermostMessage;
        var duid = message.Options.ClientId;
        var from = new ClientKey("ip6:" + ClientAddress(packet, source));
        ClientKey? byDuid = duid is { } d ? new ClientKey("duid:" + Convert.ToHexStringLower(d.Bytes.AsSpan())) : null;
        var known = duid is { } id && IsKnown(id, message, config);
        return gate.Admit(@interface, Dhcp6Links.ServerPort, config.DhcpRateLimit, from, byDuid, known);
    }

    /// <summary>The client's own address: the innermost relay's peer-address (RFC 8415 §9.1), else the datagram's source.</summary>
    internal static string ClientAddress(Dhcp6Packet packet, IPAddress source)
    {
        ArgumentNullException.ThrowIfNull(source);
        Dhcp6RelayMessage? innermost = null;
        for (var p = packet; p is Dhcp6RelayMessage relay; p = relay.Relayed)
        {
            innermost = relay;
        }
        return innermost?.PeerAddress.ToString() ?? source.ToString();
    }

    /// <summary>A client NetBoot already knows, as for DHCPv4 (<see cref="Engine.Limits.DhcpAdmission.IsKnown"/>): it holds a
    /// lease (any state, so the REQUEST after an ADVERTISE and renewals pass) for one of the IA_NAs it names, or a
    /// <c>dhcp-host</c> names it by the MAC of its DUID-LL/LLT or by <c>id:</c> its DUID.</summary>
    private bool IsKnown(Duid duid, Dhcp6Message message, ServerConfig config)
    {
        if (!config.Hosts.IsDefaultOrEmpty)
        {
            var hardware = duid.TryGetLinkLayerAddress(out var mac) ? mac : default;
            if (ClientClassifier.FindHost(hardware, duid.Bytes.AsSpan(), config.Hosts, static _ => true) is not null)
            {
                return true;
            }
        }
        var ias = message.Options.IdentityAssociations;
        if (ias.IsEmpty)
        {
            return false;
        }
        var known = false;
        leases.Execute(view =>
        {
            known = ias.Any(ia => view.ByClient(duid, ia.Iaid).Any());
            return NoChange;
        });
        return known;
    }
}

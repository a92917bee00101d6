using NetBoot.Wire.Net;

namespace NetBoot.Engine.Dhcp;

/// <summary>Why the full-DHCP path sends nothing (or only records a change), finer than <see cref="NoReplyReason"/>,
/// which names the drop for the counters. dnsmasq's words for each are in the comments.</summary>
public enum LeaseSilenceReason
{
    /// <summary>No owned dhcp-range matches the request's tags ("no address range available").</summary>
    NoRange,
    /// <summary>dhcp-host ignore or dhcp-ignore ("ignored").</summary>
    Ignored,
    /// <summary>A server's message type (OFFER, ACK, NAK…) sent to the server.</summary>
    NotAClientMessage,
    /// <summary>A BOOTP request without htype/chaddr.</summary>
    NoHardwareAddress,
    /// <summary>Every address of the client's ranges is taken ("no address available").</summary>
    NoAddressAvailable,
    /// <summary>dhcp-lease-max leases exist already ("no leases left").</summary>
    NoLeasesLeft,
    /// <summary>BOOTP: the client's dhcp-host address is held by another client ("address in use").</summary>
    AddressInUse,
    /// <summary>BOOTP without a dhcp-host address or bootp-dynamic ("no address configured").</summary>
    NoAddressConfigured,
    /// <summary>The message names another server in option 54 ("wrong server-ID").</summary>
    WrongServer,
    /// <summary>A DHCPREQUEST with neither option 50 nor ciaddr.</summary>
    NoAddressRequested,
    /// <summary>RFC 2131 §4.3.2: no record of the client, and not dhcp-authoritative: silent.</summary>
    NoLeaseOnRecord,
    /// <summary>RFC 2131 §4.3.2: the requested address is on another network, and not dhcp-authoritative: silent.</summary>
    WrongNetwork,
    /// <summary>A DHCPDECLINE for an address that is not the client's lease.</summary>
    NotItsLease,
    /// <summary>A DHCPDECLINE: the address is quarantined (<see cref="FullDhcpResponder.DeclineQuarantine"/>).</summary>
    Declined,
    /// <summary>A DHCPRELEASE of the client's lease: the lease is freed.</summary>
    Released,
    /// <summary>A DHCPRELEASE of an address the client does not hold ("unknown lease").</summary>
    UnknownLease,
    /// <summary>A DHCPINFORM from an address not on a network served here.</summary>
    NotOnServedNetwork,
    /// <summary>The lease store cannot make a lease durable now (shared database unreachable): leasing pauses.</summary>
    LeaseStoreUnavailable,
}

/// <summary>A request the full-DHCP path does not answer, as the values its log line names (event 1301, dnsmasq's
/// <c>DHCPRELEASE(eth0) 192.168.1.5 52:54:00:12:34:56 unknown lease</c>); the request itself gives the message type,
/// the interface and the client.</summary>
/// <param name="Address">The address the request is about (requested, released, declined), 0.0.0.0 when none.</param>
/// <param name="Server">For <see cref="LeaseSilenceReason.WrongServer"/>: the server the client named (option 54);
/// 0.0.0.0 otherwise.</param>
public sealed record LeaseSilence(LeaseSilenceReason Reason, IPv4Address Address = default, IPv4Address Server = default)
{
    /// <summary>The same in words, for <see cref="NoReply.Describe"/> (the dashboard's "not answered: …").</summary>
    public string Describe()
    {
        var what = Reason switch
        {
            LeaseSilenceReason.NoRange => "no address range available (the dhcp-range tag: conditions do not match)",
            LeaseSilenceReason.Ignored => "ignored (dhcp-host ignore or dhcp-ignore)",
            LeaseSilenceReason.NotAClientMessage => "not a client message",
            LeaseSilenceReason.NoHardwareAddress => "a BOOTP request needs a hardware address",
            LeaseSilenceReason.NoAddressAvailable => "no address available",
            LeaseSilenceReason.NoLeasesLeft => "no leases left (dhcp-lease-max)",
            LeaseSilenceReason.AddressInUse => "address in use",
            LeaseSilenceReason.NoAddressConfigured => "no address configured (a dhcp-host address or bootp-dynamic is needed)",
            LeaseSilenceReason.WrongServer => $"wrong server-ID: the client chose {Server}",
            LeaseSilenceReason.NoAddressRequested => "names no address",
            LeaseSilenceReason.NoLeaseOnRecord => "no lease on record and not dhcp-authoritative",
            LeaseSilenceReason.WrongNetwork => "wrong network, not answered (not dhcp-authoritative)",
            LeaseSilenceReason.NotItsLease => "names no address of its own lease",
            LeaseSilenceReason.Declined => $"address in use, quarantined for {FullDhcpResponder.DeclineQuarantine.TotalMinutes} min",
            LeaseSilenceReason.Released => "released",
            LeaseSilenceReason.UnknownLease => "unknown lease",
            LeaseSilenceReason.NotOnServedNetwork => "not on a network served here",
            LeaseSilenceReason.LeaseStoreUnavailable => "DHCP paused: the lease database is unavailable (no lease can be made durable)",
            _ => Reason.ToString(),
        };
        return Address.IsZero ? what : $"{Address}: {what}";
    }
}

using System.Collections.Immutable;
using NetBoot.Wire.Dhcp;
using NetBoot.Wire.Net;

namespace NetBoot.Engine;

/// <summary>Where a reply goes. <see cref="IsBroadcast"/> means 255.255.255.255 out of <see cref="InterfaceIndex"/>.</summary>
public readonly record struct ReplyDestination(IPv4Address Address, ushort Port, bool IsBroadcast, int InterfaceIndex)
{
    /// <summary>The client has no address yet (unicast to <c>yiaddr</c>, RFC 2131 §4.1): the sender must put
    /// <c>chaddr</c> in the ARP cache for <see cref="Address"/> first (dnsmasq does), or broadcast instead.</summary>
    public bool RequiresArpEntry { get; init; }

    public static ReplyDestination BroadcastOn(int interfaceIndex, ushort port) =>
        new(IPv4Address.Broadcast, port, true, interfaceIndex);

    public override string ToString() => $"{Address}:{Port}";
}

/// <summary>What a responder decided. The service sends, logs and counts; the responder only decides.</summary>
public abstract record Decision
{
    /// <summary>Tags that were set while deciding (for <c>log-dhcp</c>).</summary>
    public ImmutableArray<string> Tags { get; init; } = [];
}

/// <summary>Send <see cref="Message"/> to <see cref="Destination"/>.</summary>
/// <param name="Summary">What was answered, for the log line (e.g. <c>proxy</c>, or the boot file).</param>
/// <param name="MaximumLength">Largest datagram the client accepts (option 57, at least 576).</param>
/// <param name="AllowOverload">Whether options may spill into file/sname (option 52).</param>
public sealed record SendReply(
    DhcpMessage Message,
    ReplyDestination Destination,
    string Summary,
    int MaximumLength = 576,
    bool AllowOverload = false) : Decision
{
    /// <summary><c>dhcp-reply-delay</c>: send this long after the request arrived (zero: at once).</summary>
    public TimeSpan Delay { get; init; }
}

/// <summary>No reply, and why (logged with <c>log-dhcp</c>, counted as a drop reason).</summary>
/// <param name="Detail">Why, in words (the dashboard, the proxy/PXE paths' log line).</param>
public sealed record NoReply(NoReplyReason Reason, string Detail) : Decision
{
    /// <summary>On the full-DHCP path: why, and the address concerned, as values (the lease log line's fields); null
    /// on the proxy/PXE paths.</summary>
    public Dhcp.LeaseSilence? Lease { get; init; }
}

public enum NoReplyReason
{
    NotADhcpMessage,
    NotForUs,
    NotAPxeClient,
    NoClientArchitecture,
    NoMatchingRange,
    PxeNotEnabled,
    RequestOnServerPort,
    Ignored,
    NoBootService,
    BootIntegrityServicesNotSupported,
    UnsupportedMessageType,
    /// <summary>Full DHCP: every address of the client's ranges is taken.</summary>
    NoAddressAvailable,
    /// <summary>Full DHCP: <c>dhcp-lease-max</c> leases exist already.</summary>
    LeaseLimitReached,
    /// <summary>Full DHCP: the message names another server (option 54).</summary>
    ForAnotherServer,
    /// <summary>Full DHCP: DHCPDECLINE / DHCPRELEASE, which get no reply by design (RFC 2131 §4.3.3–4.3.4).</summary>
    Recorded,
    /// <summary>Full DHCP: the lease store cannot make a lease durable now (shared database unreachable): leasing pauses.</summary>
    LeaseStoreUnavailable,
}

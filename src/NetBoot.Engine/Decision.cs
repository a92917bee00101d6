using System.Collections.Immutable;
using NetBoot.Wire.Dhcp;
using NetBoot.Wire.Net;
using NetBoot.Wire.Pxe;

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
/// <param name="Answer">What was answered, as values (the log line's fields, the dashboard's words).</param>
/// <param name="MaximumLength">Largest datagram the client accepts (option 57, at least 576).</param>
/// <param name="AllowOverload">Whether options may spill into file/sname (option 52).</param>
public sealed record SendReply(
    DhcpMessage Message,
    ReplyDestination Destination,
    ReplyAnswer Answer,
    int MaximumLength = 576,
    bool AllowOverload = false) : Decision
{
    /// <summary><c>dhcp-reply-delay</c>: send this long after the request arrived (zero: at once).</summary>
    public TimeSpan Delay { get; init; }
}

/// <summary>What a reply answered: the kind of answer, and the values the log line and the dashboard name besides the
/// reply's own fields (the boot file is the reply's <c>file</c>).</summary>
public readonly record struct ReplyAnswer(ReplyKind Kind)
{
    /// <summary>The address the answer is about: the lease's (<see cref="ReplyKind.Lease"/>), the requested one
    /// (<see cref="ReplyKind.Nak"/>); 0.0.0.0 otherwise.</summary>
    public IPv4Address Address { get; init; }

    /// <summary>For <see cref="ReplyKind.Nak"/>: why, as sent in option 56 (RFC 2132 §9.9).</summary>
    public string? NakMessage { get; init; }

    /// <summary>Proxy and boot-server answers: the client architecture (option 93) the answer was chosen for; null when
    /// the client sent none (a boot-server request may not).</summary>
    public ushort? ClientArchitecture { get; init; }

    /// <summary>Boot-server answers: the boot item asked (option 43 sub-option 71).</summary>
    public PxeBootItem BootItem { get; init; }

    /// <summary>A proxyDHCP answer: boot information, no address (dnsmasq logs <c>proxy</c>).</summary>
    public static ReplyAnswer Proxy(ushort clientArchitecture) => new(ReplyKind.Proxy) { ClientArchitecture = clientArchitecture };

    /// <summary>A boot-server answer (PXE 2.1 §2.2.5): the boot file of the asked menu item.</summary>
    public static ReplyAnswer BootServer(PxeBootItem item, ushort? clientArchitecture) =>
        new(ReplyKind.BootServer) { BootItem = item, ClientArchitecture = clientArchitecture };

    public static ReplyAnswer Lease(IPv4Address address) => new(ReplyKind.Lease) { Address = address };

    public static ReplyAnswer Nak(IPv4Address requested, string message) => new(ReplyKind.Nak) { Address = requested, NakMessage = message };
}

public enum ReplyKind
{
    /// <summary>proxyDHCP OFFER or ACK (PXE 2.1 §2.2.4).</summary>
    Proxy,
    /// <summary>Boot-server ACK on 4011 (or 67) naming a boot file.</summary>
    BootServer,
    /// <summary>Full DHCP: OFFER or ACK of an address (an INFORM's ACK too).</summary>
    Lease,
    /// <summary>Full DHCP: DHCPNAK.</summary>
    Nak,
}

/// <summary>No reply, and why (logged with <c>log-dhcp</c>, counted as a drop reason): <see cref="Reason"/> names the
/// drop for the counters; <see cref="Proxy"/> or <see cref="Lease"/> says which case it is, with its values.</summary>
public sealed record NoReply(NoReplyReason Reason) : Decision
{
    /// <summary>On the full-DHCP path: why, and the address concerned, as values (the lease log line's fields); null
    /// on the proxy/PXE paths.</summary>
    public Dhcp.LeaseSilence? Lease { get; init; }

    /// <summary>On the proxy/PXE paths (and the checks before them): why, and the values concerned (the no-reply log
    /// line's fields); null on the full-DHCP path.</summary>
    public Pxe.ProxySilence? Proxy { get; init; }

    /// <summary>Why, in words (the dashboard's "not answered: …").</summary>
    public string Describe() => Proxy?.Describe() ?? Lease?.Describe() ?? Reason.ToString();

    /// <summary>The no-reply of a proxy/PXE-path case, with the counters' <see cref="NoReplyReason"/> it belongs to.</summary>
    public static NoReply Of(Pxe.ProxySilence silence, ImmutableArray<string> tags = default)
    {
        ArgumentNullException.ThrowIfNull(silence);
        return new(silence.DropReason) { Proxy = silence, Tags = tags.IsDefault ? [] : tags };
    }
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

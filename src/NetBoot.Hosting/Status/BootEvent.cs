using NetBoot.Wire.Dhcp6;
using NetBoot.Wire.Net;

namespace NetBoot.Hosting.Status;

/// <summary>Something that happened to one booting client, as the services saw it. Folded by <see cref="BootTracker"/>.</summary>
public abstract record BootEvent(DateTimeOffset At);

/// <summary>A DHCP or PXE request and what NetBoot did with it.</summary>
/// <param name="Client">htype and chaddr: the client's key in the tracker, as its lease's (see <see cref="BootClientId"/>).</param>
/// <param name="RequestType">DISCOVER, REQUEST, INFORM… (upper case, as in the log).</param>
/// <param name="Mode"><c>proxy</c>, <c>4011</c> or <c>full</c>.</param>
/// <param name="Addresses">Addresses the client is known by after this exchange (ciaddr, source on 4011, yiaddr).</param>
/// <param name="ReplyType">OFFER, ACK, NAK…; null when not answered.</param>
/// <param name="Detail">The reply's summary (boot file, address) or why it was not answered.</param>
public sealed record DhcpExchanged(
    DateTimeOffset At, HardwareAddress Client, string RequestType, string Mode, IReadOnlyList<IPv4Address> Addresses,
    string? ReplyType, string Detail, string? Architecture = null) : BootEvent(At);

/// <summary>A DHCPv6 message and what NetBoot did with it.</summary>
/// <param name="Client">The client's DUID: its key in the tracker is the MAC a DUID-LL or DUID-LLT carries (so a machine
/// that boots over IPv6 and over IPv4 is one client), else the DUID itself.</param>
/// <param name="RequestType">SOLICIT, REQUEST, RENEW, INFORMATION-REQUEST… (upper case, as in the log without "DHCP").</param>
/// <param name="Addresses">Addresses the client is known by after this exchange: its link-local source (when not relayed)
/// and the addresses the reply gives.</param>
/// <param name="ReplyType">ADVERTISE or REPLY; null when not answered.</param>
/// <param name="Detail">The addresses given (or the reply's summary), or why it was not answered.</param>
/// <param name="BootFileUrl">Option 59 of the reply (RFC 5970 §3.1), when it gives one.</param>
public sealed record Dhcp6Exchanged(
    DateTimeOffset At, Duid Client, string RequestType, IReadOnlyList<IPv6Address> Addresses, string? ReplyType, string Detail,
    string? BootFileUrl = null, string? Architecture = null) : BootEvent(At);

/// <summary>A TFTP or HTTP transfer began (<paramref name="Size"/> bytes; -1 when unknown).</summary>
public sealed record TransferStarted(DateTimeOffset At, BootAddress Client, string Protocol, string File, long Size) : BootEvent(At);

/// <summary>Bytes of a running transfer acknowledged or sent so far.</summary>
public sealed record TransferProgressed(DateTimeOffset At, BootAddress Client, string File, long Bytes) : BootEvent(At);

/// <summary>A transfer ended: <paramref name="Failure"/> is null when the file was delivered, else why not.</summary>
/// <param name="IsProbe">The client only asked the size (PXE ROMs do first): neither done nor failed.</param>
public sealed record TransferEnded(DateTimeOffset At, BootAddress Client, string Protocol, string File, long Bytes, string? Failure, bool IsProbe = false)
    : BootEvent(At);

/// <summary>A request refused before any byte was sent (file not found, too many transfers…).</summary>
public sealed record TransferRefused(DateTimeOffset At, BootAddress Client, string Protocol, string File, string Reason) : BootEvent(At);

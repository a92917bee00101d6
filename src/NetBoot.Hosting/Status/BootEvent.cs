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

/// <summary>A TFTP or HTTP transfer began (<paramref name="Size"/> bytes; -1 when unknown).</summary>
public sealed record TransferStarted(DateTimeOffset At, IPv4Address Client, string Protocol, string File, long Size) : BootEvent(At);

/// <summary>Bytes of a running transfer acknowledged or sent so far.</summary>
public sealed record TransferProgressed(DateTimeOffset At, IPv4Address Client, string File, long Bytes) : BootEvent(At);

/// <summary>A transfer ended: <paramref name="Failure"/> is null when the file was delivered, else why not.</summary>
/// <param name="IsProbe">The client only asked the size (PXE ROMs do first): neither done nor failed.</param>
public sealed record TransferEnded(DateTimeOffset At, IPv4Address Client, string Protocol, string File, long Bytes, string? Failure, bool IsProbe = false)
    : BootEvent(At);

/// <summary>A request refused before any byte was sent (file not found, too many transfers…).</summary>
public sealed record TransferRefused(DateTimeOffset At, IPv4Address Client, string Protocol, string File, string Reason) : BootEvent(At);

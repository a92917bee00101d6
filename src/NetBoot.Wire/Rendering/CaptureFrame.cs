using NetBoot.Wire.Net;

namespace NetBoot.Wire.Rendering;

/// <summary>One frame of a capture as the packet renderer sees it: a UDP datagram over IPv4, a frame
/// that could not be read down to UDP (with the reason), or anything else (ARP, TCP, IPv6…), which is
/// counted but not shown.</summary>
/// <param name="Number">1-based position in the file, as Wireshark numbers frames.</param>
/// <param name="Offset">Time since the first frame of the file.</param>
public abstract record CaptureFrame(int Number, TimeSpan Offset);

/// <summary>A UDP datagram over IPv4.</summary>
public sealed record UdpDatagramFrame(
    int Number,
    TimeSpan Offset,
    IPv4Address SourceAddress,
    ushort SourcePort,
    IPv4Address DestinationAddress,
    ushort DestinationPort,
    ReadOnlyMemory<byte> Payload) : CaptureFrame(Number, Offset)
{
    /// <summary>True when the capture holds fewer payload bytes than the UDP header announced.</summary>
    public bool IsTruncated { get; init; }
}

/// <summary>A frame whose link, IP or UDP layer is damaged; <paramref name="Reason"/> says how.</summary>
public sealed record DamagedFrame(int Number, TimeSpan Offset, string Reason) : CaptureFrame(Number, Offset);

/// <summary>A frame that is not UDP over IPv4 (ARP, TCP, IPv6, …); <paramref name="Kind"/> names it for the summary.</summary>
public sealed record OtherFrame(int Number, TimeSpan Offset, string Kind) : CaptureFrame(Number, Offset);

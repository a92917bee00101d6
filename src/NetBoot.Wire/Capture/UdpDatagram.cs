using NetBoot.Wire.Net;

namespace NetBoot.Wire.Capture;

/// <summary>A UDP datagram taken from a captured frame. <see cref="Payload"/> is a view of the capture's bytes,
/// cut to the UDP length (Ethernet padding removed).</summary>
/// <param name="FrameNumber">The <see cref="CaptureFrame.Number"/> it came from.</param>
public readonly record struct UdpDatagram(
    int FrameNumber,
    DateTimeOffset Timestamp,
    IPv4Address Source,
    ushort SourcePort,
    IPv4Address Destination,
    ushort DestinationPort,
    ReadOnlyMemory<byte> Payload)
{
    /// <summary>Set only by <see cref="UdpDatagramExtractor.TryExtractPartial"/>: the payload is shorter than the datagram sent.</summary>
    public bool IsPartial { get; init; }

    /// <summary>True when either port is <paramref name="port"/>.</summary>
    public bool HasPort(ushort port) => SourcePort == port || DestinationPort == port;

    public override string ToString() => $"#{FrameNumber} {Source}:{SourcePort} -> {Destination}:{DestinationPort} ({Payload.Length} bytes)";
}

using System.Collections.Immutable;
using NetBoot.Wire.Capture;
using NetBoot.Wire.Dhcp;
using NetBoot.Wire.Net;

namespace NetBoot.Engine.Tests;

/// <summary>One UDP datagram of a lab capture.</summary>
internal sealed record CapturedDatagram(int Frame, IPv4Address Source, ushort SourcePort, IPv4Address Destination, ushort DestinationPort, byte[] Payload);

/// <summary>Reads real captures through the project's own capture reader and DHCP decoder, so the engine is checked
/// against dnsmasq's real answers byte for byte.</summary>
internal static class LabCapture
{
    public static IReadOnlyList<CapturedDatagram> ReadUdp(string path)
    {
        Assert.True(CaptureFile.TryOpen(File.ReadAllBytes(path), out var file, out var error), $"{path}: {error}");
        return [.. UdpDatagramExtractor.ExtractAll(file.Frames).Select(d =>
            new CapturedDatagram(d.FrameNumber, d.Source, d.SourcePort, d.Destination, d.DestinationPort, d.Payload.ToArray()))];
    }

    public static DhcpMessage Decode(byte[] payload)
    {
        Assert.True(DhcpMessageDecoder.TryDecode(payload, out var message, out var error), error.ToString());
        return message;
    }

    public static ImmutableArray<byte> Option(DhcpMessage message, DhcpOptionCode code) =>
        message.Options.TryGet(code, out var data) ? data : [];
}

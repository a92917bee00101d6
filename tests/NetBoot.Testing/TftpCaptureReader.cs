using NetBoot.Wire.Capture;
using NetBoot.Wire.Net;

namespace NetBoot.Testing;

/// <summary>One UDP datagram of a capture, payload cut to what was captured.</summary>
public sealed record CapturedUdp(int Frame, IPv4Address SourceAddress, ushort SourcePort, IPv4Address DestinationAddress, ushort DestinationPort, byte[] Payload);

/// <summary>The TFTP conversations of a capture, through the project's own capture reader.</summary>
public static class TftpCaptureReader
{
    /// <summary>Every UDP datagram, including ones the capture holds only part of (fuzzer captures).</summary>
    public static List<CapturedUdp> ReadUdp(string path)
    {
        if (!CaptureFile.TryOpen(File.ReadAllBytes(path), out var file, out var error))
        {
            throw new InvalidDataException($"{path}: {error}");
        }
        var result = new List<CapturedUdp>();
        foreach (var frame in file.Frames)
        {
            if (UdpDatagramExtractor.TryExtractPartial(frame, out var d, out _))
            {
                result.Add(new CapturedUdp(d.FrameNumber, d.Source, d.SourcePort, d.Destination, d.DestinationPort, d.Payload.ToArray()));
            }
        }
        return result;
    }

    /// <summary>The TFTP datagrams: requests to port 69 and everything exchanged with a requesting client's port.</summary>
    public static List<CapturedUdp> ReadTftp(string path)
    {
        var clients = new HashSet<(IPv4Address, ushort)>();
        var result = new List<CapturedUdp>();
        foreach (var datagram in ReadUdp(path))
        {
            if (datagram.DestinationPort == 69)
            {
                clients.Add((datagram.SourceAddress, datagram.SourcePort));
                result.Add(datagram);
            }
            else if (clients.Contains((datagram.SourceAddress, datagram.SourcePort))
                     || clients.Contains((datagram.DestinationAddress, datagram.DestinationPort)))
            {
                result.Add(datagram);
            }
        }
        return result;
    }
}

using System.Globalization;
using NetBoot.Wire.Capture;

namespace NetBoot.Wire.Rendering;

/// <summary>The text behind <c>netboot decode FILE</c>: every DHCP/BOOTP/PXE/TFTP packet of a pcap or
/// pcapng capture, numbered as in Wireshark, with the seconds since the first frame and the addresses.
/// The text is stable: the only absolute time shown is the first frame's, which is in the file.</summary>
public static class CaptureRenderer
{
    /// <summary>Renders a capture held in memory; <paramref name="displayName"/> is shown in the heading.</summary>
    public static CaptureRendering Render(ReadOnlyMemory<byte> capture, string displayName)
    {
        if (!CaptureFile.TryOpen(capture, out var file, out var error))
        {
            return Unreadable(displayName, Describe(error));
        }
        var writer = new RenderWriter();
        var frames = file.Frames.ToList();
        var flow = new PacketFlowRenderer(writer) { FrameNumberWidth = frames.Count.ToString(CultureInfo.InvariantCulture).Length };
        writer.Line($"capture {displayName}");
        writer.Line($"format  {FormatText(file, frames)}");
        if (frames.Count > 0)
        {
            writer.Line($"first frame at {frames[0].Timestamp.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss.ffffff", CultureInfo.InvariantCulture)} UTC; times below are seconds since then");
        }
        writer.BlankLine();
        foreach (var frame in frames)
        {
            flow.Render(frame);
        }
        writer.BlankLine();
        WriteSummary(writer, flow, frames.Count);
        return new CaptureRendering(writer.ToString(), IsReadable: true, frames.Count, flow.DhcpCount, flow.TftpCount, flow.DamagedCount);
    }

    /// <summary>Renders a capture read from a stream as it arrives (<c>netboot decode -</c> behind <c>tcpdump -U -w -</c>):
    /// the heading once the file header is read, then each frame's text written to <paramref name="output"/> and flushed
    /// as soon as the frame has arrived, then the summary when the stream ends. Frame numbers are not padded (their
    /// count is not known in advance). The result's text holds the heading (or why the stream is not a capture).</summary>
    public static CaptureRendering Render(Stream capture, string displayName, TextWriter output)
    {
        ArgumentNullException.ThrowIfNull(output);
        if (!CaptureStreamReader.TryOpen(capture, out var reader, out var error))
        {
            return Unreadable(displayName, Describe(error));
        }
        var writer = new RenderWriter();
        var flow = new PacketFlowRenderer(writer);
        writer.Line($"capture {displayName}");
        writer.Line($"format  {FormatText(reader.Format, reader.LinkType == CaptureLinkType.Unknown ? [] : [reader.LinkType], isStream: true)}");
        var heading = writer.Take();
        output.Write(heading);
        output.Flush();
        var frames = 0;
        foreach (var frame in reader.ReadFrames())
        {
            if (frames++ == 0)
            {
                writer.Line($"first frame at {frame.Timestamp.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss.ffffff", CultureInfo.InvariantCulture)} UTC; times below are seconds since then");
                writer.BlankLine();
            }
            flow.Render(frame);
            output.Write(writer.Take());
            output.Flush();
        }
        writer.BlankLine();
        WriteSummary(writer, flow, frames);
        output.Write(writer.Take());
        output.Flush();
        return new CaptureRendering(heading, IsReadable: true, frames, flow.DhcpCount, flow.TftpCount, flow.DamagedCount);
    }

    /// <summary>The result for a file that is not a readable capture: one clear line.</summary>
    public static CaptureRendering Unreadable(string displayName, string reason) =>
        new($"capture {displayName}\nerror   not a readable pcap/pcapng capture: {reason}\n", IsReadable: false, 0, 0, 0, 0);

    public static string Describe(CaptureError error) => error switch
    {
        CaptureError.ReadFailed => "the file could not be read",
        CaptureError.Empty => "the file is empty",
        CaptureError.UnknownFormat => "the first bytes are neither a pcap magic number nor a pcapng section header",
        CaptureError.TruncatedFileHeader => "the file ends inside its header",
        CaptureError.BadSectionHeader => "the pcapng section header is invalid",
        _ => error.ToString(),
    };

    private static void WriteSummary(RenderWriter writer, PacketFlowRenderer flow, int frames)
    {
        writer.Line(string.Create(CultureInfo.InvariantCulture,
            $"summary {ValueText.Plural(frames, "frame")}: {flow.DhcpCount} DHCP, {flow.TftpCount} TFTP, {RouterMessages(flow)}{flow.Others.Values.Sum()} not shown; {flow.DamagedCount} damaged"));
        if (flow.Others.Count > 0)
        {
            writer.Line("not shown: " + string.Join(", ", flow.Others.Select(o => string.Create(CultureInfo.InvariantCulture, $"{o.Key} x{o.Value}"))));
        }
    }

    /// <summary>Named only when there are some, so IPv4-only captures read as before.</summary>
    private static string RouterMessages(PacketFlowRenderer flow) =>
        flow.RouterMessageCount == 0 ? "" : string.Create(CultureInfo.InvariantCulture, $"{flow.RouterMessageCount} ICMPv6 RS/RA, ");

    private static string FormatText(CaptureFile file, List<CaptureFrame> frames) =>
        FormatText(file.Format, frames.Select(f => f.LinkType), isStream: false);

    /// <summary>"pcap (microsecond timestamps), link Ethernet". A stream's pcapng link types are not known before its
    /// frames, so none is named rather than "no frames".</summary>
    private static string FormatText(CaptureFormat captureFormat, IEnumerable<CaptureLinkType> linkTypes, bool isStream)
    {
        var format = captureFormat switch
        {
            CaptureFormat.Pcap => "pcap (microsecond timestamps)",
            CaptureFormat.PcapNanosecond => "pcap (nanosecond timestamps)",
            _ => "pcapng",
        };
        var links = linkTypes.Where(t => t != CaptureLinkType.Unknown).Distinct().Select(LinkTypeName).ToList();
        return links.Count > 0 ? format + ", link " + string.Join(", ", links) : isStream ? format : format + ", no frames";
    }

    private static string LinkTypeName(CaptureLinkType type) => type switch
    {
        CaptureLinkType.Null => "BSD loopback",
        CaptureLinkType.Ethernet => "Ethernet",
        CaptureLinkType.Raw or CaptureLinkType.IPv4 => "raw IP",
        CaptureLinkType.LinuxCooked => "Linux cooked (SLL)",
        CaptureLinkType.LinuxCooked2 => "Linux cooked v2 (SLL2)",
        _ => string.Create(CultureInfo.InvariantCulture, $"type {(ushort)type}"),
    };
}

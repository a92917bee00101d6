using System.Globalization;
using System.Security;
using NetBoot.Wire.Capture;

namespace NetBoot.Wire.Rendering;

/// <summary>The text behind <c>netboot decode FILE</c>: every DHCP/BOOTP/PXE/TFTP packet of a pcap or
/// pcapng capture, numbered as in Wireshark, with the seconds since the first frame and the addresses.
/// The text is stable: the only absolute time shown is the first frame's, which is in the file.</summary>
public static class CaptureRenderer
{
    /// <summary>Reads and renders one file. Never throws for a missing, unreadable or foreign file:
    /// the result is then not readable and its text says why.</summary>
    /// <param name="path">The file; shown in the heading as given.</param>
    public static CaptureRendering Render(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or SecurityException or ArgumentException or NotSupportedException)
        {
            return Unreadable(path, "cannot read the file: " + e.Message);
        }
        return Render(bytes, path);
    }

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
        writer.Line(string.Create(CultureInfo.InvariantCulture,
            $"summary {ValueText.Plural(frames.Count, "frame")}: {flow.DhcpCount} DHCP, {flow.TftpCount} TFTP, {flow.Others.Values.Sum()} not shown; {flow.DamagedCount} damaged"));
        if (flow.Others.Count > 0)
        {
            writer.Line("not shown: " + string.Join(", ", flow.Others.Select(o => string.Create(CultureInfo.InvariantCulture, $"{o.Key} x{o.Value}"))));
        }
        return new CaptureRendering(writer.ToString(), IsReadable: true, frames.Count, flow.DhcpCount, flow.TftpCount, flow.DamagedCount);
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

    private static string FormatText(CaptureFile file, List<CaptureFrame> frames)
    {
        var format = file.Format switch
        {
            CaptureFormat.Pcap => "pcap (microsecond timestamps)",
            CaptureFormat.PcapNanosecond => "pcap (nanosecond timestamps)",
            _ => "pcapng",
        };
        var links = frames.Select(f => f.LinkType).Where(t => t != CaptureLinkType.Unknown).Distinct().Select(LinkTypeName).ToList();
        return links.Count == 0 ? format + ", no frames" : format + ", link " + string.Join(", ", links);
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

using System.Globalization;

namespace NetBoot.Wire.Rendering;

/// <summary>The text behind <c>netboot decode FILE</c>: every DHCP/BOOTP/PXE/TFTP packet of a pcap or
/// pcapng capture, numbered as in Wireshark, with the time since the first frame and the addresses.
/// Stable text: the only absolute time shown is the first frame's, which is in the file.</summary>
public static class CaptureRenderer
{
    /// <summary>Renders the frames of one capture under a heading naming it.</summary>
    /// <param name="displayName">The name shown in the heading (the path as the user gave it).</param>
    /// <param name="format">e.g. "pcap (microsecond timestamps), Ethernet".</param>
    /// <param name="firstFrameTime">The first frame's timestamp as recorded in the file, if any.</param>
    /// <param name="trailingDamage">Why the file ended early (a torn last record), if it did.</param>
    public static CaptureRendering RenderFrames(
        string displayName, string format, DateTimeOffset? firstFrameTime, IEnumerable<CaptureFrame> frames, string? trailingDamage = null)
    {
        ArgumentNullException.ThrowIfNull(frames);
        var writer = new RenderWriter();
        var flow = new PacketFlowRenderer(writer);
        var count = 0;
        writer.Line($"capture {displayName}");
        writer.Line($"format  {format}");
        if (firstFrameTime is { } start)
        {
            writer.Line($"first frame at {start.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss.ffffff", CultureInfo.InvariantCulture)} UTC; times below are seconds since then");
        }
        foreach (var frame in frames)
        {
            count++;
            flow.Render(frame);
        }
        var damaged = flow.DamagedCount;
        if (trailingDamage is not null)
        {
            damaged++;
            writer.BlankLine();
            writer.Line("file damaged after the last whole frame: " + trailingDamage);
        }
        writer.BlankLine();
        writer.Line(Summary(count, flow, damaged));
        if (flow.Others.Count > 0)
        {
            writer.Line("not shown: " + string.Join(", ", flow.Others.Select(o => string.Create(CultureInfo.InvariantCulture, $"{o.Key} x{o.Value}"))));
        }
        return new CaptureRendering(writer.ToString(), IsReadable: true, count, flow.DhcpCount, flow.TftpCount, damaged);
    }

    /// <summary>The one-line result for a file that is not a readable capture.</summary>
    public static CaptureRendering Unreadable(string displayName, string reason) =>
        new($"capture {displayName}\nerror   not a readable pcap/pcapng capture: {reason}\n", IsReadable: false, 0, 0, 0, 0);

    private static string Summary(int frames, PacketFlowRenderer flow, int damaged) =>
        string.Create(CultureInfo.InvariantCulture,
            $"summary {ValueText.Plural(frames, "frame")}: {flow.DhcpCount} DHCP, {flow.TftpCount} TFTP, {flow.Others.Values.Sum()} not shown; {damaged} damaged");
}

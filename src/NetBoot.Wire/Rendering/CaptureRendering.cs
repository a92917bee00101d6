namespace NetBoot.Wire.Rendering;

/// <summary>The text of a rendered capture file.</summary>
/// <param name="Text">The rendering, <c>\n</c> line ends; for an unreadable file, one line saying why.</param>
/// <param name="IsReadable">False when the file is not a capture this reader understands (or cannot be
/// read at all); damaged packets inside a readable capture do not make it false.</param>
/// <param name="DamagedCount">Frames or packets shown as damaged.</param>
public sealed record CaptureRendering(string Text, bool IsReadable, int FrameCount, int DhcpCount, int TftpCount, int DamagedCount);

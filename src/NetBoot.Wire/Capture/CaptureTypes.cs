namespace NetBoot.Wire.Capture;

/// <summary>Why a byte stream could not be opened as a capture file.</summary>
public enum CaptureError
{
    None,
    /// <summary>The stream could not be read (an I/O error).</summary>
    ReadFailed,
    /// <summary>The file is empty.</summary>
    Empty,
    /// <summary>The first four bytes are neither a pcap magic (µs or ns, either byte order) nor a pcapng section header.</summary>
    UnknownFormat,
    /// <summary>The file ends inside the pcap file header (24 bytes) or the first pcapng section header.</summary>
    TruncatedFileHeader,
    /// <summary>A pcapng section header whose byte-order magic is neither 1A2B3C4D nor 4D3C2B1A, or whose length is impossible.</summary>
    BadSectionHeader,
}

/// <summary>The container format of a capture file.</summary>
public enum CaptureFormat
{
    /// <summary>libpcap, microsecond timestamps (magic a1b2c3d4).</summary>
    Pcap,
    /// <summary>libpcap, nanosecond timestamps (magic a1b23c4d).</summary>
    PcapNanosecond,
    /// <summary>pcapng (section header block 0A0D0D0A).</summary>
    PcapNg,
}

/// <summary>Link-layer header types (tcpdump.org LINKTYPE_ values) the UDP extractor understands.
/// Any other value read from a file is kept as is (the enum is not closed over the file).</summary>
public enum CaptureLinkType : ushort
{
    /// <summary>BSD loopback: a 4-byte address family in the writer's byte order.</summary>
    Null = 0,
    Ethernet = 1,
    /// <summary>Raw IP (LINKTYPE_RAW); some old writers used the DLT values 12 or 14 instead.</summary>
    Raw = 101,
    /// <summary>Linux cooked capture v1 (SLL), 16-byte header.</summary>
    LinuxCooked = 113,
    /// <summary>Raw IPv4 only.</summary>
    IPv4 = 228,
    /// <summary>Linux cooked capture v2 (SLL2), 20-byte header.</summary>
    LinuxCooked2 = 276,
    /// <summary>Reserved value used for a damaged record whose interface is not known.</summary>
    Unknown = 0xFFFF,
}

/// <summary>Why a record of the capture file is damaged. After any error except
/// <see cref="UnknownInterface"/> the reader has lost the framing and stops.</summary>
public enum CaptureRecordError
{
    None,
    /// <summary>The file ends inside a record (pcap) or block (pcapng) header.</summary>
    TruncatedRecordHeader,
    /// <summary>The record claims more bytes than the file still holds; the frame carries what is there.</summary>
    TruncatedRecordData,
    /// <summary>A pcapng block length that is too small, not a multiple of 4, or differs from its trailing copy.</summary>
    BadBlockLength,
    /// <summary>A pcapng packet block names an interface no description block declared.</summary>
    UnknownInterface,
}

/// <summary>One captured frame. <see cref="Data"/> is a view of the file's bytes (no copy).</summary>
/// <param name="Number">1-based position among the frames of the file, as Wireshark numbers them.</param>
/// <param name="Timestamp">Capture time (UTC); resolution per file, rounded down to 100 ns.</param>
/// <param name="OriginalLength">Length on the wire; larger than <see cref="Data"/> when the snap length cut it.</param>
/// <param name="Error">Set when the record itself is damaged; then <see cref="Data"/> holds whatever bytes were readable.</param>
public sealed record CaptureFrame(
    int Number,
    DateTimeOffset Timestamp,
    CaptureLinkType LinkType,
    ReadOnlyMemory<byte> Data,
    int OriginalLength,
    CaptureRecordError Error = CaptureRecordError.None)
{
    public bool IsDamaged => Error != CaptureRecordError.None;

    public bool IsCutBySnapLength => Data.Length < OriginalLength;
}

/// <summary>Why a frame did not yield a UDP datagram. The first values mean "not UDP over IPv4" (no damage),
/// the rest mean the bytes are damaged or cut.</summary>
public enum FrameError
{
    None,
    /// <summary>The capture record itself is damaged (<see cref="CaptureFrame.Error"/>).</summary>
    DamagedRecord,
    /// <summary>A link type the extractor does not decode.</summary>
    UnsupportedLinkType,
    /// <summary>Not IPv4 (ARP, IPv6, LLDP …).</summary>
    NotIPv4,
    /// <summary>IPv4, but not UDP (ICMP, TCP …).</summary>
    NotUdp,
    /// <summary>A fragment of an IPv4 datagram (MF set or a non-zero offset); not reassembled.</summary>
    Fragment,
    /// <summary>The frame ends inside the link-layer header (including VLAN tags).</summary>
    TruncatedLinkHeader,
    /// <summary>The frame ends inside the IPv4 header.</summary>
    TruncatedIPv4Header,
    /// <summary>IPv4 version is not 4, the header length is under 20 bytes, or the total length is smaller than the header.</summary>
    BadIPv4Header,
    /// <summary>The IPv4 total length runs past the captured bytes.</summary>
    TruncatedIPv4Packet,
    /// <summary>The IPv4 payload is shorter than the 8-byte UDP header.</summary>
    TruncatedUdpHeader,
    /// <summary>The UDP length is under 8 or runs past the IPv4 payload.</summary>
    BadUdpLength,
}

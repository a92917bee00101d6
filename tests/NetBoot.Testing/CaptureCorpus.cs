using NetBoot.Wire.Capture;

namespace NetBoot.Testing;

/// <summary>The packet captures the tests run over: <c>testdata/pcap/**</c> and <c>testdata/lab/*/capture.pcap</c>, the
/// permissively licensed captures copied into the repository (testdata/PROVENANCE.md). Files are named by a short key,
/// <c>testdata/pcap/dhcp/x.pcap</c>, which reads well in test output.</summary>
public static class CaptureCorpus
{
    private const string TestDataPrefix = "testdata/";

    /// <summary>DHCP server, DHCP client and PXE boot server ports.</summary>
    public static readonly IReadOnlySet<ushort> DhcpPorts = new HashSet<ushort> { 67, 68, 4011 };

    /// <summary>Keys of every capture file, sorted.</summary>
    public static IReadOnlyList<string> AllKeys()
    {
        var testData = Directory.EnumerateFiles(Path.Combine(TestPaths.TestData, "pcap"), "*", SearchOption.AllDirectories)
            .Concat(Directory.EnumerateFiles(Path.Combine(TestPaths.TestData, "lab"), "capture.pcap", SearchOption.AllDirectories))
            .Where(IsCapture)
            .Select(p => TestDataPrefix + Relative(TestPaths.TestData, p));
        return [.. testData.Order(StringComparer.Ordinal)];
    }

    /// <summary>For <c>[MemberData]</c>: one row <c>{ key }</c> per capture file.</summary>
    public static IEnumerable<object[]> AllKeysData() => AllKeys().Select(k => new object[] { k });

    public static string PathOf(string key) => Path.Combine(TestPaths.RepositoryRoot, key);

    /// <summary>The name PROVENANCE.md uses: <c>dhcp/x.pcap</c>, <c>pxe/x.pcapng</c>, <c>lab/bios-ipxe-proxy/capture.pcap</c>.</summary>
    public static string CorpusName(string key) =>
        key.StartsWith(TestDataPrefix + "pcap/", StringComparison.Ordinal) ? key[(TestDataPrefix.Length + 5)..]
        : key[TestDataPrefix.Length..];

    /// <summary>Opens a capture file by key; throws (failing the test) with the reason when it cannot.</summary>
    public static CaptureFile Open(string key)
    {
        if (!CaptureFile.TryOpen(File.ReadAllBytes(PathOf(key)), out var file, out var error))
        {
            throw new InvalidOperationException($"{key}: not a readable capture ({error})");
        }
        return file;
    }

    /// <summary>Every UDP datagram of the file that could be extracted.</summary>
    public static IReadOnlyList<UdpDatagram> UdpDatagrams(string key) => [.. UdpDatagramExtractor.ExtractAll(Open(key).Frames)];

    /// <summary>UDP datagrams to or from port 67, 68 or 4011.</summary>
    public static IReadOnlyList<UdpDatagram> DhcpDatagrams(string key) =>
        [.. UdpDatagrams(key).Where(IsDhcp)];

    /// <summary>IPv6 UDP datagrams on port 546 or 547 (DHCPv6, RFC 8415 §7.2).</summary>
    public static IReadOnlyList<Ip6Datagram> Dhcp6Datagrams(string key) =>
        [.. Ip6PacketExtractor.ExtractAll(Open(key).Frames).Where(d => d.HasPort(546) || d.HasPort(547))];

    /// <summary>UDP datagrams on port 67, 68 or 4011, including those cut short (fuzzer files, snap length), which are
    /// marked <see cref="UdpDatagram.IsPartial"/>: decoders must reject those cleanly.</summary>
    public static IReadOnlyList<UdpDatagram> DhcpDatagramsIncludingPartial(string key) =>
        [.. Open(key).Frames.Select(f => UdpDatagramExtractor.TryExtractPartial(f, out var d, out _) ? d : (UdpDatagram?)null)
            .OfType<UdpDatagram>()
            .Where(IsDhcp)];

    /// <summary>For <c>[MemberData]</c>: one row <c>{ key, frame number }</c> per DHCP datagram (partial ones included) of every capture.</summary>
    public static IEnumerable<object[]> AllDhcpDatagramsData() =>
        AllKeys().SelectMany(k => DhcpDatagramsIncludingPartial(k).Select(d => new object[] { k, d.FrameNumber }));

    /// <summary>The DHCP datagram of that frame (partial ones included).</summary>
    public static UdpDatagram DhcpDatagram(string key, int frameNumber) =>
        DhcpDatagramsIncludingPartial(key).Single(d => d.FrameNumber == frameNumber);

    public static bool IsDhcp(UdpDatagram datagram) =>
        DhcpPorts.Contains(datagram.SourcePort) || DhcpPorts.Contains(datagram.DestinationPort);

    private static string Relative(string root, string path) =>
        Path.GetRelativePath(root, path).Replace(Path.DirectorySeparatorChar, '/');

    private static bool IsCapture(string path) =>
        path.EndsWith(".pcap", StringComparison.Ordinal) || path.EndsWith(".pcapng", StringComparison.Ordinal);
}

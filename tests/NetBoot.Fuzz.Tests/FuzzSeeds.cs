using NetBoot.Configuration.Model;
using NetBoot.Configuration.Parsing;
using NetBoot.Testing;

namespace NetBoot.Fuzz.Tests;

/// <summary>Real inputs the mutations start from: every DHCP and TFTP datagram of the test captures, and the
/// reference configurations.</summary>
internal static class FuzzSeeds
{
    public static readonly byte[][] DhcpDatagrams =
        [.. CaptureCorpus.AllKeys().SelectMany(CaptureCorpus.DhcpDatagrams).Select(d => d.Payload.ToArray())];

    public static readonly byte[][] TftpDatagrams =
        [.. CaptureCorpus.AllKeys().SelectMany(CaptureCorpus.UdpDatagrams)
            .Where(d => d.SourcePort == 69 || d.DestinationPort == 69 || (d.SourcePort > 1024 && d.DestinationPort > 1024))
            .Select(d => d.Payload.ToArray())];

    public static readonly string[] ConfigTexts =
        [.. Directory.GetFiles(TestPaths.Examples, "*.conf").Select(File.ReadAllText)];

    public static readonly ServerConfig[] Configs = [.. ConfigTexts.Select(text => DnsmasqConfigReader.Parse(text, "seed.conf").Config!)];
}

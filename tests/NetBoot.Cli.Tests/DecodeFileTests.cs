using NetBoot.Cli.Commands;
using NetBoot.Testing;

namespace NetBoot.Cli.Tests;

/// <summary><c>netboot decode FILE</c> reads the file itself (Wire renders bytes and does no I/O).</summary>
public class DecodeFileTests
{
    [Fact]
    public void Text_file_is_not_a_capture_and_says_so()
    {
        var path = Path.Combine(TestPaths.TestData, "PROVENANCE.md");

        var rendering = DecodeCommand.RenderFile(path);

        Assert.False(rendering.IsReadable);
        Assert.Equal($"capture {path}\nerror   not a readable pcap/pcapng capture: the first bytes are neither a pcap magic number nor a pcapng section header\n", rendering.Text);
    }

    [Fact]
    public void Missing_file_gives_a_clear_error_instead_of_an_exception()
    {
        var path = Path.Combine(TestPaths.TestData, "no-such-capture.pcap");

        var rendering = DecodeCommand.RenderFile(path);

        Assert.False(rendering.IsReadable);
        Assert.Contains("error   not a readable pcap/pcapng capture: cannot read the file:", rendering.Text);
    }
}

using System.Text.RegularExpressions;
using NetBoot.Interop.Tests.Servers;
using Xunit.Abstractions;

namespace NetBoot.Interop.Tests.Tftp;

/// <summary>One netboot TFTP server for the class (starting it is the slow part).</summary>
public sealed class TftpLabFixture : IAsyncLifetime
{
    public TftpLab Lab { get; private set; } = null!;

    public async Task InitializeAsync() => Lab = await TftpLab.StartAsync();

    public async Task DisposeAsync() => await Lab.DisposeAsync();
}

/// <summary>Real TFTP clients from Debian (tftp-hpa, curl, atftp, busybox) and netboot's own tftp-get fetch files
/// byte-identical (SHA-256) from netboot: the 34 MiB file that runs past block 65535 at blksize 512, and a text
/// file in netascii (LF → CR LF, CR → CR NUL on the wire; the clients that convert back get the original).</summary>
[Trait("Category", "Interop")]
public sealed class TftpClientInteropTests(TftpLabFixture fixture, ITestOutputHelper output) : IClassFixture<TftpLabFixture>
{
    private static readonly TimeSpan LogTimeout = TimeSpan.FromSeconds(30);

    private TftpLab Lab => fixture.Lab;

    [Fact]
    public async Task Tftp_hpa_fetches_the_file_past_the_block_wrap_and_the_netascii_text()
    {
        var wrap = Lab.OutputPath(TftpLab.WrapFile);
        await FetchAsync(["tftp", "-m", "binary", TftpLab.ServerAddress, "-c", "get", TftpLab.WrapFile, wrap]);
        AssertSameFile(TftpLab.WrapFile, wrap);

        var text = Lab.OutputPath(TftpLab.TextFile);
        await FetchAsync(["tftp", "-m", "netascii", TftpLab.ServerAddress, "-c", "get", TftpLab.TextFile, text]);
        Assert.Equal(TftpLab.Sha256(TftpLab.TextContent), TftpLab.Sha256File(text));
    }

    [Fact]
    public async Task Curl_fetches_with_tftp_blksize_and_receives_netascii_as_sent_on_the_wire()
    {
        var wrap = Lab.OutputPath(TftpLab.WrapFile);
        await FetchAsync(["curl", "-sS", "--tftp-blksize", "1468", $"tftp://{TftpLab.ServerAddress}/{TftpLab.WrapFile}", "-o", wrap]);
        AssertSameFile(TftpLab.WrapFile, wrap);
        await Lab.WaitForLogAsync(new Regex($@"sent \S+/{TftpLab.WrapFile} to {Regex.Escape(TftpLab.ClientAddress)}: {TftpLab.WrapFileLength} bytes .* blksize 1468, windowsize 1"), LogTimeout);

        // curl asks for netascii but keeps the wire bytes: they must be RFC 1350's encoding of the file.
        var text = Lab.OutputPath(TftpLab.TextFile);
        await FetchAsync(["curl", "-sS", $"tftp://{TftpLab.ServerAddress}/{TftpLab.TextFile};mode=netascii", "-o", text]);
        Assert.Equal(Netascii(TftpLab.TextContent), File.ReadAllBytes(text));
    }

    [Fact]
    public async Task Atftp_fetches_with_a_blksize_option_and_the_netascii_text()
    {
        var wrap = Lab.OutputPath(TftpLab.WrapFile);
        await FetchAsync(["atftp", "--option", "blksize 1024", "-g", "-r", TftpLab.WrapFile, "-l", wrap, TftpLab.ServerAddress]);
        AssertSameFile(TftpLab.WrapFile, wrap);

        var text = Lab.OutputPath(TftpLab.TextFile);
        await FetchAsync(["atftp", "--option", "mode netascii", "-g", "-r", TftpLab.TextFile, "-l", text, TftpLab.ServerAddress]);
        Assert.Equal(TftpLab.Sha256(TftpLab.TextContent), TftpLab.Sha256File(text));
    }

    [Fact]
    public async Task Busybox_tftp_fetches_the_file_past_the_block_wrap_at_512_and_with_blocksize()
    {
        var plain = Lab.OutputPath(TftpLab.WrapFile);
        await FetchAsync(["busybox", "tftp", "-g", "-r", TftpLab.WrapFile, "-l", plain, TftpLab.ServerAddress]);
        AssertSameFile(TftpLab.WrapFile, plain);

        var sized = Lab.OutputPath(TftpLab.SmallFile);
        await FetchAsync(["busybox", "tftp", "-b", "1468", "-g", "-r", TftpLab.SmallFile, "-l", sized, TftpLab.ServerAddress]);
        AssertSameFile(TftpLab.SmallFile, sized);
    }

    [Fact]
    public async Task Netboot_tftp_get_fetches_with_windowsize_and_tsize()
    {
        var netboot = Path.Combine(await NetBootServer.PublishDirectoryAsync(), "netboot");
        var wrap = Lab.OutputPath(TftpLab.WrapFile);
        var (_, _, stderr) = await FetchAsync([netboot, "tftp-get", "--blksize", "512", "--windowsize", "16", "--tsize", TftpLab.ServerAddress, TftpLab.WrapFile, "-o", wrap]);
        AssertSameFile(TftpLab.WrapFile, wrap);
        Assert.Matches($@"received {TftpLab.WrapFile} from .*: {TftpLab.WrapFileLength} bytes .* blksize 512, windowsize 16, tsize {TftpLab.WrapFileLength}", stderr);
    }

    /// <summary>Issue 16: <c>tftp-get --netascii</c> writes what it receives with local line ends (CR LF → LF, CR NUL → CR),
    /// so the file arrives as it is on the server, as tftp-hpa and atftp give it; the figures count the bytes on the wire.</summary>
    [Fact]
    public async Task Netboot_tftp_get_netascii_writes_the_file_with_local_line_ends()
    {
        var netboot = Path.Combine(await NetBootServer.PublishDirectoryAsync(), "netboot");
        var text = Lab.OutputPath(TftpLab.TextFile);
        var (_, _, stderr) = await FetchAsync([netboot, "tftp-get", "--netascii", "--blksize", "512", TftpLab.ServerAddress, TftpLab.TextFile, "-o", text]);
        Assert.Equal(TftpLab.Sha256(TftpLab.TextContent), TftpLab.Sha256File(text));
        Assert.Contains($"received {TftpLab.TextFile} from ", stderr, StringComparison.Ordinal);
        Assert.Contains($": {Netascii(TftpLab.TextContent).Length} bytes in ", stderr, StringComparison.Ordinal);
        File.Delete(text);
    }

    /// <summary>Netascii is converted while it is sent and its length found at its end: past block 65535 the block
    /// number rolls over as in octet. curl keeps the wire bytes (about 70 200 blocks of 512 for the 34 MiB file), tftp-hpa
    /// converts them back to the file itself.</summary>
    [Fact]
    public async Task Netascii_runs_past_the_block_wrap_and_converts_back_to_the_file()
    {
        var wire = Lab.OutputPath(TftpLab.WrapFile + ".netascii");
        await FetchAsync(["curl", "-sS", $"tftp://{TftpLab.ServerAddress}/{TftpLab.WrapFile};mode=netascii", "-o", wire]);
        var expected = Netascii(await File.ReadAllBytesAsync(Lab.PathInRoot(TftpLab.WrapFile)));
        Assert.True(expected.Length / 512 > 65_536, "the conversion must run past block 65535");
        Assert.Equal(TftpLab.Sha256(expected), TftpLab.Sha256File(wire));
        File.Delete(wire);

        var back = Lab.OutputPath(TftpLab.WrapFile);
        await FetchAsync(["tftp", "-m", "netascii", TftpLab.ServerAddress, "-c", "get", TftpLab.WrapFile, back]);
        AssertSameFile(TftpLab.WrapFile, back);
    }

    private async Task<(int ExitCode, string Stdout, string Stderr)> FetchAsync(string[] command)
    {
        var result = await Lab.RunClientAsync(command);
        output.WriteLine($"$ {string.Join(' ', command)} → {result.ExitCode}\n{result.Stdout}{result.Stderr}");
        Assert.True(result.ExitCode == 0, $"{command[0]} failed ({result.ExitCode}): {result.Stderr}\n{Lab.ServerProcess!.Log.Tail()}");
        return result;
    }

    private void AssertSameFile(string served, string received)
    {
        Assert.Equal(new FileInfo(Lab.PathInRoot(served)).Length, new FileInfo(received).Length);
        Assert.Equal(TftpLab.Sha256File(Lab.PathInRoot(served)), TftpLab.Sha256File(received));
        File.Delete(received);
    }

    /// <summary>RFC 1350 / RFC 764: LF → CR LF, CR → CR NUL.</summary>
    private static byte[] Netascii(byte[] text) =>
        [.. text.SelectMany(b => b switch { (byte)'\n' => new byte[] { 13, 10 }, (byte)'\r' => [13, 0], _ => [b] })];
}

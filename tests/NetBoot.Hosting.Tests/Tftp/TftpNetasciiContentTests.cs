using NetBoot.Hosting.Tftp;
using NetBoot.Wire.Tftp;

namespace NetBoot.Hosting.Tests.Tftp;

/// <summary>A netascii <see cref="TftpContent"/> over a real file (issue 14 item 2): converted while read, through
/// the shared block cache, with no length up front (so no tsize), and a sparse file over 2 GiB answered at once.</summary>
public sealed class TftpNetasciiContentTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("netboot-netascii-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    /// <summary>RFC 1350 netascii, one byte at a time.</summary>
    internal static byte[] Netascii(byte[] local) =>
        [.. local.SelectMany(b => b switch { (byte)'\n' => new byte[] { 13, 10 }, (byte)'\r' => [13, 0], _ => [b] })];

    internal static byte[] Text(int length, int seed)
    {
        var random = new Random(seed);
        return [.. Enumerable.Range(0, length).Select(_ => random.Next(6) switch { 0 => (byte)'\n', 1 => (byte)'\r', _ => (byte)random.Next(32, 127) })];
    }

    /// <summary>Reads block after block until one comes back short, as the transfer drivers do.</summary>
    private static byte[] ReadToEnd(TftpContent content, int blockSize)
    {
        var output = new MemoryStream();
        var block = new byte[blockSize];
        for (long offset = 0; ; offset += blockSize)
        {
            var read = content.Read(offset, block);
            output.Write(block, 0, read);
            if (read < blockSize)
            {
                return output.ToArray();
            }
        }
    }

    [Fact]
    public void Netascii_content_is_the_conversion_of_the_file_with_no_length_and_no_tsize()
    {
        var text = Text(300_000, 1);
        var path = Path.Combine(_directory, "text");
        File.WriteAllBytes(path, text);
        using var content = TftpContent.Open(path, TftpTransferMode.Netascii, new TftpBlockCache(1 << 20));

        Assert.Null(content.Length);
        Assert.Null(content.TransferSize);
        Assert.Equal(text.Length, content.FileLength);
        Assert.Equal(Netascii(text), ReadToEnd(content, 1468));
    }

    [Fact]
    public void Fifty_netascii_readers_of_one_file_share_the_cache_and_hold_no_copy_of_it()
    {
        var text = Text(1_000_000, 2);
        var path = Path.Combine(_directory, "shared");
        File.WriteAllBytes(path, text);
        var cache = new TftpBlockCache(32L * 1024 * 1024);
        var expected = Netascii(text);
        for (var client = 0; client < 50; client++)
        {
            using var content = TftpContent.Open(path, TftpTransferMode.Netascii, cache);
            Assert.Equal(expected, ReadToEnd(content, 512));
        }
        var segments = (text.Length + TftpBlockCache.SegmentSize - 1) / TftpBlockCache.SegmentSize;
        Assert.Equal(segments, cache.Reads);
    }

    [Fact]
    public void A_sparse_file_over_2_GiB_is_answered_at_once_in_both_modes()
    {
        var path = Path.Combine(_directory, "huge.img");
        using (var file = new FileStream(path, FileMode.CreateNew))
        {
            // Sparse: no disk space, reads as NUL bytes. A LF at 3 GiB − 1 (the last byte).
            file.SetLength(3L << 30);
            file.Seek(-1, SeekOrigin.End);
            file.WriteByte((byte)'\n');
        }
        var cache = new TftpBlockCache(1 << 20);
        // The whole-file conversion this replaced threw here (an array over 2 GiB), and the request got no answer.
        using var netascii = TftpContent.Open(path, TftpTransferMode.Netascii, cache);
        var block = new byte[512];
        Assert.Equal(512, netascii.Read(0, block));
        Assert.All(block, b => Assert.Equal(0, b));
        Assert.Equal(512, netascii.Read(512, block));

        using var octet = TftpContent.Open(path, TftpTransferMode.Octet, cache);
        Assert.Equal(3L << 30, octet.Length);
        Assert.Equal(3L << 30, octet.TransferSize);
        var tail = new byte[4];
        Assert.Equal(4, octet.Read((3L << 30) - 4, tail));
        Assert.Equal(new byte[] { 0, 0, 0, (byte)'\n' }, tail);
    }
}

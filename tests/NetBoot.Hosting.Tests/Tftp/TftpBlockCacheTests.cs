using NetBoot.Hosting.Tftp;
using NetBoot.Wire.Tftp;

namespace NetBoot.Hosting.Tests.Tftp;

public sealed class TftpBlockCacheTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("netboot-cache-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private string WriteFile(string name, int length, int seed)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        var path = Path.Combine(_directory, name);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    private static byte[] ReadAll(TftpContent content, int chunk)
    {
        var result = new byte[content.FileLength];
        for (long offset = 0; offset < content.FileLength; offset += chunk)
        {
            content.Read(offset, result.AsSpan((int)offset, (int)Math.Min(chunk, content.FileLength - offset)));
        }
        return result;
    }

    [Fact]
    public void Many_transfers_of_the_same_file_read_each_segment_from_disk_once()
    {
        var path = WriteFile("kernel", 1_000_000, 1);
        var cache = new TftpBlockCache(32L * 1024 * 1024);
        var expected = File.ReadAllBytes(path);
        for (var client = 0; client < 50; client++)
        {
            using var content = TftpContent.Open(path, TftpTransferMode.Octet, cache);
            Assert.Equal(expected, ReadAll(content, 1468));
        }
        var segments = (1_000_000 + TftpBlockCache.SegmentSize - 1) / TftpBlockCache.SegmentSize;
        Assert.Equal(segments, cache.Reads);
        Assert.True(cache.Hits >= 49 * segments);
    }

    [Fact]
    public void The_cache_never_holds_more_than_its_bound_and_still_serves_correct_bytes()
    {
        var path = WriteFile("initrd", 3 * 1024 * 1024 + 123, 2);
        var cache = new TftpBlockCache(4 * TftpBlockCache.SegmentSize);
        using var first = TftpContent.Open(path, TftpTransferMode.Octet, cache);
        using var second = TftpContent.Open(path, TftpTransferMode.Octet, cache);
        var expected = File.ReadAllBytes(path);
        Assert.Equal(expected, ReadAll(first, 512));
        Assert.Equal(expected, ReadAll(second, 8192));
        Assert.True(cache.AllocatedSegments <= 4);
    }

    [Fact]
    public void When_every_buffer_is_pinned_a_transfer_reads_the_file_itself()
    {
        var path = WriteFile("a", 4 * TftpBlockCache.SegmentSize, 3);
        var cache = new TftpBlockCache(TftpBlockCache.SegmentSize);
        using var holder = TftpContent.Open(path, TftpTransferMode.Octet, cache);
        holder.Read(0, new byte[10]);   // pins the only buffer
        using var other = TftpContent.Open(path, TftpTransferMode.Octet, cache);
        Assert.Equal(File.ReadAllBytes(path), ReadAll(other, 1024));
        Assert.Equal(1, cache.AllocatedSegments);
    }

    [Fact]
    public void A_rewritten_file_is_not_served_from_stale_segments()
    {
        var path = WriteFile("pxelinux.0", 100_000, 4);
        var cache = new TftpBlockCache(1024 * 1024);
        using (var before = TftpContent.Open(path, TftpTransferMode.Octet, cache))
        {
            ReadAll(before, 512);
        }
        var replacement = new byte[100_000];
        new Random(5).NextBytes(replacement);
        File.WriteAllBytes(path, replacement);
        File.SetLastWriteTimeUtc(path, DateTime.UtcNow.AddMinutes(1));
        using var after = TftpContent.Open(path, TftpTransferMode.Octet, cache);
        Assert.Equal(replacement, ReadAll(after, 512));
    }

    [Fact]
    public void A_zero_capacity_cache_reads_through()
    {
        var path = WriteFile("b", 70_000, 6);
        var cache = new TftpBlockCache(0);
        using var content = TftpContent.Open(path, TftpTransferMode.Octet, cache);
        Assert.Equal(File.ReadAllBytes(path), ReadAll(content, 1468));
        Assert.Equal(0, cache.Reads);
    }
}

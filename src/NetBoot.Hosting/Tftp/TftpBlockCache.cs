using Microsoft.Win32.SafeHandles;

namespace NetBoot.Hosting.Tftp;

/// <summary>Identifies one version of a file: a file replaced or rewritten in place gets a new key, so a cached
/// segment is never served for content that changed.</summary>
internal readonly record struct TftpFileKey(string RealPath, long Length, long LastWriteTicks);

/// <summary>One cached stretch of a file (<see cref="TftpBlockCache.SegmentSize"/> bytes, shorter at the end).
/// Pinned while a transfer reads from it; only unpinned segments are evicted.</summary>
internal sealed class TftpCacheSegment
{
    internal TftpCacheSegment(byte[] buffer) => Buffer = buffer;

    internal byte[] Buffer { get; }
    internal TftpFileKey Key { get; set; }
    internal long Index { get; set; }
    internal int Length { get; set; }
    internal int Pins { get; set; }
    /// <summary>Links of the intrusive least-recently-used list of unpinned segments (no node allocation).</summary>
    internal TftpCacheSegment? Older { get; set; }
    internal TftpCacheSegment? Newer { get; set; }
    internal bool IsUnpinnedListed { get; set; }

    public ReadOnlySpan<byte> Content => Buffer.AsSpan(0, Length);
}

/// <summary>The block cache shared by every TFTP transfer (DESIGN "the same boot file read from disk once and
/// shared"): when 200 machines fetch the same kernel at once, each 64 KiB segment is read once and copied into
/// every client's DATA packets. Bounded: at most <c>capacity / SegmentSize</c> buffers ever exist; when all are
/// pinned the caller reads the file itself. Reference-counted: a segment in use is never recycled. Buffers are
/// reused, never freed, so the steady state allocates nothing.</summary>
internal sealed class TftpBlockCache
{
    public const int SegmentSize = 64 * 1024;

    private readonly Lock _lock = new();
    private readonly Dictionary<(TftpFileKey Key, long Index), TftpCacheSegment> _segments = [];
    /// <summary>Unpinned segments: <see cref="_oldest"/> is evicted first, released segments go after <see cref="_newest"/>.</summary>
    private TftpCacheSegment? _oldest;
    private TftpCacheSegment? _newest;
    private readonly int _maximumSegments;
    private int _allocatedSegments;
    private long _reads;
    private long _hits;

    public TftpBlockCache(long capacityBytes) => _maximumSegments = (int)Math.Clamp(capacityBytes / SegmentSize, 0, int.MaxValue);

    /// <summary>Disk reads done so far (one per segment loaded).</summary>
    public long Reads => Interlocked.Read(ref _reads);

    /// <summary>Segment requests answered from memory.</summary>
    public long Hits => Interlocked.Read(ref _hits);

    /// <summary>Segment buffers that exist (each <see cref="SegmentSize"/> bytes).</summary>
    public int AllocatedSegments => Volatile.Read(ref _allocatedSegments);

    /// <summary>Pins segment <paramref name="index"/> of the file, loading it when absent; null when every buffer
    /// is pinned (or the cache has no capacity): then read the file directly.</summary>
    public TftpCacheSegment? Acquire(TftpFileKey key, SafeFileHandle file, long index)
    {
        lock (_lock)
        {
            if (_segments.TryGetValue((key, index), out var cached))
            {
                _hits++;
                Pin(cached);
                return cached;
            }
            var segment = TakeBuffer();
            if (segment is null)
            {
                return null;
            }
            // Read under the lock: a segment is loaded once even when many transfers ask for it at the same time,
            // and page-cache reads of 64 KiB take microseconds.
            var length = (int)Math.Clamp(key.Length - index * SegmentSize, 0, SegmentSize);
            if (!TftpContent.TryReadExactly(file, segment.Buffer.AsSpan(0, length), index * SegmentSize))
            {
                Recycle(segment);
                return null;
            }
            _reads++;
            segment.Key = key;
            segment.Index = index;
            segment.Length = length;
            segment.Pins = 1;
            _segments[(key, index)] = segment;
            return segment;
        }
    }

    public void Release(TftpCacheSegment segment)
    {
        ArgumentNullException.ThrowIfNull(segment);
        lock (_lock)
        {
            if (--segment.Pins == 0)
            {
                AppendUnpinned(segment);
            }
        }
    }

    private void Pin(TftpCacheSegment segment)
    {
        if (segment.Pins++ == 0 && segment.IsUnpinnedListed)
        {
            Unlink(segment);
        }
    }

    /// <summary>A fresh buffer while under the bound, else the least recently used unpinned segment.</summary>
    private TftpCacheSegment? TakeBuffer()
    {
        if (_allocatedSegments < _maximumSegments)
        {
            _allocatedSegments++;
            return new TftpCacheSegment(GC.AllocateUninitializedArray<byte>(SegmentSize));
        }
        if (_oldest is not { } segment)
        {
            return null;
        }
        Unlink(segment);
        _segments.Remove((segment.Key, segment.Index));
        return segment;
    }

    private void Recycle(TftpCacheSegment segment)
    {
        segment.Pins = 0;
        segment.Length = 0;
        segment.Key = default;
        segment.Index = -1;
        AppendUnpinned(segment);
    }

    private void AppendUnpinned(TftpCacheSegment segment)
    {
        segment.Older = _newest;
        segment.Newer = null;
        if (_newest is not null)
        {
            _newest.Newer = segment;
        }
        _newest = segment;
        _oldest ??= segment;
        segment.IsUnpinnedListed = true;
    }

    private void Unlink(TftpCacheSegment segment)
    {
        if (segment.Older is { } older)
        {
            older.Newer = segment.Newer;
        }
        else
        {
            _oldest = segment.Newer;
        }
        if (segment.Newer is { } newer)
        {
            newer.Older = segment.Older;
        }
        else
        {
            _newest = segment.Older;
        }
        segment.Older = null;
        segment.Newer = null;
        segment.IsUnpinnedListed = false;
    }
}

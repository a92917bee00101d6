using Microsoft.Win32.SafeHandles;
using NetBoot.Engine.Tftp;
using NetBoot.Wire.Tftp;

namespace NetBoot.Hosting.Tftp;

/// <summary>The bytes a transfer sends: the file itself (octet: copied out of the shared <see cref="TftpBlockCache"/>,
/// or read at an offset when the cache is full), or its netascii conversion, made block by block from the same
/// reads (<see cref="NetasciiContent"/>: constant memory, whatever the file's size). One instance per transfer; it
/// pins at most two cache segments at a time (a block may straddle two).</summary>
internal sealed class TftpContent : IDisposable
{
    private readonly SafeFileHandle _file;
    private readonly NetasciiContent? _netascii;
    private readonly TftpBlockCache? _cache;
    private readonly TftpFileKey _key;
    /// <summary>The two pinned segments; <see cref="_recentIsOther"/> says which was used last (the other is replaced first).</summary>
    private TftpCacheSegment? _segment;
    private TftpCacheSegment? _other;
    private bool _recentIsOther;

    private TftpContent(SafeFileHandle file, long fileLength, bool netascii, TftpBlockCache? cache, TftpFileKey key)
    {
        _file = file;
        _cache = cache;
        _key = key;
        FileLength = fileLength;
        _netascii = netascii ? new NetasciiContent(ReadSource) : null;
    }

    /// <summary>The file's size when it was opened.</summary>
    public long FileLength { get; }

    /// <summary>Bytes the transfer sends: the file's size; null in netascii, where the converted size is known only
    /// once the conversion reaches the end (a short <see cref="Read"/>).</summary>
    public long? Length => _netascii is null ? FileLength : null;

    /// <summary>RFC 2349: tsize is offered for octet transfers only (a netascii size is not the file's, and finding it
    /// would cost a pass over the whole file before the first block).</summary>
    public long? TransferSize => Length;

    public static TftpContent Open(string path, TftpTransferMode mode, TftpBlockCache? cache = null)
    {
        var handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read, FileOptions.RandomAccess);
        try
        {
            var length = RandomAccess.GetLength(handle);
            var key = new TftpFileKey(path, length, File.GetLastWriteTimeUtc(handle).Ticks);
            return new TftpContent(handle, length, mode == TftpTransferMode.Netascii, cache, key);
        }
        catch
        {
            handle.Dispose();
            throw;
        }
    }

    /// <summary>Copies the content from <paramref name="offset"/> into <paramref name="destination"/>; returns the
    /// bytes copied: all of them, except at the end of a netascii content (see <see cref="Length"/>). Allocation-free.</summary>
    public int Read(long offset, Span<byte> destination)
    {
        if (_netascii is not null)
        {
            return _netascii.Read(offset, destination);
        }
        ReadFile(offset, destination);
        return destination.Length;
    }

    /// <summary>The netascii conversion's source: up to <paramref name="destination"/>.Length bytes of the file as it
    /// was opened (0 at its end).</summary>
    private int ReadSource(long offset, Span<byte> destination)
    {
        var count = (int)Math.Clamp(FileLength - offset, 0, destination.Length);
        ReadFile(offset, destination[..count]);
        return count;
    }

    private void ReadFile(long offset, Span<byte> destination)
    {
        while (!destination.IsEmpty)
        {
            var index = offset / TftpBlockCache.SegmentSize;
            if (SegmentAt(index) is not { } segment)
            {
                if (!TryReadExactly(_file, destination, offset))
                {
                    throw new IOException("the file became shorter during the transfer");
                }
                return;
            }
            var within = (int)(offset - index * TftpBlockCache.SegmentSize);
            var count = Math.Min(destination.Length, segment.Length - within);
            if (count <= 0)
            {
                throw new IOException("the file became shorter during the transfer");
            }
            segment.Content.Slice(within, count).CopyTo(destination);
            destination = destination[count..];
            offset += count;
        }
    }

    /// <summary>Segment <paramref name="index"/>, pinned in one of the two slots (a window that crosses a segment
    /// boundary, or a resend of the previous one, finds both); null without a cache or when every buffer is pinned.</summary>
    private TftpCacheSegment? SegmentAt(long index)
    {
        if (_segment is { } a && a.Index == index)
        {
            _recentIsOther = false;
            return a;
        }
        if (_other is { } b && b.Index == index)
        {
            _recentIsOther = true;
            return b;
        }
        if (_cache is null)
        {
            return null;
        }
        // Replace an empty slot, else the one not used last.
        var useOther = _segment is not null && (_other is null || !_recentIsOther);
        ref var slot = ref useOther ? ref _other : ref _segment;
        if (slot is { } old)
        {
            slot = null;
            _cache.Release(old);
        }
        slot = _cache.Acquire(_key, _file, index);
        _recentIsOther = useOther;
        return slot;
    }

    private void ReleaseSegments()
    {
        if (_segment is { } segment)
        {
            _segment = null;
            _cache!.Release(segment);
        }
        if (_other is { } other)
        {
            _other = null;
            _cache!.Release(other);
        }
    }

    /// <summary>pread until <paramref name="destination"/> is full; false when the file ends first.</summary>
    internal static bool TryReadExactly(SafeFileHandle handle, Span<byte> destination, long offset)
    {
        while (!destination.IsEmpty)
        {
            var read = RandomAccess.Read(handle, destination, offset);
            if (read == 0)
            {
                return false;
            }
            destination = destination[read..];
            offset += read;
        }
        return true;
    }

    public void Dispose()
    {
        ReleaseSegments();
        _file.Dispose();
    }
}

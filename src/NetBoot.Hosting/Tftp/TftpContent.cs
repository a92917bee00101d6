using Microsoft.Win32.SafeHandles;
using NetBoot.Engine.Tftp;
using NetBoot.Wire.Tftp;

namespace NetBoot.Hosting.Tftp;

/// <summary>The bytes a transfer sends: the file itself (octet: copied out of the shared
/// <see cref="TftpBlockCache"/>, or read at an offset when the cache is full), or its netascii conversion held in
/// memory. One instance per transfer; it pins at most one cache segment at a time.</summary>
internal sealed class TftpContent : IDisposable
{
    private readonly SafeFileHandle? _file;
    private readonly byte[]? _converted;
    private readonly TftpBlockCache? _cache;
    private readonly TftpFileKey _key;
    private TftpCacheSegment? _segment;

    private TftpContent(SafeFileHandle? file, byte[]? converted, long length, TftpBlockCache? cache, TftpFileKey key)
    {
        _file = file;
        _converted = converted;
        _cache = cache;
        _key = key;
        Length = length;
    }

    public long Length { get; }

    /// <summary>RFC 2349: tsize is offered for octet transfers only (a netascii size is not the file's).</summary>
    public long? TransferSize => _file is not null ? Length : null;

    public static TftpContent Open(string path, TftpTransferMode mode, TftpBlockCache? cache = null)
    {
        var handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read, FileOptions.RandomAccess);
        if (mode != TftpTransferMode.Netascii)
        {
            var length = RandomAccess.GetLength(handle);
            var key = new TftpFileKey(path, length, File.GetLastWriteTimeUtc(handle).Ticks);
            return new TftpContent(handle, null, length, cache, key);
        }
        using (handle)
        {
            var raw = new byte[RandomAccess.GetLength(handle)];
            if (!TryReadExactly(handle, raw, 0))
            {
                throw new IOException("the file became shorter while it was read");
            }
            var converted = NetasciiEncoder.Encode(raw);
            return new TftpContent(null, converted, converted.Length, null, default);
        }
    }

    /// <summary>Copies <paramref name="destination"/>.Length bytes from <paramref name="offset"/>. Allocation-free.</summary>
    public void Read(long offset, Span<byte> destination)
    {
        if (_converted is not null)
        {
            _converted.AsSpan((int)offset, destination.Length).CopyTo(destination);
            return;
        }
        while (!destination.IsEmpty)
        {
            var index = offset / TftpBlockCache.SegmentSize;
            if (SegmentAt(index) is not { } segment)
            {
                if (!TryReadExactly(_file!, destination, offset))
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

    private TftpCacheSegment? SegmentAt(long index)
    {
        if (_segment is { } current && current.Index == index)
        {
            return current;
        }
        if (_cache is null)
        {
            return null;
        }
        ReleaseSegment();
        _segment = _cache.Acquire(_key, _file!, index);
        return _segment;
    }

    private void ReleaseSegment()
    {
        if (_segment is { } segment)
        {
            _segment = null;
            _cache!.Release(segment);
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
        ReleaseSegment();
        _file?.Dispose();
    }
}

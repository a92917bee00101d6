namespace NetBoot.Engine.Tftp;

/// <summary>Reads up to <paramref name="destination"/>.Length bytes of a file at <paramref name="offset"/>; returns
/// how many were read, 0 only at the end of the file.</summary>
public delegate int TftpSourceReader(long offset, Span<byte> destination);

/// <summary>The netascii form of a file (<see cref="NetasciiEncoder"/>), produced block by block while the transfer
/// runs instead of converted whole in memory (issue 14: 50 such requests for a 48 MiB file took 4.2 GB, and a file
/// over 2 GiB could not be converted at all). Memory per transfer is constant: one source chunk of
/// <see cref="ChunkSize"/> bytes and <see cref="CheckpointCount"/> checkpoints.</summary>
/// <remarks>
/// <para>A converted offset does not map to a source offset by arithmetic (each CR and LF adds a byte), so the
/// content remembers the encoder's state — source offset and pending byte — where recent reads began and ended. A
/// transfer reads forward (each block starts where the last one ended) and goes back only to resend its
/// unacknowledged window (one block: RFC 7440 windows are granted in octet mode only), so those checkpoints always
/// hold the start of the next read. An offset before every checkpoint (never asked by <see cref="TftpTransfer"/>) is
/// still served correctly, by converting again from the start of the file.</para>
/// <para>The converted length is known only when the conversion reaches the end of the file: a read returns fewer
/// bytes than asked there, and the service tells the transfer (<see cref="TftpTransfer.OnContentEnd"/>). Knowing it
/// up front would cost a pass over the whole file before the first block, which is also why tsize is not offered in
/// netascii (RFC 2349 lets the server leave it out; dnsmasq does the same).</para>
/// </remarks>
public sealed class NetasciiContent
{
    /// <summary>Source bytes read at a time (and kept, so a block starting inside the last chunk reads nothing).</summary>
    public const int ChunkSize = 16 * 1024;

    /// <summary>Checkpoints kept: more than a window of blocks ever needs.</summary>
    public const int CheckpointCount = 8;

    private readonly TftpSourceReader _source;
    private readonly NetasciiEncoder _encoder = new();
    private readonly byte[] _chunk = new byte[ChunkSize];
    private readonly Checkpoint[] _checkpoints = new Checkpoint[CheckpointCount];
    private long _chunkOffset;
    private int _chunkLength;
    private int _checkpointsUsed;
    private int _nextCheckpoint;

    public NetasciiContent(TftpSourceReader source)
    {
        ArgumentNullException.ThrowIfNull(source);
        _source = source;
    }

    /// <summary>Source bytes read so far (tests: a sequential transfer reads each byte about once).</summary>
    public long SourceBytesRead { get; private set; }

    /// <summary>Fills <paramref name="destination"/> with the converted bytes from <paramref name="offset"/>; returns
    /// how many were written: fewer than asked only at the end of the converted content. Allocation-free.</summary>
    public int Read(long offset, Span<byte> destination)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        if (destination.IsEmpty)
        {
            return 0;
        }
        var start = Nearest(offset);
        var converted = start.Offset;
        var source = start.SourceOffset;
        _encoder.Restore(start.PendingByte);
        // Only when no checkpoint is at the offset: convert into the destination and discard, up to the offset.
        while (converted < offset)
        {
            var skipped = Step(ref source, destination[..(int)Math.Min(destination.Length, offset - converted)]);
            if (skipped == 0)
            {
                return 0;
            }
            converted += skipped;
        }
        if (start.Offset != offset)
        {
            Remember(new Checkpoint(offset, source, _encoder.PendingByte));
        }
        var written = 0;
        while (written < destination.Length)
        {
            var count = Step(ref source, destination[written..]);
            if (count == 0)
            {
                break;
            }
            written += count;
        }
        Remember(new Checkpoint(offset + written, source, _encoder.PendingByte));
        return written;
    }

    /// <summary>Converts from source offset <paramref name="source"/> into <paramref name="destination"/> (not empty);
    /// returns the bytes written, 0 at the end of the content.</summary>
    private int Step(ref long source, Span<byte> destination)
    {
        var written = _encoder.Convert(ChunkAt(source), destination, out var consumed);
        source += consumed;
        return written;
    }

    /// <summary>The source from <paramref name="offset"/> to the end of the chunk holding it (read when needed);
    /// empty at the end of the file.</summary>
    private ReadOnlySpan<byte> ChunkAt(long offset)
    {
        if (offset < _chunkOffset || offset >= _chunkOffset + _chunkLength)
        {
            _chunkOffset = offset;
            _chunkLength = 0;
            _chunkLength = _source(offset, _chunk);
            SourceBytesRead += _chunkLength;
        }
        return _chunk.AsSpan((int)(offset - _chunkOffset), _chunkLength - (int)(offset - _chunkOffset));
    }

    /// <summary>The checkpoint at <paramref name="offset"/>, else the nearest one before it, else the file's start.</summary>
    private Checkpoint Nearest(long offset)
    {
        var best = default(Checkpoint);
        for (var i = 0; i < _checkpointsUsed; i++)
        {
            var candidate = _checkpoints[i];
            if (candidate.Offset <= offset && candidate.Offset >= best.Offset)
            {
                best = candidate;
            }
        }
        return best;
    }

    /// <summary>Keeps <paramref name="checkpoint"/>, replacing the oldest one (or one at the same offset: the state
    /// at an offset never changes).</summary>
    private void Remember(Checkpoint checkpoint)
    {
        for (var i = 0; i < _checkpointsUsed; i++)
        {
            if (_checkpoints[i].Offset == checkpoint.Offset)
            {
                _checkpoints[i] = checkpoint;
                return;
            }
        }
        _checkpoints[_nextCheckpoint] = checkpoint;
        _nextCheckpoint = (_nextCheckpoint + 1) % CheckpointCount;
        _checkpointsUsed = Math.Max(_checkpointsUsed, _nextCheckpoint == 0 ? CheckpointCount : _nextCheckpoint);
    }

    /// <summary>The encoder's state at converted offset <see cref="Offset"/>: the next source byte to read and the
    /// pending second byte of an expansion split there.</summary>
    private readonly record struct Checkpoint(long Offset, long SourceOffset, byte? PendingByte);
}

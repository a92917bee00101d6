namespace NetBoot.Engine.Tftp;

/// <summary>Converts local text (LF line ends) to netascii (RFC 1350 §5, RFC 764): LF → CR LF, CR → CR NUL, every
/// other byte as it is. A streaming state machine: <see cref="Convert"/> fills a DATA block from successive source
/// chunks; when an expansion's second byte does not fit (a CR written at the last byte of a block), it is held as the
/// one pending byte and written first by the next call. That byte is the whole state, so a conversion can be resumed
/// from any point (<see cref="NetasciiContent"/> keeps such checkpoints instead of the converted file).</summary>
public sealed class NetasciiEncoder
{
    private const byte CarriageReturn = (byte)'\r';
    private const byte LineFeed = (byte)'\n';

    private byte? _pending;

    /// <summary>The second byte of an expansion that waits for room (LF or NUL), or null.</summary>
    public byte? PendingByte => _pending;

    /// <summary>True while the second byte of an expansion waits for room.</summary>
    public bool HasPendingByte => _pending is not null;

    /// <summary>Resumes a conversion from a point whose <see cref="PendingByte"/> was <paramref name="pendingByte"/>
    /// (one encoder serves every block of a transfer: nothing is allocated per block).</summary>
    public void Restore(byte? pendingByte) => _pending = pendingByte is null or LineFeed or 0
        ? pendingByte
        : throw new ArgumentOutOfRangeException(nameof(pendingByte), "only LF or NUL can be pending");

    /// <summary>Converts from <paramref name="source"/> into <paramref name="destination"/> until either runs out
    /// (the pending byte, if any, is written first). Returns the bytes written; <paramref name="consumed"/> says how
    /// much of the source was used. Runs without CR or LF are copied in bulk.</summary>
    public int Convert(ReadOnlySpan<byte> source, Span<byte> destination, out int consumed)
    {
        var written = 0;
        consumed = 0;
        if (_pending is { } pending && !destination.IsEmpty)
        {
            destination[written++] = pending;
            _pending = null;
        }
        while (_pending is null && consumed < source.Length && written < destination.Length)
        {
            var room = Math.Min(source.Length - consumed, destination.Length - written);
            var run = source.Slice(consumed, room);
            var special = run.IndexOfAny(CarriageReturn, LineFeed);
            if (special < 0)
            {
                run.CopyTo(destination[written..]);
                written += room;
                consumed += room;
                continue;
            }
            run[..special].CopyTo(destination[written..]);
            written += special;
            var value = source[consumed + special];
            consumed += special + 1;
            destination[written++] = CarriageReturn;
            var second = value == LineFeed ? LineFeed : (byte)0;
            if (written < destination.Length)
            {
                destination[written++] = second;
            }
            else
            {
                _pending = second;
            }
        }
        return written;
    }
}

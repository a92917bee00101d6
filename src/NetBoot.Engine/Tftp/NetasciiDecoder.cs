namespace NetBoot.Engine.Tftp;

/// <summary>Converts netascii received (RFC 1350 §5, RFC 764) back to local text: CR LF → LF, CR NUL → CR, every other
/// byte as it is. The inverse of <see cref="NetasciiEncoder"/>. A streaming state machine over DATA blocks: a CR that
/// ends a block waits for the next block's first byte, so a pair cut by a block boundary converts like any other. A CR
/// followed by anything else (a sender that breaks the rule) is kept, and the byte after it read as usual.</summary>
public sealed class NetasciiDecoder
{
    private const byte CarriageReturn = (byte)'\r';
    private const byte LineFeed = (byte)'\n';

    private bool _pendingCarriageReturn;

    /// <summary>The most a call can write: the source, plus a CR held from the previous call.</summary>
    public static int MaxOutputLength(int sourceLength) => sourceLength + 1;

    /// <summary>Converts <paramref name="source"/> into <paramref name="destination"/> (at least
    /// <see cref="MaxOutputLength"/> bytes) and returns the bytes written. A CR at the end is held for the next call.</summary>
    public int Convert(ReadOnlySpan<byte> source, Span<byte> destination)
    {
        if (destination.Length < MaxOutputLength(source.Length))
        {
            throw new ArgumentException("destination shorter than MaxOutputLength(source.Length)", nameof(destination));
        }
        var written = 0;
        var at = 0;
        if (_pendingCarriageReturn && !source.IsEmpty)
        {
            _pendingCarriageReturn = false;
            at = Pair(source[0], destination, ref written);
        }
        while (at < source.Length)
        {
            var rest = source[at..];
            var carriageReturn = rest.IndexOf(CarriageReturn);
            if (carriageReturn < 0)
            {
                rest.CopyTo(destination[written..]);
                return written + rest.Length;
            }
            rest[..carriageReturn].CopyTo(destination[written..]);
            written += carriageReturn;
            at += carriageReturn + 1;
            if (at == source.Length)
            {
                _pendingCarriageReturn = true;
                break;
            }
            at += Pair(source[at], destination, ref written);
        }
        return written;
    }

    /// <summary>At the end of the transfer: a CR still held (the file ended with a bare CR) is written as it came.</summary>
    public int Finish(Span<byte> destination)
    {
        if (!_pendingCarriageReturn)
        {
            return 0;
        }
        _pendingCarriageReturn = false;
        destination[0] = CarriageReturn;
        return 1;
    }

    /// <summary>A CR was read and <paramref name="next"/> follows it: CR LF → LF and CR NUL → CR (both bytes used, 1
    /// returned); anything else → the CR alone, and <paramref name="next"/> (0 returned) is read as the start of what
    /// follows (it may be a CR itself).</summary>
    private static int Pair(byte next, Span<byte> destination, ref int written)
    {
        destination[written++] = next == LineFeed ? LineFeed : CarriageReturn;
        return next is LineFeed or 0 ? 1 : 0;
    }
}

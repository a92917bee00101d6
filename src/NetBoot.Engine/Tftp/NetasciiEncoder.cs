namespace NetBoot.Engine.Tftp;

/// <summary>Converts local text (LF line ends) to netascii (RFC 1350 §5, RFC 764): LF → CR LF, CR → CR NUL.
/// Streaming: <see cref="Convert"/> fills a DATA block from successive source chunks, carrying the second byte of
/// an expansion that did not fit into the next call. The service serves netascii transfers from the converted
/// content (for instance <see cref="Encode"/> once per file, cached), passing the converted length to
/// <see cref="TftpTransfer"/>; tsize is never offered in netascii.</summary>
public sealed class NetasciiEncoder
{
    private const byte CarriageReturn = (byte)'\r';
    private const byte LineFeed = (byte)'\n';

    private byte? _pending;

    /// <summary>True while the second byte of an expansion waits for room.</summary>
    public bool HasPendingByte => _pending is not null;

    /// <summary>Converts from <paramref name="source"/> into <paramref name="destination"/> until either runs out.
    /// Returns the bytes written; <paramref name="consumed"/> says how much of the source was used.</summary>
    public int Convert(ReadOnlySpan<byte> source, Span<byte> destination, out int consumed)
    {
        var written = 0;
        consumed = 0;
        if (_pending is { } pending && written < destination.Length)
        {
            destination[written++] = pending;
            _pending = null;
        }
        while (consumed < source.Length && written < destination.Length && _pending is null)
        {
            var value = source[consumed++];
            if (value is LineFeed or CarriageReturn)
            {
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
                continue;
            }
            destination[written++] = value;
        }
        return written;
    }

    /// <summary>The netascii length of <paramref name="source"/>: one extra byte per CR and per LF.</summary>
    public static long GetEncodedLength(ReadOnlySpan<byte> source) =>
        source.Length + (long)source.Count(LineFeed) + source.Count(CarriageReturn);

    /// <summary>Converts a whole file's content at once.</summary>
    public static byte[] Encode(ReadOnlySpan<byte> source)
    {
        var result = new byte[GetEncodedLength(source)];
        var written = new NetasciiEncoder().Convert(source, result, out _);
        System.Diagnostics.Debug.Assert(written == result.Length, "netascii length mismatch");
        return result;
    }
}

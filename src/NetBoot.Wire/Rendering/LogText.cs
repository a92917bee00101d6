using System.Buffers;
using System.Globalization;
using System.Text;

namespace NetBoot.Wire.Rendering;

/// <summary>Client-sent text made safe for a log line: printable ASCII (0x20-0x7E) as it is, every other byte as
/// <c>\xNN</c> (newline <c>\x0a</c>, ESC <c>\x1b</c>), the notation <see cref="ValueText.Quoted(ReadOnlySpan{byte})"/>
/// uses. A client can then neither end a line and forge the next one (a DHCPACK that never happened, say) nor send
/// terminal escapes to whoever reads the log with <c>less -R</c> or <c>tail</c>.</summary>
/// <remarks>dnsmasq prints a client's text with its non-printable bytes dropped (<c>sanitise()</c> in rfc2131.c for
/// the vendor and user class of <c>log-dhcp</c>, <c>option_string()</c> for named options); escaping them instead
/// keeps what was sent visible. A backslash is left as it is: PXE clients ask TFTP for <c>\boot\wdsnbp.com</c>, and
/// since the output holds no control byte, escaping twice changes nothing.</remarks>
public static class LogText
{
    private static readonly SearchValues<char> Printable = SearchValues.Create(
        " !\"#$%&'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_`abcdefghijklmnopqrstuvwxyz{|}~");

    /// <summary>C0 controls, DEL, C1 controls (U+0080-U+009F, NEL among them), U+2028 and U+2029.</summary>
    private static readonly SearchValues<char> LineBreakers = SearchValues.Create(
        [.. Enumerable.Range(0, 0x20).Select(i => (char)i), .. Enumerable.Range(0x7f, 0x21).Select(i => (char)i), '\u2028', '\u2029']);

    /// <summary>Raw bytes from a packet (a DHCP option, a TFTP field), each outside printable ASCII written <c>\xNN</c>.</summary>
    public static string Escape(ReadOnlySpan<byte> bytes)
    {
        var text = new StringBuilder(bytes.Length);
        foreach (var b in bytes)
        {
            Append(text, b);
        }
        return text.ToString();
    }

    /// <summary>Text that arrived as UTF-8 (a TFTP file name, an HTTP path, a TFTP error message): anything outside
    /// printable ASCII is written as the <c>\xNN</c> of its UTF-8 bytes, as it was on the wire (a non-ASCII letter
    /// too: bidirectional overrides and look-alikes could fake a line as well as a newline can). Returns the same
    /// string when nothing needs escaping.</summary>
    public static string Escape(string? text)
    {
        if (string.IsNullOrEmpty(text) || !text.AsSpan().ContainsAnyExcept(Printable))
        {
            return text ?? string.Empty;
        }
        var escaped = new StringBuilder(text.Length + 16);
        Span<byte> utf8 = stackalloc byte[4];
        foreach (var rune in text.EnumerateRunes())
        {
            if (rune.IsAscii)
            {
                Append(escaped, (byte)rune.Value);
                continue;
            }
            var length = rune.EncodeToUtf8(utf8);
            foreach (var b in utf8[..length])
            {
                Append(escaped, b);
            }
        }
        return escaped.ToString();
    }

    /// <summary>The last guard of a line-oriented log sink: control characters (C0, DEL, C1) and the Unicode line and
    /// paragraph separators written <c>\xNN</c> / <c>\uNNNN</c>, other text untouched (a configured path may be UTF-8).
    /// Client text reaches the log through <see cref="Escape(string)"/> already; this catches whatever a message
    /// might still carry (an exception's text, a library's) so that one event is always one line.</summary>
    public static string EscapeControls(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (!text.AsSpan().ContainsAny(LineBreakers))
        {
            return text;
        }
        var escaped = new StringBuilder(text.Length + 8);
        foreach (var c in text)
        {
            if (!LineBreakers.Contains(c))
            {
                escaped.Append(c);
            }
            else if (c <= 0xff)
            {
                escaped.Append("\\x").Append(((int)c).ToString("x2", CultureInfo.InvariantCulture));
            }
            else
            {
                escaped.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
            }
        }
        return escaped.ToString();
    }

    private static void Append(StringBuilder text, byte b)
    {
        if (b is >= 0x20 and <= 0x7e)
        {
            text.Append((char)b);
        }
        else
        {
            text.Append("\\x").Append(b.ToString("x2", CultureInfo.InvariantCulture));
        }
    }
}

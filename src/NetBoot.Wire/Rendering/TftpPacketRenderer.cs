using System.Globalization;
using System.Text;

namespace NetBoot.Wire.Rendering;

/// <summary>Why a datagram on a TFTP flow cannot be read as a TFTP packet.</summary>
public enum TftpRenderError
{
    None,
    /// <summary>Shorter than the opcode and the fields it requires.</summary>
    TooShort,
    /// <summary>An opcode outside RFC 1350 §5 and RFC 2347 (1–6).</summary>
    UnknownOpcode,
    /// <summary>A file name, mode, option or error text without its terminating NUL.</summary>
    UnterminatedString,
    /// <summary>An option name without a value (RFC 2347: options come in name/value pairs).</summary>
    UnpairedOption,
}

/// <summary>One-line renderings of TFTP packets (RFC 1350 §5, RFC 2347 options and OACK).
/// DATA shows block number and length, never the payload.</summary>
/// <remarks>PRIVATE MINIMAL PARSE: the TFTP codec of src/NetBoot.Wire/Tftp (branch <c>tftp</c>) was not in
/// this branch when the renderer was written, so this file reads the few fields it shows itself. It is
/// for display only; replace it with the codec's TryDecode when both are merged.</remarks>
public static class TftpPacketRenderer
{
    public const int DefaultBlockSize = 512;

    /// <summary>The packet as one line, or false with the reason and the best line possible.</summary>
    /// <param name="blockSize">The negotiated block size on this flow, to mark the final DATA block.</param>
    public static bool TryRender(ReadOnlySpan<byte> packet, int blockSize, out string text, out TftpRenderError error)
    {
        text = string.Empty;
        if (packet.Length < 2)
        {
            return Fail(TftpRenderError.TooShort, "TFTP", out text, out error);
        }
        var opcode = ValueText.UInt16(packet);
        var body = packet[2..];
        return opcode switch
        {
            1 => TryRenderRequest("RRQ", body, out text, out error),
            2 => TryRenderRequest("WRQ", body, out text, out error),
            3 => TryRenderData(body, blockSize, out text, out error),
            4 => TryRenderAck(body, out text, out error),
            5 => TryRenderError(body, out text, out error),
            6 => TryRenderOptionAck(body, out text, out error),
            _ => Fail(TftpRenderError.UnknownOpcode, string.Create(CultureInfo.InvariantCulture, $"TFTP opcode {opcode}"), out text, out error),
        };
    }

    /// <summary>The value of option <paramref name="name"/> in an OACK, RRQ or WRQ, if present.</summary>
    public static bool TryGetOption(ReadOnlySpan<byte> packet, string name, out string value)
    {
        value = string.Empty;
        if (packet.Length < 2)
        {
            return false;
        }
        var opcode = ValueText.UInt16(packet);
        var body = packet[2..];
        var strings = ReadStrings(body, out _);
        var start = opcode switch { 1 or 2 => 2, 6 => 0, _ => -1 };
        for (var i = start; start >= 0 && i + 1 < strings.Count; i += 2)
        {
            if (string.Equals(strings[i], name, StringComparison.OrdinalIgnoreCase))
            {
                value = strings[i + 1];
                return true;
            }
        }
        return false;
    }

    private static bool TryRenderRequest(string name, ReadOnlySpan<byte> body, out string text, out TftpRenderError error)
    {
        var strings = ReadStrings(body, out var terminated);
        if (strings.Count < 2)
        {
            return Fail(terminated ? TftpRenderError.TooShort : TftpRenderError.UnterminatedString, "TFTP " + name, out text, out error);
        }
        var line = $"TFTP {name} {ValueText.Quoted(strings[0])} mode {strings[1]}";
        var options = OptionsText(strings.Skip(2).ToList());
        text = options.Length > 0 ? line + "  options " + options : line;
        return Finish(terminated, strings.Count % 2 == 0, text, out error);
    }

    private static bool TryRenderOptionAck(ReadOnlySpan<byte> body, out string text, out TftpRenderError error)
    {
        var strings = ReadStrings(body, out var terminated);
        text = "TFTP OACK " + (strings.Count == 0 ? "(no options)" : OptionsText(strings));
        return Finish(terminated, strings.Count % 2 == 0, text, out error);
    }

    private static bool TryRenderData(ReadOnlySpan<byte> body, int blockSize, out string text, out TftpRenderError error)
    {
        if (body.Length < 2)
        {
            return Fail(TftpRenderError.TooShort, "TFTP DATA", out text, out error);
        }
        var length = body.Length - 2;
        // RFC 1350 §6: a DATA packet shorter than the block size ends the transfer.
        var final = length < blockSize ? " (final)" : string.Empty;
        text = string.Create(CultureInfo.InvariantCulture, $"TFTP DATA block {ValueText.UInt16(body)}, {ValueText.Plural(length, "byte")}{final}");
        error = TftpRenderError.None;
        return true;
    }

    private static bool TryRenderAck(ReadOnlySpan<byte> body, out string text, out TftpRenderError error)
    {
        if (body.Length < 2)
        {
            return Fail(TftpRenderError.TooShort, "TFTP ACK", out text, out error);
        }
        text = string.Create(CultureInfo.InvariantCulture, $"TFTP ACK block {ValueText.UInt16(body)}");
        error = TftpRenderError.None;
        return true;
    }

    private static bool TryRenderError(ReadOnlySpan<byte> body, out string text, out TftpRenderError error)
    {
        if (body.Length < 2)
        {
            return Fail(TftpRenderError.TooShort, "TFTP ERROR", out text, out error);
        }
        var code = ValueText.UInt16(body);
        var strings = ReadStrings(body[2..], out var terminated);
        var message = strings.Count > 0 ? strings[0] : string.Empty;
        text = string.Create(CultureInfo.InvariantCulture, $"TFTP ERROR {code} {ErrorName(code)}: {ValueText.Quoted(message)}");
        return Finish(terminated, true, text, out error);
    }

    /// <summary>RFC 1350 appendix error codes, with RFC 2347's 8.</summary>
    public static string ErrorName(ushort code) => code switch
    {
        0 => "(not defined)",
        1 => "(file not found)",
        2 => "(access violation)",
        3 => "(disk full)",
        4 => "(illegal operation)",
        5 => "(unknown transfer id)",
        6 => "(file exists)",
        7 => "(no such user)",
        8 => "(option negotiation refused)",
        _ => "(unassigned)",
    };

    private static string OptionsText(List<string> strings)
    {
        var parts = new List<string>();
        for (var i = 0; i < strings.Count; i += 2)
        {
            parts.Add(i + 1 < strings.Count ? strings[i] + "=" + strings[i + 1] : strings[i] + " (no value)");
        }
        return string.Join(' ', parts);
    }

    /// <summary>NUL-terminated Latin-1 strings; <paramref name="terminated"/> is false when bytes follow the last NUL.</summary>
    private static List<string> ReadStrings(ReadOnlySpan<byte> body, out bool terminated)
    {
        var strings = new List<string>();
        while (!body.IsEmpty)
        {
            var nul = body.IndexOf((byte)0);
            if (nul < 0)
            {
                strings.Add(Encoding.Latin1.GetString(body));
                terminated = false;
                return strings;
            }
            strings.Add(Encoding.Latin1.GetString(body[..nul]));
            body = body[(nul + 1)..];
        }
        terminated = true;
        return strings;
    }

    private static bool Finish(bool terminated, bool paired, string text, out TftpRenderError error)
    {
        error = !terminated ? TftpRenderError.UnterminatedString : !paired ? TftpRenderError.UnpairedOption : TftpRenderError.None;
        _ = text;
        return error == TftpRenderError.None;
    }

    private static bool Fail(TftpRenderError reason, string text, out string line, out TftpRenderError error)
    {
        line = text;
        error = reason;
        return false;
    }

    public static string Describe(TftpRenderError error) => error switch
    {
        TftpRenderError.TooShort => "shorter than the fields its opcode requires",
        TftpRenderError.UnknownOpcode => "opcode is not one of RFC 1350/2347 (1-6)",
        TftpRenderError.UnterminatedString => "a string runs to the end of the packet without its NUL",
        TftpRenderError.UnpairedOption => "an option name has no value",
        _ => "no error",
    };
}

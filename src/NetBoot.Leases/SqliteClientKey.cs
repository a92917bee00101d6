using System.Buffers;
using System.Text;
using NetBoot.Engine.Leases;

namespace NetBoot.Leases;

/// <summary>How the SQLite table stores a <see cref="ClientKey"/> (schema version 2): a BLOB of one tag byte and the key's
/// bytes, so the UNIQUE(client) index holds 7 bytes for a MAC instead of 17 characters of hex. <c>hw:</c> and
/// <c>id:</c> keys (lower-case hex, as <see cref="ClientIdentity"/> writes them) are stored as <c>'h'</c>/<c>'i'</c> and
/// their bytes; any other key (<c>declined:…</c>) as <c>'t'</c> and its UTF-8 text. Decoding gives the same text back.</summary>
internal static class SqliteClientKey
{
    private const byte Hardware = (byte)'h', ClientId = (byte)'i', Text = (byte)'t';

    private static readonly SearchValues<char> LowerHex = SearchValues.Create("0123456789abcdef");

    public static byte[] Encode(ClientKey key)
    {
        var text = key.Value ?? "";
        if (text.Length % 2 == 1 && (text.StartsWith("hw:", StringComparison.Ordinal) || text.StartsWith("id:", StringComparison.Ordinal))
            && !text.AsSpan(3).ContainsAnyExcept(LowerHex))
        {
            var bytes = new byte[1 + (text.Length - 3) / 2];
            bytes[0] = text[0] == 'h' ? Hardware : ClientId;
            Convert.FromHexString(text.AsSpan(3), bytes.AsSpan(1), out _, out _);
            return bytes;
        }
        var utf8 = new byte[1 + Encoding.UTF8.GetByteCount(text)];
        utf8[0] = Text;
        Encoding.UTF8.GetBytes(text, utf8.AsSpan(1));
        return utf8;
    }

    public static ClientKey Decode(ReadOnlySpan<byte> stored) => stored switch
    {
        [Hardware, .. var bytes] => new ClientKey("hw:" + Convert.ToHexStringLower(bytes)),
        [ClientId, .. var bytes] => new ClientKey("id:" + Convert.ToHexStringLower(bytes)),
        [Text, .. var text] => new ClientKey(Encoding.UTF8.GetString(text)),
        _ => throw new InvalidDataException($"a lease row's client column holds {Convert.ToHexStringLower(stored)}, which is no client key this NetBoot writes"),
    };
}

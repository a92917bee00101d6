using System.Text;

namespace NetBoot.Configuration.Parsing;

/// <summary>dnsmasq's "hidden" characters (<c>hide_meta</c> in <c>src/option.c</c>): inside double quotes, the characters
/// the value grammars look at (digits, hex letters, <c>: , .</c>, space and control escapes) are replaced by stand-ins, so
/// <c>"1.2.3.4"</c> is not an address and <c>"a,b"</c> is one field. Parsers see hidden text; <see cref="Reveal"/> gives it back.</summary>
internal static class QuotedText
{
    // dnsmasq parity: meta[] = "\000123456 \b\t\n78\r90abcdefABCDE\033F:,."
    private const string MetaCharacters = "\u00000123456789 \b\t\n\rabcdefABCDEF\u001b:,.";
    private const char HiddenBase = '\uE000';

    public static char Hide(char c) => MetaCharacters.Contains(c, StringComparison.Ordinal) ? (char)(HiddenBase + c) : c;

    public static bool IsHidden(char c) => c >= HiddenBase && c < HiddenBase + 128;

    public static string Reveal(string hidden)
    {
        if (!hidden.Any(IsHidden))
        {
            return hidden;
        }
        var text = new StringBuilder(hidden.Length);
        foreach (var c in hidden)
        {
            text.Append(IsHidden(c) ? (char)(c - HiddenBase) : c);
        }
        return text.ToString();
    }
}

namespace NetBoot.Configuration.Parsing;

/// <summary>One directive line after lexing: the long option name and its value in hidden form (null: no <c>=</c>).</summary>
internal readonly record struct LexedDirective(string Name, string? Value);

internal enum LexOutcome
{
    Directive,
    Empty,
    MissingQuote,
}

/// <summary>The line syntax of <c>read_file</c> in dnsmasq's <c>src/option.c</c>.</summary>
internal static class ConfigLexer
{
    /// <summary>Lexes one physical line: strips the comment, resolves quotes and escapes (hiding quoted meta characters),
    /// turns each whitespace character into a space and splits <c>name[=value]</c> with spaces allowed around <c>=</c>.</summary>
    public static LexOutcome TryLex(string line, out LexedDirective directive)
    {
        directive = default;
        if (!TryNormalise(line, out var text))
        {
            return LexOutcome.MissingQuote;
        }
        if (text.Length == 0)
        {
            return LexOutcome.Empty;
        }
        var equals = text.IndexOf('=', StringComparison.Ordinal);
        if (equals < 0)
        {
            directive = new LexedDirective(text, null);
            return LexOutcome.Directive;
        }
        var name = text[..equals].TrimEnd(' ');
        var value = text[(equals + 1)..].TrimStart(' ');
        directive = new LexedDirective(name, value);
        return LexOutcome.Directive;
    }

    /// <summary>dnsmasq parity: <c>#</c> starts a comment only at the line start or after whitespace; inside quotes
    /// <c>\" \\ \t \n \e \b \r</c> are escapes; an unterminated quote is an error (<c>missing "</c>).</summary>
    private static bool TryNormalise(string line, out string text)
    {
        var output = new System.Text.StringBuilder(line.Length);
        var afterWhite = true;
        for (var i = 0; i < line.Length; i++)
        {
            var c = line[i];
            if (c == '"')
            {
                var close = AppendQuoted(line, i + 1, output);
                if (close < 0)
                {
                    text = "";
                    return false;
                }
                i = close;
                afterWhite = false;
                continue;
            }
            if (char.IsWhiteSpace(c))
            {
                // dnsmasq parity: every whitespace character becomes one space; runs are kept (split() trims around commas).
                output.Append(' ');
                afterWhite = true;
                continue;
            }
            if (afterWhite && c == '#')
            {
                break;
            }
            afterWhite = false;
            output.Append(c);
        }
        text = output.ToString().Trim(' ');
        return true;
    }

    /// <summary>Appends the quoted run starting at <paramref name="start"/>; returns the index of the closing quote or -1.</summary>
    private static int AppendQuoted(string line, int start, System.Text.StringBuilder output)
    {
        for (var i = start; i < line.Length; i++)
        {
            var c = line[i];
            if (c == '"')
            {
                return i;
            }
            if (c == '\\' && i + 1 < line.Length && TryEscape(line[i + 1], out var escaped))
            {
                c = escaped;
                i++;
            }
            output.Append(QuotedText.Hide(c));
        }
        return -1;
    }

    private static bool TryEscape(char c, out char escaped)
    {
        escaped = c switch
        {
            't' => '\t',
            'n' => '\n',
            'e' => '\u001b',
            'b' => '\b',
            'r' => '\r',
            '"' or '\\' => c,
            _ => '\0',
        };
        return escaped != '\0';
    }
}

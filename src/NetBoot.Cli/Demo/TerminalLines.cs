using System.Text;

namespace NetBoot.Cli.Demo;

/// <summary>Turns what firmware writes to a serial console (a terminal's byte stream) into the lines a terminal would
/// show: carriage return and backspace move the cursor and later characters overwrite (iPXE erases its prompts with
/// "BS space BS"), escape sequences (colours) are dropped, a clear-screen sequence ends the line, and a cursor-position
/// sequence (CSI row;col H) either moves along the line or starts a new one: a move to another row than the last one
/// named, or to column 1 of a row not named yet, starts a new line (OVMF draws its screens that way), while SeaBIOS,
/// copying the screen to the serial port, names the cursor's own row and column in the middle of a line. Blank lines
/// are left out. Fed in chunks as they arrive; a sequence or line cut between two chunks is continued.</summary>
internal sealed class TerminalLines
{
    private const char Escape = '\x1b';

    private readonly StringBuilder _line = new();
    private readonly StringBuilder _parameters = new();
    private int _column;
    /// <summary>The row the last cursor-position sequence named since the last line end (0: none).</summary>
    private int _row;
    private State _state;

    private enum State
    {
        Text,
        Escape,
        ControlSequence,
        CharacterSet,
    }

    /// <summary>The line being written (not yet ended), as shown so far.</summary>
    public string Pending => _line.ToString().TrimEnd();

    /// <summary>Consumes <paramref name="text"/>; returns the lines it completed.</summary>
    public IReadOnlyList<string> Feed(string text)
    {
        var lines = new List<string>();
        foreach (var c in text)
        {
            switch (_state)
            {
                case State.Escape:
                    _state = c switch { '[' => State.ControlSequence, '(' or ')' => State.CharacterSet, _ => State.Text };
                    _parameters.Clear();
                    break;
                case State.CharacterSet:
                    _state = State.Text;
                    break;
                case State.ControlSequence:
                    OnControlSequence(c, lines);
                    break;
                default:
                    OnText(c, lines);
                    break;
            }
        }
        return lines;
    }

    /// <summary>Ends the pending line (at the end of the stream); null when it is blank.</summary>
    public string? Flush()
    {
        var lines = new List<string>();
        EndLine(lines);
        return lines.Count == 0 ? null : lines[0];
    }

    private void OnControlSequence(char c, List<string> lines)
    {
        // ECMA-48: parameter bytes 0x30-0x3F and intermediate bytes 0x20-0x2F, then one final byte 0x40-0x7E.
        if (c is >= '\x40' and <= '\x7e')
        {
            _state = State.Text;
            if (c is 'H' or 'f')
            {
                MoveCursor(lines);
            }
            else if (c == 'J')
            {
                EndLine(lines);
            }
        }
        else if (c is < '\x20' or > '\x3f')
        {
            _state = State.Text;
        }
        else
        {
            _parameters.Append(c);
        }
    }

    /// <summary>CSI row;col H (both default to 1).</summary>
    private void MoveCursor(List<string> lines)
    {
        var parts = _parameters.ToString().Split(';');
        var row = parts.Length > 0 && int.TryParse(parts[0], out var r) && r > 0 ? r : 1;
        var column = parts.Length > 1 && int.TryParse(parts[1], out var col) && col > 0 ? col : 1;
        if (_row != 0 ? row != _row : column == 1)
        {
            EndLine(lines);
        }
        _row = row;
        _column = column - 1;
    }

    private void OnText(char c, List<string> lines)
    {
        switch (c)
        {
            case Escape:
                _state = State.Escape;
                return;
            case '\n':
                EndLine(lines);
                return;
            case '\r':
                _column = 0;
                return;
            case '\b':
                _column = Math.Max(0, _column - 1);
                return;
            case '\t':
                Put(' ');
                while (_column % 8 != 0)
                {
                    Put(' ');
                }
                return;
            case < ' ' or '\x7f':
                return;
            default:
                Put(c);
                return;
        }
    }

    private void Put(char c)
    {
        while (_line.Length < _column)
        {
            _line.Append(' ');
        }
        if (_column < _line.Length)
        {
            _line[_column] = c;
        }
        else
        {
            _line.Append(c);
        }
        _column++;
    }

    private void EndLine(List<string> lines)
    {
        var text = _line.ToString().TrimEnd();
        _line.Clear();
        _column = 0;
        _row = 0;
        if (text.Length > 0)
        {
            lines.Add(text);
        }
    }
}

using System.Globalization;
using System.Text;

namespace NetBoot.Wire.Rendering;

/// <summary>An indenting line writer for the text renderings. Lines end with <c>\n</c> on every
/// platform so golden files compare byte for byte.</summary>
public sealed class RenderWriter
{
    private readonly StringBuilder _text = new();

    public int Indent { get; set; }

    /// <summary>Spaces added after the indentation, to line continuation lines up under a value column.</summary>
    private int _align;

    public RenderWriter Line(string text)
    {
        _text.Append(' ', (Indent * 2) + _align).Append(text).Append('\n');
        return this;
    }

    public RenderWriter Line(FormattableString text) => Line(text.ToString(CultureInfo.InvariantCulture));

    public RenderWriter BlankLine()
    {
        _text.Append('\n');
        return this;
    }

    /// <summary>Runs <paramref name="body"/> one level deeper.</summary>
    public void Nested(Action body)
    {
        Indent++;
        try
        {
            body();
        }
        finally
        {
            Indent--;
        }
    }

    /// <summary>Runs <paramref name="body"/> with its lines starting <paramref name="column"/> spaces further in,
    /// under the value of a <c>code name value</c> line whose head is that wide.</summary>
    public void Aligned(int column, Action body)
    {
        ArgumentNullException.ThrowIfNull(body);
        _align += column;
        try
        {
            body();
        }
        finally
        {
            _align -= column;
        }
    }

    public override string ToString() => _text.ToString();

    /// <summary>The text written since the last call, which is then forgotten (for output streamed as it is rendered).</summary>
    public string Take()
    {
        var text = _text.ToString();
        _text.Clear();
        return text;
    }
}

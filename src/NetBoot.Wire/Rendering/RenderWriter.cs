using System.Globalization;
using System.Text;

namespace NetBoot.Wire.Rendering;

/// <summary>An indenting line writer for the text renderings. Lines end with <c>\n</c> on every
/// platform so golden files compare byte for byte.</summary>
public sealed class RenderWriter
{
    private readonly StringBuilder _text = new();

    public int Indent { get; set; }

    public RenderWriter Line(string text)
    {
        _text.Append(' ', Indent * 2).Append(text).Append('\n');
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

    public override string ToString() => _text.ToString();
}

namespace NetBoot.Configuration.Parsing;

/// <summary>dnsmasq's <c>split()</c>: takes comma-separated fields one at a time from a hidden value, trimming the
/// spaces around each comma, and keeps the untouched remainder for grammars that read "the rest" as one value.</summary>
internal sealed class FieldCursor
{
    private string? _rest;

    public FieldCursor(string? value) => _rest = value;

    /// <summary>The text not yet taken (null when all is taken).</summary>
    public string? Rest => _rest;

    public bool HasMore => _rest is not null;

    /// <summary>The next field in hidden form, or null at the end.</summary>
    public string? Peek()
    {
        if (_rest is null)
        {
            return null;
        }
        var comma = _rest.IndexOf(',', StringComparison.Ordinal);
        return (comma < 0 ? _rest : _rest[..comma]).TrimEnd(' ');
    }

    public string? Take()
    {
        if (_rest is null)
        {
            return null;
        }
        var comma = _rest.IndexOf(',', StringComparison.Ordinal);
        if (comma < 0)
        {
            var last = _rest;
            _rest = null;
            return last;
        }
        var field = _rest[..comma].TrimEnd(' ');
        _rest = _rest[(comma + 1)..].TrimStart(' ');
        return field;
    }

    /// <summary>Every remaining field.</summary>
    public List<string> TakeAll()
    {
        var fields = new List<string>();
        while (Take() is { } field)
        {
            fields.Add(field);
        }
        return fields;
    }

    public static List<string> Split(string? value) => new FieldCursor(value).TakeAll();
}

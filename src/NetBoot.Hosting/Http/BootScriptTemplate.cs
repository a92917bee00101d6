using System.Collections.Frozen;
using System.Text;
using System.Text.RegularExpressions;

namespace NetBoot.Hosting.Http;

/// <summary>
/// Per-client boot scripts: a request for <c>NAME</c> that has no file but a <c>NAME.tmpl</c> gets the template with
/// <c>{{client}}</c> (the client's IP), <c>{{server}}</c> (the Host it asked), and every query parameter as
/// <c>{{NAME}}</c>, e.g. <c>chain http://srv/boot.ipxe?mac=${net0/mac}&amp;arch=${buildarch}</c> fills <c>{{mac}}</c>,
/// <c>{{mac-hyphen}}</c> (aa-bb-…, for per-host file names) and <c>{{arch}}</c>. Unknown names become empty.
/// </summary>
/// <remarks>A value is used only if it is made of letters, digits and <c>:._-</c> (at most 64 characters), so a query
/// can never inject a line or an iPXE command into the script.</remarks>
public static partial class BootScriptTemplate
{
    public const string Suffix = ".tmpl";

    public const int MaximumValueLength = 64;

    public static string Render(string template, IReadOnlyDictionary<string, string> values)
    {
        ArgumentNullException.ThrowIfNull(template);
        ArgumentNullException.ThrowIfNull(values);
        return Placeholder().Replace(template, m => values.TryGetValue(m.Groups["name"].Value, out var v) && IsSafe(v) ? v : "");
    }

    /// <summary>The template variables of one request: <c>client</c>, <c>server</c>, the query, and <c>mac-hyphen</c>.</summary>
    public static FrozenDictionary<string, string> Values(string client, string server, IEnumerable<KeyValuePair<string, string>> query)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, value) in query)
        {
            if (IsSafe(name))
            {
                values[name] = value;
            }
        }
        values["client"] = client;
        values["server"] = server;
        if (values.TryGetValue("mac", out var mac) && IsSafe(mac))
        {
            values["mac-hyphen"] = mac.Replace(':', '-').ToLowerInvariant();
        }
        return values.ToFrozenDictionary(StringComparer.Ordinal);
    }

    public static bool IsSafe(string value) =>
        value.Length is > 0 and <= MaximumValueLength && value.All(c => char.IsAsciiLetterOrDigit(c) || c is ':' or '.' or '_' or '-');

    public static byte[] RenderBytes(string template, IReadOnlyDictionary<string, string> values) =>
        Encoding.UTF8.GetBytes(Render(template, values));

    [GeneratedRegex(@"\{\{(?<name>[A-Za-z0-9_.:-]{1,64})\}\}")]
    private static partial Regex Placeholder();
}

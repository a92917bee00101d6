using NetBoot.Configuration.Model;

namespace NetBoot.Configuration.Parsing;

/// <summary>NetBoot's own directives for HTTP boot: <c>http-root</c>, <c>http-port</c> and <c>pxe-uefi-direct</c>.
/// dnsmasq does not know them; a file that uses them is for NetBoot only.</summary>
internal static class HttpBootParser
{
    /// <summary><c>http-root=DIR</c>: serve DIR over HTTP (on port 80 unless <c>http-port</c> says otherwise).</summary>
    public static void ParseRoot(DirectiveContext d)
    {
        var directory = QuotedText.Reveal(d.Value ?? "");
        if (directory.Length == 0)
        {
            d.Error("bad http-root", "write http-root=<directory>");
            return;
        }
        d.Config.Http = d.Config.Http with { IsEnabled = true, Root = directory, RootSource = d.Source, Source = d.Config.Http.Source ?? d.Source };
    }

    /// <summary><c>http-port=N</c>: serve boot files over HTTP on port N (the root is <c>http-root</c>, else <c>tftp-root</c>).</summary>
    public static void ParsePort(DirectiveContext d)
    {
        var text = QuotedText.Reveal(d.Value ?? "");
        if (text.Length is 0 or > 5 || !text.All(char.IsAsciiDigit) || int.Parse(text, System.Globalization.CultureInfo.InvariantCulture) is < 1 or > 65535)
        {
            d.Error("bad http-port", "write http-port=<1-65535>, e.g. http-port=8080");
            return;
        }
        var port = int.Parse(text, System.Globalization.CultureInfo.InvariantCulture);
        d.Config.Http = d.Config.Http with { IsEnabled = true, Port = port, Source = d.Config.Http.Source ?? d.Source };
    }

    /// <summary><c>http-max-connections=&lt;total&gt;[,&lt;per client address&gt;]</c>, 0 = no ceiling of its own: bounds
    /// what idle or hostile connections can hold (docs/hostile-input.md). Does not turn the HTTP server on.</summary>
    public static void ParseMaxConnections(DirectiveContext d)
    {
        const int Maximum = 1_000_000;
        var numbers = FieldCursor.Split(d.Value).Select(QuotedText.Reveal)
            .Select(f => f.Length is > 0 and <= 7 && f.All(char.IsAsciiDigit) ? int.Parse(f, System.Globalization.CultureInfo.InvariantCulture) : -1)
            .ToList();
        if (numbers.Count is 0 or > 2 || numbers.Any(n => n is < 0 or > Maximum))
        {
            d.Error("bad http-max-connections",
                $"write http-max-connections=<connections in all>[,<connections per client address>] (0 = no limit of its own), e.g. http-max-connections={HttpConfig.DefaultMaxConnections},{HttpConfig.DefaultMaxConnectionsPerClient}");
            return;
        }
        d.Config.Http = d.Config.Http with
        {
            MaxConnections = numbers[0],
            MaxConnectionsPerClient = numbers.Count == 2 ? numbers[1] : HttpConfig.DefaultMaxConnectionsPerClient,
        };
    }

    /// <summary><c>pxe-uefi-direct[=tag:x[,tag:y…]]</c>: only tag conditions are allowed.</summary>
    public static void ParseUefiDirect(DirectiveContext d)
    {
        var fields = d.Fields();
        var filter = TagSyntax.TakeLeadingFilter(fields);
        if (fields.Peek() is not null)
        {
            d.Error("bad pxe-uefi-direct", "write pxe-uefi-direct or pxe-uefi-direct=tag:<tag>[,tag:<tag>…]");
            return;
        }
        d.Config.UefiDirectOffers.Add(new PxeUefiDirectConfig { Filter = filter, Source = d.Source });
    }
}

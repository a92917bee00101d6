using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Logging.Console;

namespace NetBoot.Cli.Commands;

/// <summary>One plain line per event, in the shape of dnsmasq's syslog lines, so that the habits of
/// <c>grep 'PXE(eth0)'</c> carry over: <c>Nov 25 21:50:48 netboot-dhcp: PXE(eth0) 52:54:00:… proxy [...]</c>.
/// Warnings and errors say so after the tag; an exception follows on the next lines.</summary>
internal sealed class NetBootConsoleFormatter() : ConsoleFormatter(FormatterName)
{
    public const string FormatterName = "netboot";

    public override void Write<TState>(in LogEntry<TState> logEntry, IExternalScopeProvider? scopeProvider, TextWriter textWriter)
    {
        var message = logEntry.Formatter(logEntry.State, logEntry.Exception);
        if (message is null && logEntry.Exception is null)
        {
            return;
        }
        textWriter.Write(DateTime.Now.ToString("MMM dd HH:mm:ss ", System.Globalization.CultureInfo.InvariantCulture));
        textWriter.Write(Tag(logEntry.Category));
        textWriter.Write(": ");
        textWriter.Write(logEntry.LogLevel switch
        {
            LogLevel.Warning => "warning: ",
            LogLevel.Error => "error: ",
            LogLevel.Critical => "FATAL: ",
            _ => "",
        });
        textWriter.WriteLine(message);
        if (logEntry.Exception is not null)
        {
            textWriter.WriteLine(logEntry.Exception.ToString());
        }
    }

    /// <summary><c>NetBoot.Hosting.Dhcp.DhcpService</c> → <c>netboot-dhcp</c>, as dnsmasq tags <c>dnsmasq-dhcp</c>/<c>dnsmasq-tftp</c>.</summary>
    internal static string Tag(string category) => category switch
    {
        _ when category.Contains(".Dhcp.", StringComparison.Ordinal) => "netboot-dhcp",
        _ when category.Contains(".Tftp.", StringComparison.Ordinal) => "netboot-tftp",
        _ when category.Contains(".Http.", StringComparison.Ordinal) => "netboot-http",
        _ => "netboot",
    };
}

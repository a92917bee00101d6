using System.Globalization;
using Microsoft.Extensions.Logging;
using NetBoot.Wire.Rendering;

namespace NetBoot.Hosting.Logging;

/// <summary>One plain line per event, tagged as dnsmasq tags its lines (<c>netboot-dhcp</c> as <c>dnsmasq-dhcp</c>):
/// the shared part of the file and syslog providers. A control character in a message is escaped, so nothing a
/// message holds can start a line (or a syslog record) of its own.</summary>
public abstract class LineLoggerProvider(LogLevel minimum) : ILoggerProvider
{
    private LogLevel Minimum => minimum;

    public ILogger CreateLogger(string categoryName) => new LineLogger(this, Tag(categoryName));

    /// <summary><c>NetBoot.Hosting.Dhcp.DhcpService</c> → <c>netboot-dhcp</c>, as dnsmasq tags <c>dnsmasq-dhcp</c>/<c>dnsmasq-tftp</c>.</summary>
    public static string Tag(string category) => category switch
    {
        _ when category.Contains(".Dhcp.", StringComparison.Ordinal) => "netboot-dhcp",
        _ when category.Contains(".Tftp.", StringComparison.Ordinal) => "netboot-tftp",
        _ when category.Contains(".Http.", StringComparison.Ordinal) => "netboot-http",
        _ => "netboot",
    };

    /// <summary>The message with its level said after the tag (as on stderr) and an exception appended, escaped.</summary>
    public static string Body(LogLevel level, string message, Exception? exception) =>
        level switch
        {
            LogLevel.Warning => "warning: ",
            LogLevel.Error => "error: ",
            LogLevel.Critical => "FATAL: ",
            _ => "",
        } + LogText.EscapeControls(exception is null ? message : message + " " + exception);

    /// <summary>ctime's <c>Mmm dd hh:mm:ss</c> in local time, as dnsmasq's log.c writes to a file (<c>%.15s</c> of ctime:
    /// the day space-padded).</summary>
    public static string Timestamp(DateTimeOffset now)
    {
        var local = now.ToLocalTime();
        return string.Create(CultureInfo.InvariantCulture, $"{local:MMM} {local.Day,2} {local:HH:mm:ss}");
    }

    protected abstract void WriteLine(LogLevel level, string tag, string body);

    public virtual void Dispose()
    {
        GC.SuppressFinalize(this);
    }

    private sealed class LineLogger(LineLoggerProvider provider, string tag) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= provider.Minimum && logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel))
            {
                provider.WriteLine(logLevel, tag, Body(logLevel, formatter(state, exception), exception));
            }
        }
    }
}

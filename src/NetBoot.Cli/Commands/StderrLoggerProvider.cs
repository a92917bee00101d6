using System.Globalization;
using Microsoft.Extensions.Logging;
using NetBoot.Wire.Rendering;

namespace NetBoot.Cli.Commands;

/// <summary>Logs one plain line per event to stderr, in the shape of dnsmasq's syslog lines, so that the habits of
/// <c>grep 'PXE(eth0)'</c> carry over: <c>Nov 25 21:50:48 netboot-dhcp: PXE(eth0) 52:54:00:… proxy [...]</c>.
/// Warnings and errors say so after the tag; an exception follows on the next lines. (A small provider of our own
/// rather than the console logger: no configuration binding, so it also works in a NativeAOT build.)</summary>
internal sealed class StderrLoggerProvider(TextWriter output, LogLevel minimum, TimeProvider time) : ILoggerProvider
{
    private readonly Lock _gate = new();

    private LogLevel Minimum => minimum;

    public ILogger CreateLogger(string categoryName) => new StderrLogger(this, Tag(categoryName));

    public void Dispose() => output.Flush();

    /// <summary><c>NetBoot.Hosting.Dhcp.DhcpService</c> → <c>netboot-dhcp</c>, as dnsmasq tags <c>dnsmasq-dhcp</c>/<c>dnsmasq-tftp</c>.</summary>
    internal static string Tag(string category) => NetBoot.Hosting.Logging.LineLoggerProvider.Tag(category);

    /// <summary>One event, one line: client text is escaped where it enters a message (<see cref="LogText.Escape(string)"/>);
    /// a control character still in the message (an exception's or a library's text) is escaped here, so nothing a
    /// message holds can start a line of its own.</summary>
    internal static string Format(DateTimeOffset now, string tag, LogLevel level, string message) =>
        string.Create(CultureInfo.InvariantCulture, $"{now.ToLocalTime():MMM dd HH:mm:ss} {tag}: ") + level switch
        {
            LogLevel.Warning => "warning: ",
            LogLevel.Error => "error: ",
            LogLevel.Critical => "FATAL: ",
            _ => "",
        } + LogText.EscapeControls(message);

    private void Write(string tag, LogLevel level, string message, Exception? exception)
    {
        var line = Format(time.GetUtcNow(), tag, level, message);
        lock (_gate)
        {
            output.WriteLine(line);
            if (exception is not null)
            {
                output.WriteLine(exception.ToString());
            }
        }
    }

    private sealed class StderrLogger(StderrLoggerProvider provider, string tag) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= provider.Minimum && logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel))
            {
                provider.Write(tag, logLevel, formatter(state, exception), exception);
            }
        }
    }
}

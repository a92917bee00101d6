using Microsoft.Extensions.Logging;

namespace NetBoot.Hosting.Status;

/// <summary>One warning or error line, as the dashboard's "recent errors" list shows it.</summary>
public sealed record RecentLogLine(DateTimeOffset At, string Level, string Category, string Text);

/// <summary>Keeps the last warnings and errors NetBoot logged, for the dashboard. A logger provider added beside the
/// stderr one, so every service's existing log lines feed it without a call of their own.</summary>
public sealed class RecentLog(TimeProvider time, int capacity = 50) : ILoggerProvider
{
    private readonly Queue<RecentLogLine> _lines = new();
    private readonly Lock _lock = new();
    private long _version;

    /// <summary>Grows with every line kept, so a reader can tell whether anything changed.</summary>
    public long Version => Interlocked.Read(ref _version);

    public IReadOnlyList<RecentLogLine> Lines()
    {
        lock (_lock)
        {
            return [.. _lines];
        }
    }

    public void Add(LogLevel level, string category, string text)
    {
        lock (_lock)
        {
            if (_lines.Count == capacity)
            {
                _lines.Dequeue();
            }
            _lines.Enqueue(new RecentLogLine(time.GetUtcNow(), level == LogLevel.Warning ? "warning" : "error", category, text));
        }
        Interlocked.Increment(ref _version);
    }

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void Dispose()
    {
    }

    private sealed class Logger(RecentLog owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Warning && logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel))
            {
                ArgumentNullException.ThrowIfNull(formatter);
                owner.Add(logLevel, category, formatter(state, exception) + (exception is null ? "" : ": " + exception.Message));
            }
        }
    }
}

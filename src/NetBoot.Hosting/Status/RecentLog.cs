using Microsoft.Extensions.Logging;

namespace NetBoot.Hosting.Status;

/// <summary>One warning or error line, as the dashboard's "recent errors" list shows it.</summary>
public sealed record RecentLogLine(DateTimeOffset At, string Level, string Category, string Text);

/// <summary>Keeps the last warnings and errors NetBoot logged, for the dashboard. A logger provider added beside the
/// stderr one, so every service's existing log lines feed it without a call of their own.</summary>
/// <remarks>Any thread may log (a DHCP receive thread warns of a flood), so adding never waits for the dashboard: the
/// lines go round a ring of <paramref name="capacity"/> slots claimed by one atomic increment, each line cut to
/// <see cref="MaxTextLength"/> characters.</remarks>
public sealed class RecentLog(TimeProvider time, int capacity = 50) : ILoggerProvider
{
    /// <summary>Characters kept of a line (log lines may carry what a client sent).</summary>
    public const int MaxTextLength = 500;

    private readonly Slot?[] _slots = new Slot?[capacity];
    private long _written;

    /// <summary>Grows with every line kept, so a reader can tell whether anything changed.</summary>
    public long Version => Interlocked.Read(ref _written);

    /// <summary>The last lines, oldest first (a line being written while this reads may be left out).</summary>
    public IReadOnlyList<RecentLogLine> Lines()
    {
        var end = Interlocked.Read(ref _written);
        var lines = new List<RecentLogLine>(capacity);
        for (var sequence = Math.Max(0, end - capacity); sequence < end; sequence++)
        {
            // A slot already reused by a newer line (or not yet filled) is skipped: its sequence number says so.
            if (Volatile.Read(ref _slots[sequence % capacity]) is { } slot && slot.Sequence == sequence)
            {
                lines.Add(slot.Line);
            }
        }
        return lines;
    }

    public void Add(LogLevel level, string category, string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var sequence = Interlocked.Increment(ref _written) - 1;
        var line = new RecentLogLine(time.GetUtcNow(), level == LogLevel.Warning ? "warning" : "error", category,
            text.Length <= MaxTextLength ? text : string.Concat(text.AsSpan(0, MaxTextLength - 1), "…"));
        Volatile.Write(ref _slots[sequence % capacity], new Slot(sequence, line));
    }

    private sealed record Slot(long Sequence, RecentLogLine Line);

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

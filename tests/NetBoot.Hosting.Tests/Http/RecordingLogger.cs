using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace NetBoot.Hosting.Tests.Http;

/// <summary>Keeps every formatted line (and its structured fields) and lets a test await the first one that matches
/// (bounded wait, no sleeping).</summary>
internal sealed class RecordingLogger<T> : ILogger<T>
{
    private readonly ConcurrentQueue<string> _lines = new();
    private readonly ConcurrentQueue<(string Line, EventId Id, IReadOnlyDictionary<string, object?> Fields)> _entries = new();
    private readonly ConcurrentBag<(Func<string, bool> Match, TaskCompletionSource<string> Done)> _waiters = [];

    public IReadOnlyCollection<string> Lines => _lines;

    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        var line = formatter(state, exception);
        var fields = state is IEnumerable<KeyValuePair<string, object?>> pairs ? pairs.ToDictionary(p => p.Key, p => p.Value) : [];
        _entries.Enqueue((line, eventId, fields));
        _lines.Enqueue(line);
        foreach (var (match, done) in _waiters)
        {
            if (match(line))
            {
                done.TrySetResult(line);
            }
        }
    }

    public async Task<string> WaitForAsync(Func<string, bool> match, TimeSpan? timeout = null)
    {
        var done = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        _waiters.Add((match, done));
        foreach (var line in _lines)
        {
            if (match(line))
            {
                done.TrySetResult(line);
            }
        }
        return await done.Task.WaitAsync(timeout ?? TimeSpan.FromSeconds(10));
    }

    /// <summary>The event id and the structured fields (<c>{OriginalFormat}</c> included) the line was logged with.</summary>
    public (EventId Id, IReadOnlyDictionary<string, object?> Fields) EntryOf(string line)
    {
        var entry = _entries.First(e => e.Line == line);
        return (entry.Id, entry.Fields);
    }
}

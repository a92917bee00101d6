using NetBoot.Engine.Limits;
using NetBoot.Wire.Net;

namespace NetBoot.Hosting.Dhcp;

/// <summary>Logs malformed input at most once per source per interval, with bounded memory and work under a flood: the
/// sources are an <see cref="LruTable{TKey, TValue}"/> of <paramref name="capacity"/> (the one heard from least
/// recently is forgotten first, in O(1)), and since a flood from more sources than that would be logged in full, at
/// most <paramref name="capacity"/> lines in all are written per interval (the metrics still count every packet).</summary>
internal sealed class MalformedLogLimiter(TimeProvider time, TimeSpan interval, int capacity = 1024)
{
    private readonly LruTable<IPv4Address, DateTimeOffset> _lastLogged = new(capacity);
    private readonly Lock _gate = new();
    private DateTimeOffset _windowStart = DateTimeOffset.MinValue;
    private int _loggedInWindow;

    /// <summary>Sources remembered (never more than the capacity).</summary>
    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _lastLogged.Count;
            }
        }
    }

    public bool ShouldLog(IPv4Address source)
    {
        var now = time.GetUtcNow();
        lock (_gate)
        {
            if (_lastLogged.TryGetValue(source, out var last) && now - last < interval)
            {
                return false;
            }
            if (now - _windowStart >= interval)
            {
                _windowStart = now;
                _loggedInWindow = 0;
            }
            if (_loggedInWindow >= capacity)
            {
                return false;
            }
            _loggedInWindow++;
            _lastLogged.Set(source, now);
            return true;
        }
    }
}

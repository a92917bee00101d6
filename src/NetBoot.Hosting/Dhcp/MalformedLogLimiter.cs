using NetBoot.Wire.Net;

namespace NetBoot.Hosting.Dhcp;

/// <summary>Logs malformed input at most once per source per interval, with bounded memory under a flood.</summary>
internal sealed class MalformedLogLimiter(TimeProvider time, TimeSpan interval, int capacity = 1024)
{
    private readonly Dictionary<IPv4Address, DateTimeOffset> _lastLogged = [];
    private readonly Lock _gate = new();

    public bool ShouldLog(IPv4Address source)
    {
        var now = time.GetUtcNow();
        lock (_gate)
        {
            if (_lastLogged.TryGetValue(source, out var last) && now - last < interval)
            {
                return false;
            }
            if (_lastLogged.Count >= capacity)
            {
                _lastLogged.Clear();
            }
            _lastLogged[source] = now;
            return true;
        }
    }
}

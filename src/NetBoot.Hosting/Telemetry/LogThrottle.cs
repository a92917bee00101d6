namespace NetBoot.Hosting.Telemetry;

/// <summary>At most one log line per <paramref name="interval"/> for one kind of event that outsiders can cause at line
/// rate (a TFTP request flood beyond tftp-max), with the number of events not logged since the last line.</summary>
internal sealed class LogThrottle(TimeProvider time, TimeSpan interval)
{
    private readonly Lock _gate = new();
    private DateTimeOffset _next = DateTimeOffset.MinValue;
    private int _suppressed;

    /// <summary>True when this event may be logged; <paramref name="suppressed"/> is how many were not since the last.</summary>
    public bool ShouldLog(out int suppressed)
    {
        var now = time.GetUtcNow();
        lock (_gate)
        {
            if (now < _next)
            {
                _suppressed++;
                suppressed = 0;
                return false;
            }
            _next = now + interval;
            suppressed = _suppressed;
            _suppressed = 0;
            return true;
        }
    }
}

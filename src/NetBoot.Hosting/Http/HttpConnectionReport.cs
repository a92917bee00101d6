using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using NetBoot.Hosting.Telemetry;

namespace NetBoot.Hosting.Http;

/// <summary>What the HTTP connection budget refused, and accept failures, in a few lines whatever the rate: one line when
/// the limit is first reached, then one summary per <see cref="Interval"/> while it lasts (written by the next event
/// after the interval, as the DHCP rate limit does), and at most one accept failure line per interval.</summary>
internal sealed class HttpConnectionReport(ILogger logger, TimeProvider time, int capacity, int perClient)
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(10);

    private readonly Lock _gate = new();
    private readonly LogThrottle _acceptFailures = new(time, Interval);
    private bool _limiting;
    private DateTimeOffset _reportedAt;
    private int _overClient;
    private int _full;
    private int _evicted;
    private IPAddress? _lastOverClient;

    /// <summary>Counts a refusal or an eviction; logs when the limit is first reached and when a summary is due.</summary>
    public void Admission(HttpAdmission admission, IPAddress source, bool evicted)
    {
        if (admission == HttpAdmission.Admitted && !evicted)
        {
            return;
        }
        var now = time.GetUtcNow();
        bool started;
        (int OverClient, int Full, int Evicted, IPAddress? Last)? summary = null;
        lock (_gate)
        {
            started = !_limiting;
            if (started)
            {
                _limiting = true;
                _reportedAt = now;
            }
            Count(admission, source, evicted);
            if (!started && now - _reportedAt >= Interval)
            {
                summary = (_overClient, _full, _evicted, _lastOverClient);
                (_overClient, _full, _evicted, _lastOverClient) = (0, 0, 0, null);
                _reportedAt = now;
            }
        }
        if (started)
        {
            HttpLog.LimitReached(logger, Describe(admission, evicted), source.ToString(), perClient, capacity, (int)Interval.TotalSeconds);
        }
        if (summary is { } s)
        {
            HttpLog.LimitSummary(logger, s.OverClient + s.Full, (int)Interval.TotalSeconds, s.OverClient, perClient,
                s.Last?.ToString() ?? "-", s.Full, capacity, s.Evicted);
        }
    }

    /// <summary>An <c>accept</c> failure other than a connection lost in the backlog (EMFILE, ENFILE, ENOBUFS…).</summary>
    public void AcceptFailed(SocketException error, TimeSpan retryIn, int open)
    {
        if (_acceptFailures.ShouldLog(out var suppressed))
        {
            HttpLog.AcceptFailed(logger, error.Message, error.SocketErrorCode.ToString(), suppressed, (int)retryIn.TotalMilliseconds, open,
                DescriptorLimit.SoftLimit());
        }
    }

    private void Count(HttpAdmission admission, IPAddress source, bool evicted)
    {
        switch (admission)
        {
            case HttpAdmission.OverClientLimit:
                _overClient++;
                _lastOverClient = source;
                break;
            case HttpAdmission.Full:
                _full++;
                break;
            default:
                break;
        }
        if (evicted)
        {
            _evicted++;
        }
    }

    private static string Describe(HttpAdmission admission, bool evicted) => admission switch
    {
        HttpAdmission.OverClientLimit => "connection refused: its address holds the most allowed per client",
        HttpAdmission.Full => "connection refused: every connection is busy",
        _ when evicted => "an idle connection was closed to make room",
        _ => "",
    };
}

using Microsoft.Extensions.Logging;
using NetBoot.Configuration.Model;
using NetBoot.Engine.Limits;
using NetBoot.Wire.Net;

namespace NetBoot.Hosting.Dhcp;

/// <summary>The <c>dhcp-rate-limit</c> gates of every listening socket (one <see cref="DhcpAdmission"/> per interface
/// and port), and one summary line per socket and interval for what they shed, so a flood cannot flood the log.</summary>
internal sealed partial class DhcpRateGate(ILogger logger, TimeProvider time)
{
    private static readonly TimeSpan ReportInterval = TimeSpan.FromSeconds(10);

    private readonly Dictionary<(string Interface, ushort Port), Gate> _gates = [];
    private readonly Lock _lock = new();

    /// <summary>True when the request may be processed; otherwise it is counted and dropped silently.</summary>
    public bool Admit(string @interface, ushort port, DhcpRateLimitConfig limits, HardwareAddress client, bool isKnown)
    {
        if (limits.IsOff)
        {
            return true;
        }
        var now = time.GetUtcNow();
        Gate gate;
        Admission admission;
        (int Client, int NewClients)? report = null;
        lock (_lock)
        {
            if (!_gates.TryGetValue((@interface, port), out gate!) || gate.Admission.Limits != limits)
            {
                gate = new Gate(new DhcpAdmission(limits), now);
                _gates[(@interface, port)] = gate;
            }
            admission = gate.Admission.Admit(client, isKnown, now);
            if (admission == Admission.ClientOverLimit)
            {
                gate.ClientDrops++;
            }
            else if (admission == Admission.NewClientsOverLimit)
            {
                gate.NewClientDrops++;
            }
            if (now - gate.ReportedAt >= ReportInterval && gate.ClientDrops + gate.NewClientDrops > 0)
            {
                report = (gate.ClientDrops, gate.NewClientDrops);
                gate.ClientDrops = gate.NewClientDrops = 0;
                gate.ReportedAt = now;
            }
        }
        if (report is { } r)
        {
            Shed(logger, @interface, port, r.Client + r.NewClients, (int)ReportInterval.TotalSeconds, r.NewClients, limits.NewClientsPerInterface,
                r.Client, limits.PerClient);
        }
        return admission == Admission.Admitted;
    }

    private sealed class Gate(DhcpAdmission admission, DateTimeOffset createdAt)
    {
        public DhcpAdmission Admission { get; } = admission;
        // The first drop of a quiet socket is reported at once; then at most once per interval.
        public DateTimeOffset ReportedAt { get; set; } = createdAt - ReportInterval;
        public int ClientDrops { get; set; }
        public int NewClientDrops { get; set; }
    }

    [LoggerMessage(1110, LogLevel.Warning,
        "DHCP rate limit on {Interface} port {Port}: {Dropped} requests dropped in {Seconds}s ({NewClients} from unknown clients over {NewLimit}/s, {Clients} from clients over {ClientLimit}/s each); known hosts and leases are still served; tune with dhcp-rate-limit=")]
    private static partial void Shed(ILogger logger, string @interface, int port, int dropped, int seconds, int newClients, int newLimit, int clients, int clientLimit);
}

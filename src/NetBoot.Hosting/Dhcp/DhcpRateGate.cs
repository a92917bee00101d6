using Microsoft.Extensions.Logging;
using NetBoot.Configuration.Model;
using NetBoot.Engine.Leases;
using NetBoot.Engine.Limits;
using NetBoot.Wire.Net;

namespace NetBoot.Hosting.Dhcp;

/// <summary>The <c>dhcp-rate-limit</c> gates of every listening socket (one <see cref="DhcpAdmission"/> per interface
/// and port: as many as the configuration opens sockets), and one summary line per socket and interval for what they
/// shed, so a flood cannot flood the log. The lock is shared by the receive threads only, held for O(1) work.</summary>
internal sealed partial class DhcpRateGate(ILogger logger, TimeProvider time)
{
    private static readonly TimeSpan ReportInterval = TimeSpan.FromSeconds(10);

    private readonly Dictionary<(string Interface, ushort Port), Gate> _gates = [];
    private readonly Lock _lock = new();

    /// <summary>Clients tracked by every socket's gate (each at most <see cref="DhcpAdmission.ClientCapacity"/>).</summary>
    internal int TrackedClients
    {
        get
        {
            lock (_lock)
            {
                return _gates.Values.Sum(g => g.Admission.TrackedClients);
            }
        }
    }

    /// <summary>True when the request may be processed; otherwise it is counted and dropped silently.</summary>
    public bool Admit(string @interface, ushort port, DhcpRateLimitConfig limits, ClientIdentity client, bool isKnown)
    {
        var (first, second) = DhcpAdmission.Keys(client);
        return Admit(@interface, port, limits, first, second, isKnown);
    }

    /// <summary>As for a DHCPv4 client, for any protocol's client identities (DHCPv6: DUID and source address): the request
    /// is charged to both (<see cref="DhcpAdmission.Admit(ClientKey, ClientKey?, bool, DateTimeOffset)"/>).</summary>
    public bool Admit(string @interface, ushort port, DhcpRateLimitConfig limits, ClientKey first, ClientKey? second, bool isKnown)
    {
        if (limits.IsOff)
        {
            return true;
        }
        var now = time.GetUtcNow();
        Admission admission;
        (int Client, int NewClients)? report = null;
        var started = false;
        lock (_lock)
        {
            if (!_gates.TryGetValue((@interface, port), out var gate) || gate.Admission.Limits != limits)
            {
                gate = new Gate(new DhcpAdmission(limits));
                _gates[(@interface, port)] = gate;
            }
            admission = gate.Admission.Admit(first, second, isKnown, now);
            if (admission != Admission.Admitted && !gate.Shedding)
            {
                // The first drop after a quiet spell is logged at once; then one summary per interval while it lasts.
                gate.Shedding = started = true;
                gate.ReportedAt = now;
            }
            if (admission == Admission.ClientOverLimit)
            {
                gate.ClientDrops++;
            }
            else if (admission == Admission.NewClientsOverLimit)
            {
                gate.NewClientDrops++;
            }
            if (gate.Shedding && now - gate.ReportedAt >= ReportInterval)
            {
                report = (gate.ClientDrops, gate.NewClientDrops);
                gate.Shedding = gate.ClientDrops + gate.NewClientDrops > 0;
                gate.ClientDrops = gate.NewClientDrops = 0;
                gate.ReportedAt = now;
            }
        }
        if (started)
        {
            Shedding(logger, @interface, port, limits.NewClientsPerInterface, limits.PerClient, (int)ReportInterval.TotalSeconds);
        }
        if (report is { Client: var c, NewClients: var n } && c + n > 0)
        {
            Shed(logger, @interface, port, c + n, (int)ReportInterval.TotalSeconds, n, limits.NewClientsPerInterface, c, limits.PerClient);
        }
        return admission == Admission.Admitted;
    }

    private sealed class Gate(DhcpAdmission admission)
    {
        public DhcpAdmission Admission { get; } = admission;
        public bool Shedding { get; set; }
        public DateTimeOffset ReportedAt { get; set; }
        public int ClientDrops { get; set; }
        public int NewClientDrops { get; set; }
    }

    [LoggerMessage(1111, LogLevel.Warning,
        "DHCP rate limit reached on {Interface} port {Port}: dropping requests from unknown clients over {NewLimit}/s and from any client over {ClientLimit}/s; known hosts and leases are still served; a summary follows every {Seconds}s while it lasts; tune with dhcp-rate-limit=")]
    private static partial void Shedding(ILogger logger, string @interface, int port, int newLimit, int clientLimit, int seconds);

    [LoggerMessage(1110, LogLevel.Warning,
        "DHCP rate limit on {Interface} port {Port}: {Dropped} requests dropped in the last {Seconds}s ({NewClients} from unknown clients over {NewLimit}/s, {Clients} from clients over {ClientLimit}/s each)")]
    private static partial void Shed(ILogger logger, string Interface, int port, int dropped, int seconds, int newClients, int newLimit, int clients, int clientLimit);
}

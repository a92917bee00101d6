using System.Collections.Immutable;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using NetBoot.Configuration.Model;
using NetBoot.Engine.Ra;
using NetBoot.Hosting.Net;
using NetBoot.Hosting.Telemetry;
using NetBoot.Wire.Icmp6;
using NetBoot.Wire.Net;

namespace NetBoot.Hosting.Ra;

/// <summary>Sends Router Advertisements as dnsmasq does (src/radv.c): unsolicited ones to ff02::1 on every interface
/// with something to advertise (the first within 5 s of start-up or of the interface becoming ready, every 5–20 s for a
/// minute, then every ¾…1 × the ra-param interval), and one at once, unicast, to each Router Solicitation heard on
/// ff02::2. What is sent is <see cref="RouterAdvertisementPlanner"/>'s decision, made afresh for each RA from the
/// interface as it is then. Like dnsmasq, no final RA with router lifetime 0 is sent on shutdown (RFC 4861 §6.2.5 asks
/// it of an interface that stops being advertising; dnsmasq does not, and a restart would drop the hosts' default
/// route for nothing).</summary>
public sealed class RouterAdvertisementService(ConfigSnapshot snapshot, ILogger logger, TimeProvider time)
{
    /// <summary>How often interfaces are re-read when nothing is due: an IPv6 address appearing (DAD finishing) raises
    /// no BCL change event.</summary>
    private static readonly TimeSpan RecheckInterval = TimeSpan.FromSeconds(2);

    /// <summary>RFC 4861 §10 MIN_DELAY_BETWEEN_RAS: multicast RAs on one interface at least this far apart.</summary>
    private static readonly TimeSpan MinimumDelayBetweenRas = TimeSpan.FromSeconds(3);

    private readonly Dictionary<int, Advertiser> _advertisers = [];
    private readonly SolicitationGate _solicitations = new(time);
    private readonly LogThrottle _shedLog = new(time, TimeSpan.FromSeconds(10));
    private readonly Lock _gate = new();

    private sealed class Advertiser(string name)
    {
        public string Name { get; } = name;
        public bool IsJoined { get; set; }
        public DateTimeOffset StartedAt { get; set; }
        public DateTimeOffset? Due { get; set; }
        public RaNotSentReason? NotSentReason { get; set; }
        public bool WasSending { get; set; }
        public DateTimeOffset LastSent { get; set; }
    }

    /// <summary>Completes when nothing is to be advertised, or ends with the token. Opens its socket before returning
    /// the task (so it is open before privileges are dropped) and throws when it cannot (dnsmasq dies then too).</summary>
    public Task RunAsync(InterfaceAddresses addresses, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(addresses);
        if (!snapshot.Current.Ipv6.SendsRouterAdvertisements)
        {
            return Task.CompletedTask;
        }
        Socket socket;
        try
        {
            socket = Icmp6Socket.Open();
        }
        catch (SocketException e)
        {
            RaLog.CannotOpen(logger, e.Message, "router advertisements need root or CAP_NET_RAW; or remove enable-ra and the RA modes of dhcp-range");
            throw;
        }
        return ServeAsync(socket, addresses, cancellationToken);
    }

    private async Task ServeAsync(Socket socket, InterfaceAddresses addresses, CancellationToken cancellationToken)
    {
        using var owned = socket;
        using var wake = new SemaphoreSlim(0);
        void OnChanged(InterfaceReading _) => Wake(wake);
        addresses.Changed += OnChanged;
        try
        {
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            var receiving = ReceiveAsync(socket, addresses, wake, stop.Token);
            var scheduling = ScheduleAsync(socket, addresses, wake, stop.Token);
            // Either loop ending (a socket fault) ends the service; the other is stopped and awaited.
            var first = await Task.WhenAny(receiving, scheduling).ConfigureAwait(false);
            await stop.CancelAsync().ConfigureAwait(false);
            await Task.WhenAll(receiving, scheduling).ContinueWith(_ => { }, TaskScheduler.Default).ConfigureAwait(false);
            await first.ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        finally
        {
            addresses.Changed -= OnChanged;
        }
    }

    private async Task ScheduleAsync(Socket socket, InterfaceAddresses addresses, SemaphoreSlim wake, CancellationToken cancellationToken)
    {
        while (true)
        {
            var now = time.GetUtcNow();
            var links = ServedLinks(addresses.Current);
            lock (_gate)
            {
                Reconcile(socket, links, now);
            }
            foreach (var (index, link) in links)
            {
                if (TakeDue(index, now) is not { } advertiser)
                {
                    continue;
                }
                var plan = Send(socket, link, index, null);
                var delay = RouterAdvertisementSchedule.NextDelay(now - advertiser.StartedAt, plan.Interval, Random16());
                lock (_gate)
                {
                    advertiser.Due = now + delay;
                    advertiser.LastSent = now;
                }
            }
            var wait = NextWait(now);
            using var timeout = new CancellationTokenSource(wait, time);
            using var either = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
            try
            {
                await wake.WaitAsync(either.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
            }
            cancellationToken.ThrowIfCancellationRequested();
        }
    }

    /// <summary>Starts advertising on an interface that became ready (its plan now sends: a range matches, its
    /// link-local address passed DAD), with dnsmasq's start-up timing; stops on one that is gone or has nothing to send.</summary>
    private void Reconcile(Socket socket, ImmutableDictionary<int, RaLinkState> links, DateTimeOffset now)
    {
        foreach (var gone in _advertisers.Keys.Where(i => !links.ContainsKey(i)).ToList())
        {
            _advertisers.Remove(gone);
        }
        var config = snapshot.Current;
        foreach (var (index, link) in links)
        {
            if (!_advertisers.TryGetValue(index, out var advertiser) || advertiser.Name != link.InterfaceName)
            {
                advertiser = _advertisers[index] = new Advertiser(link.InterfaceName);
            }
            Join(socket, index, advertiser);
            var plan = RouterAdvertisementPlanner.Plan(config.Ipv6, link, Ipv6InterfaceTable.Ipv6Mtu);
            if (plan.Sends && !advertiser.WasSending)
            {
                advertiser.StartedAt = now;
                advertiser.Due = now + RouterAdvertisementSchedule.FirstDelay(Random16());
                RaLog.Advertising(logger, link.InterfaceName, plan.Source.ToString(), (int)plan.Interval.TotalSeconds, (int)plan.Message!.RouterLifetime.TotalSeconds);
            }
            else if (!plan.Sends && plan.NotSentReason != advertiser.NotSentReason)
            {
                advertiser.Due = null;
                RaLog.NotAdvertising(logger, link.InterfaceName, plan.NotSentReason!.Value);
            }
            advertiser.WasSending = plan.Sends;
            advertiser.NotSentReason = plan.NotSentReason;
        }
    }

    private void Join(Socket socket, int index, Advertiser advertiser)
    {
        if (advertiser.IsJoined)
        {
            return;
        }
        try
        {
            Icmp6Socket.JoinAllRouters(socket, index);
            advertiser.IsJoined = true;
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.AddressAlreadyInUse)
        {
            advertiser.IsJoined = true;
        }
        catch (SocketException e)
        {
            advertiser.IsJoined = true; // said once; unsolicited RAs still go out
            RaLog.CannotJoin(logger, advertiser.Name, e.Message);
        }
    }

    private Advertiser? TakeDue(int index, DateTimeOffset now)
    {
        lock (_gate)
        {
            return _advertisers.TryGetValue(index, out var advertiser) && advertiser.Due is { } due && due <= now ? advertiser : null;
        }
    }

    private TimeSpan NextWait(DateTimeOffset now)
    {
        lock (_gate)
        {
            var wait = RecheckInterval;
            foreach (var advertiser in _advertisers.Values)
            {
                if (advertiser.Due is { } due && due - now < wait)
                {
                    wait = due - now;
                }
            }
            return wait < TimeSpan.Zero ? TimeSpan.Zero : wait;
        }
    }

    private ImmutableDictionary<int, RaLinkState> ServedLinks(InterfaceReading reading) =>
        Ipv6InterfaceTable.Served(snapshot.Current.Interfaces, reading.Interfaces);

    /// <summary>Plans and sends one RA on the interface: to <paramref name="solicitor"/> when a host asked, else to
    /// ff02::1.</summary>
    private RouterAdvertisementPlan Send(Socket socket, RaLinkState link, int index, IPAddress? solicitor)
    {
        var config = snapshot.Current;
        var plan = RouterAdvertisementPlanner.Plan(config.Ipv6, link, Ipv6InterfaceTable.Ipv6Mtu);
        if (plan.Message is not { } message)
        {
            return plan;
        }
        var destination = Icmp6Socket.On(solicitor ?? Icmp6Socket.AllNodes, index);
        try
        {
            socket.SendTo(NeighborDiscoveryEncoder.Encode(message), destination);
        }
        catch (SocketException e)
        {
            RaLog.SendFailed(logger, link.InterfaceName, destination.Address.ToString(), e.Message);
            return plan;
        }
        if (!config.Ipv6.QuietRouterAdvertisements)
        {
            foreach (var prefix in message.Prefixes)
            {
                RaLog.Advertised(logger, link.InterfaceName, prefix.Prefix.ToString());
            }
        }
        return plan;
    }

    /// <summary>dnsmasq icmp6_packet: a Router Solicitation on a served interface is logged and answered at once, to its
    /// link-local source, whose scope names the interface it came in on. One from the unspecified address (a host still
    /// without an address, RFC 4861 §6.1.1) names no interface: it brings the next multicast RA on every interface
    /// forward, at most one per <see cref="MinimumDelayBetweenRas"/> (RFC 4861 §6.2.6).</summary>
    private async Task ReceiveAsync(Socket socket, InterfaceAddresses addresses, SemaphoreSlim wake, CancellationToken cancellationToken)
    {
        var buffer = new byte[1500];
        EndPoint any = new IPEndPoint(IPAddress.IPv6Any, 0);
        while (!cancellationToken.IsCancellationRequested)
        {
            SocketReceiveFromResult received;
            try
            {
                received = await socket.ReceiveFromAsync(buffer, SocketFlags.None, any, cancellationToken).ConfigureAwait(false);
            }
            catch (SocketException e) when (e.SocketErrorCode is SocketError.MessageSize or SocketError.ConnectionReset)
            {
                continue;
            }
            var source = ((IPEndPoint)received.RemoteEndPoint).Address;
            var message = buffer.AsSpan(0, received.ReceivedBytes);
            if (source.Equals(IPAddress.IPv6Any))
            {
                AdvertiseSoon(wake);
            }
            else if (ServedLinks(addresses.Current).TryGetValue((int)source.ScopeId, out var link))
            {
                Answer(socket, link, (int)source.ScopeId, source, message);
            }
        }
    }

    private void AdvertiseSoon(SemaphoreSlim wake)
    {
        var now = time.GetUtcNow();
        lock (_gate)
        {
            foreach (var advertiser in _advertisers.Values.Where(a => a.Due is not null))
            {
                var earliest = advertiser.LastSent + MinimumDelayBetweenRas;
                advertiser.Due = earliest > now ? earliest : now;
            }
        }
        Wake(wake);
    }

    /// <summary>One pending wake-up is enough (the loop re-reads everything): a burst of events does not queue a burst
    /// of loop turns.</summary>
    private static void Wake(SemaphoreSlim wake)
    {
        if (wake.CurrentCount == 0)
        {
            wake.Release();
        }
    }

    private void Answer(Socket socket, RaLinkState link, int index, IPAddress source, ReadOnlySpan<byte> message)
    {
        if (!NeighborDiscoveryDecoder.TryDecodeRouterSolicitation(message, out var solicitation, out var error))
        {
            RaLog.Malformed(logger, source.ToString(), link.InterfaceName, error);
            return;
        }
        if (!_solicitations.TryAnswer(index))
        {
            if (_shedLog.ShouldLog(out var suppressed))
            {
                RaLog.SolicitationsShed(logger, link.InterfaceName, _solicitations.PerSecond, suppressed);
            }
            return;
        }
        if (!snapshot.Current.Ipv6.QuietRouterAdvertisements)
        {
            RaLog.Solicited(logger, link.InterfaceName, Mac(solicitation.SourceLinkLayerAddress));
        }
        Send(socket, link, index, source);
    }

    /// <summary>dnsmasq print_mac: colon-separated hex; empty when the host sent no source link-layer address.</summary>
    private static string Mac(ImmutableArray<byte> address) =>
        string.Join(':', address.Select(b => b.ToString("x2", System.Globalization.CultureInfo.InvariantCulture)));

    private static ushort Random16() => (ushort)Random.Shared.Next(ushort.MaxValue + 1);
}

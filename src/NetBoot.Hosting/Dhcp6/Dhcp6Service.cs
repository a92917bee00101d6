using System.Collections.Immutable;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using NetBoot.Engine.Dhcp6;
using NetBoot.Hosting.Status;
using NetBoot.Hosting.Telemetry;
using NetBoot.Hosting.Udp;
using NetBoot.Leases;
using NetBoot.Wire.Dhcp6;

namespace NetBoot.Hosting.Dhcp6;

/// <summary>DHCPv6 (RFC 8415) on [::]:547: receive → decide (<see cref="Dhcp6Responder"/>, inside the IPv6 lease store) →
/// commit → send, as <see cref="Dhcp.DhcpService"/> does for DHCPv4; a REPLY that binds leaves only once its lease change
/// is durable. One socket for every interface (IPV6_RECVPKTINFO names the arrival interface, whose link gives the ranges);
/// it joins ff02::1:2 on each interface with a DHCPv6 range, and follows interfaces and their addresses as they change.</summary>
public sealed partial class Dhcp6Service(
    ConfigSnapshot config, ILogger<Dhcp6Service> logger, TimeProvider time, IIpv6LeaseStore leases, BootTelemetry? telemetry = null,
    Func<ImmutableArray<Ipv6Interface>>? readInterfaces = null)
{
    /// <summary>The interfaces of this process's network namespace (tests pass a reader that enters theirs).</summary>
    private readonly Func<ImmutableArray<Ipv6Interface>> _readInterfaces = readInterfaces ?? Ipv6Interfaces.Read;

    /// <summary>How often the interfaces' IPv6 addresses are read again (a link may gain its global prefix after start).</summary>
    private static readonly TimeSpan RefreshInterval = TimeSpan.FromSeconds(2);

    /// <summary>The least time between two readings asked for by datagrams from interfaces not (yet) served.</summary>
    private static readonly TimeSpan ForcedRefreshInterval = TimeSpan.FromMilliseconds(250);

    /// <summary>How often expired leases (and lapsed ADVERTISE holds) are removed.</summary>
    private static readonly TimeSpan ExpiryInterval = TimeSpan.FromSeconds(10);

    private static readonly TimeSpan MalformedLogInterval = TimeSpan.FromMinutes(1);

    private readonly TaskCompletionSource _listening = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private readonly Lock _refreshLock = new();

    private readonly HashSet<int> _joined = [];

    private readonly Dhcp6RateGate _rateGate = new(new Dhcp.DhcpRateGate(logger, time), leases);

    private LinkTable _links = LinkTable.Empty;

    private Duid _serverDuid;

    private long _malformedLoggedAt = long.MinValue;

    /// <summary>Completes once the socket is bound (or there is nothing to serve); faults if it cannot be bound.</summary>
    public Task Listening => _listening.Task;

    /// <summary>The server DUID in use (default until <see cref="RunAsync"/> has started).</summary>
    public Duid ServerDuid => _serverDuid;

    /// <summary>The interfaces answered on and their links, as last read.</summary>
    private sealed record LinkTable(long Generation, DateTimeOffset ReadAt, ImmutableArray<Ipv6Interface> Interfaces, ImmutableDictionary<int, Dhcp6Link> ByIndex)
    {
        public static readonly LinkTable Empty = new(-1, DateTimeOffset.MinValue, [], ImmutableDictionary<int, Dhcp6Link>.Empty);
    }

    /// <summary>Serves until cancelled. The socket is opened before the first await (so in the caller's network namespace).</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        if (!Dhcp6Links.Serves(config.Current))
        {
            _listening.TrySetResult();
            return;
        }
        Socket socket;
        try
        {
            socket = Open();
        }
        catch (SocketException e)
        {
            Dhcp6Log.CannotListen(logger, Dhcp6Links.ServerPort, e.Message, BoundUdpSocket.Hint(e));
            _listening.TrySetException(e);
            throw;
        }
        using (socket)
        {
            try
            {
                var table = Refresh(socket, force: true);
                var served = table.Interfaces.Where(i => table.ByIndex.ContainsKey(i.Index));
                var snapshot = config.Current;
                _serverDuid = leases.ServerDuid(Environment.MachineName,
                    () => Dhcp6Links.ServerDuid(snapshot.Ipv6.ServerDuid, served, table.Interfaces, time.GetUtcNow()), replace: snapshot.Ipv6.ServerDuid is not null);
                Dhcp6Log.ServerDuid(logger, _serverDuid.ToString());
                if (table.ByIndex.IsEmpty)
                {
                    Dhcp6Log.NoInterface(logger, string.Join(", ", table.Interfaces.Select(i => $"{i.Name} {string.Join(' ', i.Addresses.Select(a => $"{a.Address}/{a.PrefixLength}"))}")));
                }
            }
            catch (Exception e)
            {
                // The store cannot give the server DUID: start-up fails (the caller stops every service).
                _listening.TrySetException(e);
                throw;
            }
            _listening.TrySetResult();
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            var maintenance = MaintainAsync(socket, stop.Token);
            try
            {
                // Its own thread: the loop blocks in poll(2) and never hops through the thread pool per message.
                await Task.Factory.StartNew(() => Serve(socket, cancellationToken), CancellationToken.None,
                    TaskCreationOptions.LongRunning, TaskScheduler.Default).ConfigureAwait(false);
            }
            finally
            {
                await stop.CancelAsync().ConfigureAwait(false);
                await maintenance.ConfigureAwait(false);
            }
        }
    }

    /// <summary>[::]:547, IPv6 only, with the arrival interface of each datagram (IPV6_RECVPKTINFO).</summary>
    private static Socket Open()
    {
        var socket = new Socket(AddressFamily.InterNetworkV6, SocketType.Dgram, ProtocolType.Udp);
        try
        {
            socket.DualMode = false;
            socket.SetSocketOption(SocketOptionLevel.IPv6, SocketOptionName.PacketInformation, true);
            // Replies go to link-local addresses one hop away; relay agents may be further.
            socket.SetSocketOption(SocketOptionLevel.IPv6, SocketOptionName.MulticastLoopback, false);
            socket.Bind(new IPEndPoint(IPAddress.IPv6Any, Dhcp6Links.ServerPort));
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>Reads the interfaces again when <paramref name="force"/>d, when the configuration changed, or when the last
    /// reading is older than <see cref="RefreshInterval"/>; joins ff02::1:2 on each newly served interface.</summary>
    private LinkTable Refresh(Socket socket, bool force = false)
    {
        var (snapshot, generation) = config.Versioned;
        var now = time.GetUtcNow();
        var current = Volatile.Read(ref _links);
        // Even when forced (a datagram from an interface not served), at most every ForcedRefreshInterval: a flood from
        // such an interface must not turn into a flood of interface readings.
        if (current.Generation == generation && now - current.ReadAt < (force ? ForcedRefreshInterval : RefreshInterval))
        {
            return current;
        }
        lock (_refreshLock)
        {
            var interfaces = _readInterfaces();
            var byIndex = ImmutableDictionary.CreateBuilder<int, Dhcp6Link>();
            foreach (var nic in interfaces)
            {
                if (Dhcp6Links.Build(snapshot, nic) is not { } link)
                {
                    continue;
                }
                byIndex[nic.Index] = link;
                if (_joined.Contains(nic.Index))
                {
                    continue;
                }
                try
                {
                    socket.SetSocketOption(SocketOptionLevel.IPv6, SocketOptionName.AddMembership,
                        new IPv6MulticastOption(Dhcp6Links.AllRelayAgentsAndServers, nic.Index));
                    _joined.Add(nic.Index);
                    Log.Listening(logger, "DHCPv6", nic.Name, $"[{link.ServerAddress}]", Dhcp6Links.ServerPort);
                }
                catch (SocketException e)
                {
                    Dhcp6Log.JoinFailed(logger, nic.Name, e.Message);
                }
            }
            // An interface gone (or renumbered) is joined again when it comes back.
            _joined.IntersectWith(interfaces.Select(i => i.Index));
            var table = new LinkTable(generation, now, interfaces, byIndex.ToImmutable());
            Volatile.Write(ref _links, table);
            return table;
        }
    }

    private async Task MaintainAsync(Socket socket, CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(RefreshInterval, time);
        var lastExpiry = time.GetUtcNow();
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
            {
                Refresh(socket);
                var now = time.GetUtcNow();
                if (now - lastExpiry >= ExpiryInterval)
                {
                    lastExpiry = now;
                    foreach (var lease in leases.Expire(now).Where(l => l.State == Ipv6LeaseState.Bound))
                    {
                        Dhcp6Log.Expired(logger, lease.Address.ToString(), lease.Duid.ToString());
                    }
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>Decode → decide in the store (its commit deferred to the end of the batch) → encode: the reply to send, or
    /// null when the message gets none (each case logged and counted here).</summary>
    private Dhcp6Outgoing? Decide(Socket socket, ref LinkTable table, ReadOnlySpan<byte> datagram, bool truncated, IPEndPoint source, int arrivalIndex)
    {
        Dhcp6Packet? packet = null;
        var error = truncated
            ? $"longer than {Datagram6Batch.BufferSize} bytes"
            : Dhcp6MessageDecoder.TryDecode(datagram, out packet, out var decodeError) ? null : decodeError.ToString();
        if (error is not null || packet is null)
        {
            var now = Environment.TickCount64;
            if (now - Interlocked.Read(ref _malformedLoggedAt) >= (long)MalformedLogInterval.TotalMilliseconds)
            {
                Interlocked.Exchange(ref _malformedLoggedAt, now);
                Dhcp6Log.Malformed(logger, source.ToString(), NameOf(table, arrivalIndex), error ?? "-", (int)MalformedLogInterval.TotalMinutes);
            }
            telemetry?.Dhcp6Dropped("malformed");
            return null;
        }
        if (LinkFor(socket, ref table, packet, arrivalIndex) is not { } link)
        {
            Dhcp6Log.NotServedInterface(logger, source.ToString(), NameOf(table, arrivalIndex));
            telemetry?.Dhcp6Dropped("interface_not_served");
            return null;
        }
        if (!Admit(source.Address, packet, link))
        {
            telemetry?.Dhcp6Dropped("rate_limited");
            return null;
        }
        var message = packet.InnermostMessage;
        // The log lines' texts only when they are written (the per-message lines are Information).
        var informed = logger.IsEnabled(LogLevel.Information);
        var client = informed ? message.Options.ClientId?.ToString() ?? "-" : "-";
        var kind = Dhcp6Text.MessageName(message.Type);
        Dhcp6Log.Received(logger, kind, link.InterfaceName, client);
        telemetry?.Dhcp6Received(Dhcp6Text.MetricName(message.Type));
        var snapshot = config.Current;
        var decision = leases.ExecuteDeferred(view => Dhcp6Responder.Respond(packet, link, snapshot, view, _serverDuid, time.GetUtcNow()));
        telemetry?.Dhcp6Decided(packet, source.Address, decision.Outcome.Decision);
        if (snapshot.LogDhcp && informed)
        {
            Dhcp6Log.Exchange(logger, message, decision.Outcome.Decision);
        }
        switch (decision.Outcome.Decision)
        {
            case Dhcp6Send send:
                var reply = send.Reply.InnermostMessage;
                // A REPLY that binds waits for its lease to be durable; an ADVERTISE (a hold) or a refusal does not.
                var waits = !decision.Durable.IsCompletedSuccessfully && reply.Type == Dhcp6MessageType.Reply && !decision.Outcome.Changes.IsEmpty;
                return new Dhcp6Outgoing(
                    Dhcp6MessageEncoder.Encode(send.Reply), Dhcp6Links.ReplyDestination(packet, source, arrivalIndex), reply, send.Summary,
                    link.InterfaceName, client, waits ? decision.Durable : null);
            case Dhcp6Drop drop:
                Dhcp6Log.Silence(logger, kind, link.InterfaceName, client, drop);
                telemetry?.Dhcp6Dropped(Dhcp6Text.MetricName(drop.Reason));
                return null;
            default:
                return null;
        }
    }

    /// <summary><c>dhcp-rate-limit</c>, before the responder decides (<see cref="Dhcp6RateGate"/>).</summary>
    private bool Admit(IPAddress source, Dhcp6Packet packet, Dhcp6Link link) =>
        _rateGate.Admit(link.InterfaceName, config.Current, source, packet);

    /// <summary>A relayed message's link is the relay's link-address; anything else is answered for the arrival interface's
    /// link (read again once when unknown: perhaps an interface that gained its address a moment ago).</summary>
    private Dhcp6Link? LinkFor(Socket socket, ref LinkTable table, Dhcp6Packet packet, int arrivalIndex)
    {
        for (var attempt = 0; attempt < 2; attempt++)
        {
            if (attempt == 1)
            {
                table = Refresh(socket, force: true);
            }
            var arrival = table.Interfaces.FirstOrDefault(i => i.Index == arrivalIndex);
            if (arrival is not null && Dhcp6Links.ForRelay(config.Current, packet, arrival, table.Interfaces) is { } relayed)
            {
                return relayed;
            }
            if (table.ByIndex.TryGetValue(arrivalIndex, out var link))
            {
                return link;
            }
        }
        return null;
    }

    private static string NameOf(LinkTable table, int index) =>
        table.Interfaces.FirstOrDefault(i => i.Index == index)?.Name ?? $"#{index}";
}

using System.Collections.Immutable;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using NetBoot.Engine;
using NetBoot.Engine.Dhcp;
using NetBoot.Engine.Leases;
using NetBoot.Engine.Limits;
using NetBoot.Hosting.Net;
using NetBoot.Hosting.Status;
using NetBoot.Leases;
using NetBoot.Hosting.Telemetry;
using NetBoot.Hosting.Udp;
using NetBoot.Wire.Dhcp;
using NetBoot.Wire.Net;
using NetBoot.Wire.Rendering;

namespace NetBoot.Hosting.Dhcp;

/// <summary>Receives DHCP on port 67 and PXE boot-server requests on 4011 on each serving interface, asks the
/// engine, sends the reply. The only place that touches DHCP sockets. With a lease store, networks with an owned
/// <c>dhcp-range</c> get full DHCP: the decision runs against the store, and a reply that depends on a lease change
/// (an ACK) leaves only once that change is durable.</summary>
public sealed partial class DhcpService(ConfigSnapshot config, ILogger<DhcpService> logger, TimeProvider time, ILeaseStore? leases = null,
    BootTelemetry? telemetry = null, Scripts.ScriptRunner? scripts = null)
{
    private static readonly TimeSpan MalformedLogInterval = TimeSpan.FromMinutes(1);

    private readonly MalformedLogLimiter _malformed = new(time, MalformedLogInterval);

    private readonly DhcpRateGate _rateGate = new(logger, time);

    private readonly TaskCompletionSource _listening = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes once every socket is bound (or there is nothing to listen on); faults if one cannot be bound.
    /// Privileges are dropped only after this.</summary>
    public Task Listening => _listening.Task;

    /// <summary>Opens the sockets and serves until cancelled, on a fixed set of interfaces.</summary>
    public Task RunAsync(ImmutableArray<HostInterface> hostInterfaces, CancellationToken cancellationToken) =>
        RunAsync(InterfaceAddresses.Fixed(hostInterfaces), cancellationToken);

    /// <summary>Opens the sockets and serves until cancelled. A socket pair (67, and 4011 with PXE) is opened on every
    /// interface allowed by <c>interface</c>/<c>except-interface</c> that is up and has an address in a <c>dhcp-range</c>
    /// subnet, now or whenever <paramref name="addresses"/> says so later (an interface created, brought up or given an
    /// address after start; not under <c>bind-interfaces</c> for interfaces absent at start), and closed when its
    /// interface is gone. The address each answers as follows <paramref name="addresses"/> (a DHCP-assigned server
    /// address may change). The sockets of the first reading are opened before this method first awaits, so that they
    /// live in the caller's network namespace.</summary>
    public async Task RunAsync(InterfaceAddresses addresses, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(addresses);
        var snapshot = config.Current;
        if (snapshot.Ranges.IsEmpty)
        {
            // Nothing to answer anywhere (a TFTP- or HTTP-only server).
            _listening.TrySetResult();
            return;
        }
        var policy = InterfacePolicy.Create(snapshot.Interfaces, addresses.Initial);
        var loops = new List<Task>();
        var listeners = new InterfaceListeners<DhcpListener>(
            nic => nic.IsUp && Qualifies(policy, config.Current, nic, addresses.Current),
            (nic, report) => Open(nic, report, addresses, loops, cancellationToken),
            (_, listener) => Close(listener));
        // On a change: sockets for interfaces that now qualify, none for those gone; then resolve at once, so the log says
        // what the server now answers as before the next client asks.
        void OnAddressesChanged(InterfaceReading reading)
        {
            listeners.Update(reading);
            foreach (var listener in listeners.Listeners)
            {
                listener.Serving.Resolve(config.Current);
            }
        }
        using var stopMaintenance = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var maintenance = leases is null
            ? Task.CompletedTask
            : new LeaseMaintenance(leases, snapshot, logger, time, scripts).RunAsync(stopMaintenance.Token);
        // Opened here, before any await, so that it lives in the same network namespace as the DHCP sockets.
        using var ping = OpenPingCheck(snapshot);
        _ping = ping;
        try
        {
            listeners.Update(addresses.Current, throwOnFailure: true);
            addresses.Changed += OnAddressesChanged;
            // A change between the first reading and the subscription is not lost: read again.
            listeners.Update(addresses.Current);
            if (listeners.Count == 0)
            {
                Log.NoDhcpInterface(logger, Describe(addresses.Current));
            }
            _listening.TrySetResult();
            await WaitForCancellation(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            _listening.TrySetException(e);
            throw;
        }
        finally
        {
            addresses.Changed -= OnAddressesChanged;
            listeners.Stop();
            Task[] running;
            lock (loops)
            {
                running = [.. loops];
            }
            await Task.WhenAll(running).ConfigureAwait(false);
            // No verdict may reach a closed DHCP socket.
            _ping = null;
            ping?.Dispose();
            await stopMaintenance.CancelAsync().ConfigureAwait(false);
            await maintenance.ConfigureAwait(false);
        }
    }

    private static async Task WaitForCancellation(CancellationToken cancellationToken)
    {
        try
        {
            await Task.Delay(Timeout.Infinite, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>An interface with an address in a range's subnet, or a <c>bridge-interface</c> alias of one. As in dnsmasq
    /// (which renames the arrival interface before its interface checks), the alias is allowed by the bridge interface's
    /// name; under <c>bind-interfaces</c> it must still have been present at start.</summary>
    private static bool Qualifies(InterfacePolicy policy, Configuration.Model.ServerConfig config, HostInterface nic, InterfaceReading reading) =>
        InterfaceSelection.ServedAs(config, nic, reading) is { } served
        && policy.IsCandidate(nic) && policy.Covers(served)
        && InterfaceSelection.ServingAddress(config, served) is not null;

    private static string Describe(InterfaceReading reading) =>
        string.Join(", ", reading.Interfaces.Where(i => i.IsUp).Select(i => $"{i.Name} {string.Join(' ', i.Addresses.Select(a => a.Address))}".TrimEnd()));

    /// <summary>The sockets of one interface (67, and 4011 when PXE is on), each served by its own thread until
    /// <see cref="Close"/> or the service stops.</summary>
    private sealed class DhcpListener(ServingInterface serving, CancellationTokenSource stop)
    {
        public ServingInterface Serving { get; } = serving;

        /// <summary>Not linked to the service's token (nothing to unregister when an interface goes): each loop links both.</summary>
        public CancellationTokenSource Stop { get; } = stop;
    }

    private DhcpListener Open(HostInterface nic, bool report, InterfaceAddresses addresses, List<Task> loops, CancellationToken cancellationToken)
    {
        var snapshot = config.Current;
        // Asked just before (qualifies); only a reload in between could change the answer.
        var served = InterfaceSelection.ServingAddress(snapshot, nic, addresses.Current)
            ?? throw new InvalidOperationException($"{nic.Name} has no address in a dhcp-range subnet any more");
        var arrival = new ArrivalInterface(nic.Name, nic.Index, served.Address, served.Netmask, nic.Mtu);
        var serving = new ServingInterface(arrival, addresses);
        var ports = snapshot.IsPxeEnabled ? new[] { snapshot.DhcpServerPort, DhcpRequest.PxePort } : [snapshot.DhcpServerPort];
        var sockets = new List<Socket>();
        try
        {
            foreach (var port in ports)
            {
                sockets.Add(BoundUdpSocket.Open(logger, report, nic.Name, port, allowBroadcast: true));
            }
        }
        catch
        {
            foreach (var opened in sockets)
            {
                opened.Dispose();
            }
            throw;
        }
        var stop = new CancellationTokenSource();
        serving.AddressChanged += ReportAddressChange;
        for (var i = 0; i < sockets.Count; i++)
        {
            var socket = sockets[i];
            var port = (ushort)ports[i];
            Log.Listening(logger, port == DhcpRequest.PxePort ? "PXE boot server" : "DHCP", nic.Name, served.Address.ToString(), port);
            var loop = Task.Factory.StartNew(() => ServeUntilStopped(socket, serving, arrival, port, cancellationToken, stop.Token),
                CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
            lock (loops)
            {
                loops.RemoveAll(t => t.IsCompleted);
                loops.Add(loop);
            }
        }
        return new DhcpListener(serving, stop);
    }

    private void Close(DhcpListener listener)
    {
        listener.Serving.AddressChanged -= ReportAddressChange;
        RuntimeLog.StoppedListening(logger, "DHCP", listener.Serving.Name);
        // The loops see it within IdleWakeMilliseconds and close their sockets.
        listener.Stop.Cancel();
    }

    private void ServeUntilStopped(Socket socket, ServingInterface serving, ArrivalInterface arrival, ushort localPort,
        CancellationToken service, CancellationToken listener)
    {
        using (socket)
        using (var stop = CancellationTokenSource.CreateLinkedTokenSource(service, listener))
        {
            ServeBatches(socket, serving, arrival, localPort, stop.Token);
        }
    }

    private void ReportAddressChange(ServingInterface nic, ArrivalInterface? now)
    {
        if (now is null)
        {
            RuntimeLog.ServingAddressLost(logger, "DHCP", nic.Name);
        }
        else
        {
            RuntimeLog.ServingAddressChanged(logger, "DHCP", nic.Name, now.Address.ToString());
        }
    }

    private PingCheck? _ping;

    /// <summary>The ping check when leases are served without <c>no-ping</c> (dnsmasq's default); without an ICMP socket
    /// the service says so and offers without it.</summary>
    private PingCheck? OpenPingCheck(Configuration.Model.ServerConfig snapshot)
    {
        if (leases is null || snapshot.NoPing || snapshot.Ranges.All(r => r.Mode != Configuration.Model.DhcpRangeMode.Dynamic))
        {
            return null;
        }
        var ping = PingCheck.Open(time, out var failure);
        if (ping is null)
        {
            LeaseLog.PingUnavailable(logger, failure ?? "unknown error");
        }
        return ping;
    }

    /// <summary>RFC 2131 §4.1: a client without an address cannot answer ARP for its new one: put chaddr in the ARP cache
    /// for yiaddr first (dnsmasq does); if the kernel refuses, broadcast on the arrival interface instead.</summary>
    private IPv4Address? Address(Socket socket, Outgoing reply, ArrivalInterface arrival) =>
        reply.Destination.RequiresArpEntry && !TryAddArpEntry(socket, arrival, reply.Destination, reply.Client)
            ? IPv4Address.Broadcast
            : reply.Destination.Address;

    /// <param name="Probe">Ping this address before sending (see <see cref="DhcpOutcome.ProbeFirst"/>).</param>
    /// <param name="Delay"><c>dhcp-reply-delay</c> (<see cref="SendReply.Delay"/>).</param>
    private readonly record struct Outgoing(int Length, ReplyDestination Destination, HardwareAddress Client, Task Durable, IPv4Address? Probe = null,
        TimeSpan Delay = default);

    /// <summary>Receive → admit → decide → commit for one datagram; the reply encoded into <paramref name="sendBuffer"/>.
    /// <paramref name="admit"/>: false for a DISCOVER decided again after its ping check (admitted once already).</summary>
    private Outgoing? Handle(
        ReadOnlySpan<byte> datagram, IPv4Address sourceAddress, ushort sourcePort, ArrivalInterface arrival, ushort localPort, Span<byte> sendBuffer,
        bool admit)
    {
        if (!DhcpMessageDecoder.TryDecode(datagram, out var message, out var error))
        {
            if (_malformed.ShouldLog(sourceAddress))
            {
                Log.Malformed(logger, $"{sourceAddress}:{sourcePort}", arrival.Name, error.ToString(), (int)MalformedLogInterval.TotalMinutes);
            }
            telemetry?.DhcpDropped("malformed");
            return null;
        }
        if (message.Operation != BootOperation.BootRequest)
        {
            telemetry?.DhcpDropped("not_a_request");
            return null;
        }
        if (ClientIdentity.Malformation(message.HardwareType, message.HardwareAddressLength) is { } malformation)
        {
            // No lease, lease-file line, script call or rate bucket for a client without a usable hardware address.
            if (_malformed.ShouldLog(sourceAddress))
            {
                Log.Malformed(logger, $"{sourceAddress}:{sourcePort}", arrival.Name, malformation, (int)MalformedLogInterval.TotalMinutes);
            }
            telemetry?.DhcpDropped("malformed");
            return null;
        }
        var (snapshot, generation) = config.Versioned;
        var request = new DhcpRequest(message, arrival, sourceAddress, sourcePort, localPort);
        // Admission before the decision and outside the lease store's lock: the gate has its own lock, and asks the store
        // only whether the client holds a lease.
        if (admit && !Admit(request, snapshot))
        {
            telemetry?.DhcpDropped("rate_limited");
            return null;
        }
        if (leases is not null)
        {
            // Deferred: the batch loop commits once for every datagram of the batch (ServeBatches).
            var notes = Volatile.Read(ref _poolFull).For(generation);
            var leased = leases.ExecuteDeferred(view => DhcpEngine.Decide(request, snapshot, view, time.GetUtcNow(), notes));
            if (!leased.Outcome.PoolFull.IsDefaultOrEmpty)
            {
                RecordPoolFull(generation, leased.Outcome.PoolFull);
            }
            telemetry?.DhcpDecided(request, leased.Outcome.Decision, hasLeaseStore: true, leased.Outcome.Change is null ? null : leased.Durable);
            if (leased.Outcome.Change is not null || leased.Outcome.Decision is SendReply { Message.YourAddress.IsZero: false } or SendReply { Message.MessageType: DhcpMessageType.Nak })
            {
                return HandleLeased(request, snapshot, leased, sendBuffer);
            }
            return Respond(request, snapshot, leased.Outcome.Decision, sendBuffer);
        }
        var decision = DhcpEngine.Decide(request, snapshot);
        telemetry?.DhcpDecided(request, decision, hasLeaseStore: false);
        return Respond(request, snapshot, decision, sendBuffer);
    }

    /// <summary>What the engine found of full ranges (<see cref="DhcpOutcome.PoolFull"/>), for the next decisions: keyed
    /// by range, server address and lease-table version, for one configuration generation (a reload starts afresh).</summary>
    private PoolFullNotes _poolFull = PoolFullNotes.None;

    private void RecordPoolFull(long generation, ImmutableArray<PoolFull> learned)
    {
        // Receive threads may race: a lost note only costs one more scan.
        var current = Volatile.Read(ref _poolFull);
        Interlocked.CompareExchange(ref _poolFull, current.With(generation, learned), current);
    }

    /// <summary>The <c>dhcp-rate-limit</c> gate. A client is known by a <c>dhcp-host</c> or by a lease (any state):
    /// the store is asked that alone, under its lock, and the gate decides under its own.</summary>
    private bool Admit(DhcpRequest request, Configuration.Model.ServerConfig snapshot)
    {
        if (snapshot.DhcpRateLimit.IsOff)
        {
            return true;
        }
        var identity = ClientIdentity.Of(request.Message);
        var known = DhcpAdmission.IsKnown(request.Message, snapshot, null) || leases?.HasLease(identity) == true;
        return _rateGate.Admit(request.Interface.Name, request.LocalPort, snapshot.DhcpRateLimit, identity, known);
    }

    /// <summary>A full-DHCP decision: logged as dnsmasq does (<c>DHCPACK(eth1) 192.168.67.20 52:54:…</c>).</summary>
    private Outgoing? HandleLeased(DhcpRequest request, Configuration.Model.ServerConfig snapshot, LeaseDecision leased, Span<byte> sendBuffer)
    {
        var message = request.Message;
        var client = message.ClientHardwareAddress;
        switch (leased.Outcome.Decision)
        {
            case SendReply reply:
                LogExchange(snapshot.LogDhcp, message, reply, reply);
                if (logger.IsEnabled(LogLevel.Information))
                {
                    // Built only when the line is written: at Warning the hot path formats nothing.
                    LogAnswer(snapshot.LogDhcp, request, reply);
                }
                var length = DhcpMessageEncoder.Encode(
                    reply.Message, sendBuffer, new DhcpEncodeOptions(reply.MaximumLength, reply.AllowOverload), out _);
                var mustWait = leased.Outcome.Change is { MustBeDurableBeforeReply: true };
                return new Outgoing(length, reply.Destination, client, mustWait ? leased.Durable : Task.CompletedTask, leased.Outcome.ProbeFirst, reply.Delay);
            case NoReply none:
                if (none.Lease is null)
                {
                    // No lease values (not the full-DHCP path's): the generic no-reply line.
                    Respond(request, snapshot, none, sendBuffer);
                }
                else if (logger.IsEnabled(LogLevel.Information))
                {
                    LogRecorded(snapshot.LogDhcp, request, none.Lease);
                }
                if (!leased.Durable.IsCompleted)
                {
                    // A change without a reply (RELEASE, DECLINE): no reply will ask for the commit, so ask now.
                    leases!.CommitDeferred(static () => { });
                }
                return null;
            default:
                return null;
        }
    }

    /// <summary>Event 1301 (1311 with log-dhcp), or 1312/1313 when the client named another server.</summary>
    private void LogRecorded(bool verbose, DhcpRequest request, LeaseSilence silence)
    {
        var message = request.Message;
        var type = message.MessageType is { } t ? "DHCP" + t.ToString().ToUpperInvariant() : "BOOTP";
        var @interface = request.Interface.Name;
        var address = silence.Address.ToString();
        var hardware = message.ClientHardwareAddress.ToString();
        switch (verbose, silence.Reason)
        {
            case (true, LeaseSilenceReason.WrongServer):
                LeaseLog.RecordedForServerVerbose(logger, message.TransactionId, type, @interface, address, hardware, silence.Reason, silence.Server.ToString());
                break;
            case (false, LeaseSilenceReason.WrongServer):
                LeaseLog.RecordedForServer(logger, type, @interface, address, hardware, silence.Reason, silence.Server.ToString());
                break;
            case (true, _):
                LeaseLog.RecordedVerbose(logger, message.TransactionId, type, @interface, address, hardware, silence.Reason);
                break;
            default:
                LeaseLog.Recorded(logger, type, @interface, address, hardware, silence.Reason);
                break;
        }
    }

    private Outgoing? Respond(DhcpRequest request, Configuration.Model.ServerConfig snapshot, Decision decision, Span<byte> sendBuffer)
    {
        var message = request.Message;
        switch (decision)
        {
            case SendReply reply:
                LogExchange(snapshot.LogDhcp, message, reply, decision);
                if (logger.IsEnabled(LogLevel.Information))
                {
                    LogAnswer(snapshot.LogDhcp, request, reply);
                }
                var length = DhcpMessageEncoder.Encode(
                    reply.Message, sendBuffer, new DhcpEncodeOptions(reply.MaximumLength, reply.AllowOverload), out _);
                return new Outgoing(length, reply.Destination, message.ClientHardwareAddress, Task.CompletedTask, Delay: reply.Delay);
            case NoReply none:
                LogNotAnswered(snapshot.LogDhcp && none.Reason != NoReplyReason.RequestOnServerPort, request, none);
                return null;
            default:
                return null;
        }
    }

    private void LogExchange(bool verbose, DhcpMessage request, SendReply reply, Decision decision)
    {
        if (!verbose)
        {
            return;
        }
        var xid = request.TransactionId;
        LogRequestDetails(request, decision);
        var message = reply.Message;
        if (message.BootFileName.Length > 0)
        {
            Log.BootFileName(logger, xid, message.BootFileName);
        }
        if (!message.ServerAddress.IsZero)
        {
            Log.NextServer(logger, xid, message.ServerAddress.ToString());
        }
        foreach (var option in message.Options)
        {
            Log.OptionSent(logger, xid, option.Data.Length, (byte)option.Code, OptionLogText.Name(option), OptionLogText.Value(option));
        }
    }

    private bool _arpFailureLogged;

    private bool TryAddArpEntry(Socket socket, ArrivalInterface arrival, ReplyDestination destination, HardwareAddress client)
    {
        if (ArpCache.TrySet(socket, arrival.Name, destination.Address, client.HardwareType, client.Bytes.AsSpan(), out var error))
        {
            return true;
        }
        if (!_arpFailureLogged)
        {
            _arpFailureLogged = true;
            LeaseLog.ArpFailed(logger, destination.Address.ToString(), arrival.Name, error);
        }
        return false;
    }
}

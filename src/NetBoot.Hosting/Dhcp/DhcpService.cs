using System.Collections.Immutable;
using System.Globalization;
using System.Net;
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
public sealed class DhcpService(ConfigSnapshot config, ILogger<DhcpService> logger, TimeProvider time, ILeaseStore? leases = null,
    BootTelemetry? telemetry = null, Scripts.ScriptRunner? scripts = null)
{
    private static readonly TimeSpan MalformedLogInterval = TimeSpan.FromMinutes(1);

    private readonly MalformedLogLimiter _malformed = new(time, MalformedLogInterval);

    private readonly DhcpRateGate _rateGate = new(logger, time);

    /// <summary>The outcome of a request shed by <c>dhcp-rate-limit</c> (compared by reference; never logged per packet).</summary>
    private static readonly DhcpOutcome s_shed = new(new NoReply(NoReplyReason.NotForUs, "rate limited"));

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
            nic => nic.IsUp && policy.Covers(nic) && InterfaceSelection.ServingAddress(config.Current, nic) is not null,
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
        var served = InterfaceSelection.ServingAddress(snapshot, nic)
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

    /// <summary>How at most many addresses one DISCOVER may try when each answers ping; then it gets no reply (the
    /// client retries, and the quarantined addresses are skipped).</summary>
    private const int MaximumProbes = 4;

    /// <summary>A DISCOVER whose OFFER waits for the ping check of its address.</summary>
    private sealed record Probing(
        Socket Socket, ArrivalInterface Arrival, ushort LocalPort, byte[] Datagram, IPv4Address SourceAddress, ushort SourcePort,
        HardwareAddress Client, IPv4Address Address, byte[] Reply, IPv4Address ReplyAddress, ushort ReplyPort, int Attempt);

    /// <summary>Pings the candidate; when the checker already has <see cref="PingCheck.MaxPending"/> probes waiting, the
    /// DISCOVER is dropped instead (counted; the client retries), never offered unchecked.</summary>
    private void StartProbe(PingCheck ping, Probing probing)
    {
        if (!ping.Probe(probing.Address, inUse => OnProbed(ping, probing, inUse)))
        {
            telemetry?.DhcpDropped("ping_check_busy");
        }
    }

    /// <summary>The ping check's verdict, on its thread: no answer, the OFFER leaves; an answer, the address is quarantined
    /// and the DISCOVER decided again (another address, probed in turn).</summary>
    private void OnProbed(PingCheck ping, Probing probing, bool inUse)
    {
        try
        {
            if (!inUse)
            {
                probing.Socket.SendTo(probing.Reply, new IPEndPoint(probing.ReplyAddress.ToIPAddress(), probing.ReplyPort));
                return;
            }
            var verdict = leases!.Execute(view => FullDhcpResponder.AddressInUse(view, probing.Address, probing.Client, time.GetUtcNow()));
            if (verdict.Outcome.Change is null)
            {
                // Bound meanwhile (the client retried its DISCOVER and took the address): the answer was its own.
                return;
            }
            LeaseLog.AddressInUse(logger, probing.Address.ToString(), probing.Client.ToString(), (int)FullDhcpResponder.InUseQuarantine.TotalMinutes);
            var buffer = new byte[DatagramBatch.BufferSize];
            if (Handle(probing.Datagram, probing.SourceAddress, probing.SourcePort, probing.Arrival, probing.LocalPort, buffer) is not { } reply
                || Address(probing.Socket, reply, probing.Arrival) is not { } address)
            {
                return;
            }
            if (!reply.Durable.IsCompleted)
            {
                // Not expected for a DISCOVER; a change decided on this thread must still be committed before its reply.
                leases!.CommitDeferred(static () => { });
                reply.Durable.GetAwaiter().GetResult();
            }
            if (reply.Probe is { } next)
            {
                if (probing.Attempt + 1 < MaximumProbes)
                {
                    StartProbe(ping, probing with { Address = next, Reply = buffer[..reply.Length], ReplyAddress = address, ReplyPort = reply.Destination.Port, Attempt = probing.Attempt + 1 });
                }
                return;
            }
            probing.Socket.SendTo(buffer.AsSpan(0, reply.Length), new IPEndPoint(address.ToIPAddress(), reply.Destination.Port));
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            Log.HandlerFailed(logger, e, $"{probing.SourceAddress}:{probing.SourcePort}", probing.Arrival.Name);
        }
    }

    /// <summary>How often an idle receive loop looks at its cancellation token.</summary>
    private const int IdleWakeMilliseconds = 200;

    /// <summary>One socket's loop, on its own thread: receive every datagram waiting (recvmmsg), decide and encode each,
    /// send the replies that need nothing durable (offers, proxy replies) at once (sendmmsg), and hand the batch's ACKs to
    /// a <see cref="DurableReplies"/> that the store's writer thread sends right after the group commit that made their
    /// leases durable. The loop never waits for the disk: while one commit's fsync runs it receives the next batches,
    /// whose changes share the next commit. No thread-pool hop at all on this path.</summary>
    private void ServeBatches(Socket socket, ServingInterface serving, ArrivalInterface arrival, ushort localPort, CancellationToken cancellationToken)
    {
        using var batch = new DatagramBatch(socket);
        using var durable = new DurableReplies(socket, arrival, logger, telemetry);
        using var delayed = new DelayedReplies(time, (to, why) => Log.SendFailed(logger, to, arrival.Name, why));
        var replies = new Outgoing[DatagramBatch.Capacity];
        var origins = new int[DatagramBatch.Capacity];
        while (!cancellationToken.IsCancellationRequested)
        {
            int received;
            try
            {
                received = batch.Receive(IdleWakeMilliseconds);
            }
            catch (SocketException e)
            {
                LeaseLog.ReceiveFailed(logger, arrival.Name, localPort, e.Message);
                Thread.Sleep(IdleWakeMilliseconds);
                continue;
            }
            if (received == 0)
            {
                continue;
            }
            // The address this interface answers as, once per batch (it follows address changes).
            if (serving.Resolve(config.Current) is not { } current)
            {
                if (serving.ShouldReportSilence())
                {
                    RuntimeLog.NotAnsweringWithoutAddress(logger, "DHCP", serving.Name, $"{batch.SourceAddress(0)}:{batch.SourcePort(0)}");
                }
                continue;
            }
            var count = 0;
            for (var i = 0; i < received; i++)
            {
                var sourceAddress = batch.SourceAddress(i);
                var sourcePort = batch.SourcePort(i);
                try
                {
                    if (Handle(batch.Datagram(i), sourceAddress, sourcePort, current, localPort, batch.SendBuffer(count)) is { } reply)
                    {
                        origins[count] = i;
                        replies[count++] = reply;
                    }
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    // A bug must not take the service down for every other client: log it loudly and go on.
                    Log.HandlerFailed(logger, e, $"{sourceAddress}:{sourcePort}", arrival.Name);
                    telemetry?.DhcpDropped("internal_error");
                }
            }
            for (var slot = 0; slot < count; slot++)
            {
                var reply = replies[slot];
                replies[slot] = default;
                if (Address(socket, reply, arrival) is not { } address)
                {
                    continue;
                }
                if (reply.Probe is { } probe && _ping is { } ping)
                {
                    var origin = origins[slot];
                    var probing = new Probing(socket, current, localPort, batch.Datagram(origin).ToArray(), batch.SourceAddress(origin),
                        batch.SourcePort(origin), reply.Client, probe, batch.SendBuffer(slot)[..reply.Length].ToArray(), address,
                        reply.Destination.Port, Attempt: 0);
                    // dhcp-reply-delay: the probe starts when the delay is over (dnsmasq pings first, then waits out the rest).
                    if (reply.Delay > TimeSpan.Zero)
                    {
                        delayed.After(reply.Delay, () => StartProbe(ping, probing));
                    }
                    else
                    {
                        StartProbe(ping, probing);
                    }
                }
                else if (reply.Delay > TimeSpan.Zero)
                {
                    if (!reply.Durable.IsCompleted)
                    {
                        // A rapid-commit ACK: no durable group will ask for this commit, so ask now.
                        leases?.CommitDeferred(static () => { });
                    }
                    delayed.Send(socket, batch.SendBuffer(slot)[..reply.Length], address, reply.Destination.Port, reply.Delay, reply.Durable);
                }
                else if (reply.Durable.IsCompletedSuccessfully)
                {
                    batch.Queue(slot, reply.Length, address, reply.Destination.Port);
                }
                else
                {
                    durable.Add(batch.SendBuffer(slot)[..reply.Length], address, reply.Destination.Port, reply.Durable);
                }
            }
            batch.Flush((index, error) =>
            {
                Log.SendFailed(logger, batch.Destination(index), arrival.Name, new SocketException(error).Message);
                telemetry?.DhcpDropped("send_failed");
            });
            if (durable.HasWaiting && leases is not null)
            {
                durable.SendWhenDurable(leases);
            }
        }
        durable.WaitForInFlight(TimeSpan.FromSeconds(5));
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

    private Outgoing? Handle(
        ReadOnlySpan<byte> datagram, IPv4Address sourceAddress, ushort sourcePort, ArrivalInterface arrival, ushort localPort, Span<byte> sendBuffer)
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
        var snapshot = config.Current;
        var request = new DhcpRequest(message, arrival, sourceAddress, sourcePort, localPort);
        if (leases is not null)
        {
            // Deferred: the batch loop commits once for every datagram of the batch (ServeBatches). The rate gate asks
            // the lease view whether the client is known, so it runs inside the same decision.
            var leased = leases.ExecuteDeferred(view => Admit(request, snapshot, view)
                ? DhcpEngine.Decide(request, snapshot, view, time.GetUtcNow())
                : s_shed);
            if (ReferenceEquals(leased.Outcome, s_shed))
            {
                telemetry?.DhcpDropped("rate_limited");
                return null;
            }
            telemetry?.DhcpDecided(request, leased.Outcome.Decision, hasLeaseStore: true, leased.Outcome.Change is null ? null : leased.Durable);
            if (leased.Outcome.Change is not null || leased.Outcome.Decision is SendReply { Message.YourAddress.IsZero: false } or SendReply { Message.MessageType: DhcpMessageType.Nak })
            {
                return HandleLeased(request, snapshot, leased, sendBuffer);
            }
            return Respond(request, snapshot, leased.Outcome.Decision, sendBuffer, localPort);
        }
        if (!Admit(request, snapshot, null))
        {
            telemetry?.DhcpDropped("rate_limited");
            return null;
        }
        var decision = DhcpEngine.Decide(request, snapshot);
        telemetry?.DhcpDecided(request, decision, hasLeaseStore: false);
        return Respond(request, snapshot, decision, sendBuffer, localPort);
    }

    private bool Admit(DhcpRequest request, Configuration.Model.ServerConfig snapshot, ILeaseView? view) =>
        snapshot.DhcpRateLimit.IsOff || _rateGate.Admit(request.Interface.Name, request.LocalPort, snapshot.DhcpRateLimit,
            ClientIdentity.Of(request.Message), DhcpAdmission.IsKnown(request.Message, snapshot, view));

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
                    var type = "DHCP" + (reply.Message.MessageType?.ToString().ToUpperInvariant() ?? "REPLY");
                    var hostName = ExchangeText.OptionText(reply.Message, DhcpOptionCode.HostName) ?? "";
                    if (snapshot.LogDhcp)
                    {
                        LeaseLog.ReplyVerbose(logger, message.TransactionId, type, request.Interface.Name, reply.Summary, client.ToString(), hostName);
                    }
                    else
                    {
                        LeaseLog.Reply(logger, type, request.Interface.Name, reply.Summary, client.ToString(), hostName);
                    }
                }
                var length = DhcpMessageEncoder.Encode(
                    reply.Message, sendBuffer, new DhcpEncodeOptions(reply.MaximumLength, reply.AllowOverload), out _);
                var mustWait = leased.Outcome.Change is { MustBeDurableBeforeReply: true };
                return new Outgoing(length, reply.Destination, client, mustWait ? leased.Durable : Task.CompletedTask, leased.Outcome.ProbeFirst, reply.Delay);
            case NoReply none:
                if (snapshot.LogDhcp)
                {
                    LeaseLog.RecordedVerbose(logger, message.TransactionId, none.Detail);
                }
                else
                {
                    LeaseLog.Recorded(logger, none.Detail);
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

    private Outgoing? Respond(DhcpRequest request, Configuration.Model.ServerConfig snapshot, Decision decision, Span<byte> sendBuffer, ushort localPort)
    {
        var message = request.Message;
        var arrival = request.Interface;
        var kind = localPort == DhcpRequest.PxePort || decision is SendReply { Message.YourAddress.IsZero: true } ? "PXE" : "DHCP";
        var client = message.ClientHardwareAddress.ToString();
        switch (decision)
        {
            case SendReply reply:
                LogExchange(snapshot.LogDhcp, message, reply, decision);
                if (logger.IsEnabled(LogLevel.Information))
                {
                    if (snapshot.LogDhcp)
                    {
                        Log.RepliedVerbose(logger, message.TransactionId, kind, arrival.Name, ClientText(message, localPort), reply.Summary, ExchangeText.Asked(message, localPort));
                    }
                    else
                    {
                        Log.Replied(logger, kind, arrival.Name, ClientText(message, localPort), reply.Summary, ExchangeText.Asked(message, localPort));
                    }
                }
                var length = DhcpMessageEncoder.Encode(
                    reply.Message, sendBuffer, new DhcpEncodeOptions(reply.MaximumLength, reply.AllowOverload), out _);
                return new Outgoing(length, reply.Destination, message.ClientHardwareAddress, Task.CompletedTask, Delay: reply.Delay);
            case NoReply none when snapshot.LogDhcp && none.Reason != NoReplyReason.RequestOnServerPort:
                Log.NotAnsweredVerbose(logger, message.TransactionId, kind, arrival.Name, client, none.Detail, ExchangeText.Asked(message, localPort));
                return null;
            case NoReply none:
                Log.NotAnswered(logger, kind, arrival.Name, client, none.Detail, ExchangeText.Asked(message, localPort));
                return null;
            default:
                return null;
        }
    }

    /// <summary>dnsmasq logs boot-server replies with the client's address before its MAC.</summary>
    private static string ClientText(DhcpMessage request, ushort localPort) =>
        localPort == DhcpRequest.PxePort && !request.ClientAddress.IsZero
            ? $"{request.ClientAddress} {request.ClientHardwareAddress}"
            : request.ClientHardwareAddress.ToString();

    private void LogExchange(bool verbose, DhcpMessage request, SendReply reply, Decision decision)
    {
        if (!verbose)
        {
            return;
        }
        var xid = request.TransactionId;
        // The client's text, escaped (ExchangeText.OptionText): a newline in option 60 or 77 cannot forge a line.
        if (ExchangeText.OptionText(request, DhcpOptionCode.VendorClassIdentifier) is { } vendorClass)
        {
            Log.VendorClass(logger, xid, vendorClass);
        }
        if (request.Options.TryGet(DhcpOptionCode.UserClass, out var userClass))
        {
            // iPXE's RFC 3004 form "\x04iPXE" reads as "iPXE", as it did before.
            Log.UserClass(logger, xid, LogText.Escape(userClass.AsSpan().Trim((ReadOnlySpan<byte>)[4, 0])));
        }
        if (!decision.Tags.IsDefaultOrEmpty)
        {
            Log.Tags(logger, xid, decision.Tags);
        }
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

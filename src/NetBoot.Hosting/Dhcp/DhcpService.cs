using System.Collections.Immutable;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using System.Threading.Channels;
using NetBoot.Engine;
using NetBoot.Engine.Leases;
using NetBoot.Engine.Limits;
using NetBoot.Hosting.Net;
using NetBoot.Hosting.Status;
using NetBoot.Leases;
using NetBoot.Hosting.Telemetry;
using NetBoot.Hosting.Udp;
using NetBoot.Wire.Dhcp;
using NetBoot.Wire.Net;

namespace NetBoot.Hosting.Dhcp;

/// <summary>Receives DHCP on port 67 and PXE boot-server requests on 4011 on each serving interface, asks the
/// engine, sends the reply. The only place that touches DHCP sockets. With a lease store, networks with an owned
/// <c>dhcp-range</c> get full DHCP: the decision runs against the store, and a reply that depends on a lease change
/// (an ACK) leaves only once that change is durable.</summary>
public sealed class DhcpService(ConfigSnapshot config, ILogger<DhcpService> logger, TimeProvider time, ILeaseStore? leases = null,
    BootTelemetry? telemetry = null)
{
    private static readonly TimeSpan MalformedLogInterval = TimeSpan.FromMinutes(1);

    /// <summary>ACKs waiting for their lease to be durable, per socket, at most.</summary>
    private const int MaximumDeferredReplies = 4096;

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

    /// <summary>Opens the sockets and serves until cancelled. Sockets are chosen from the interfaces at start-up; the
    /// address each answers as follows <paramref name="addresses"/> (a DHCP-assigned server address may change).</summary>
    public async Task RunAsync(InterfaceAddresses addresses, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(addresses);
        var snapshot = config.Current;
        var hostInterfaces = addresses.Current.Interfaces;
        var interfaces = InterfaceSelection.ForDhcp(snapshot, hostInterfaces);
        if (interfaces.IsEmpty)
        {
            Log.NoDhcpInterface(logger, string.Join(", ", hostInterfaces.Select(i => $"{i.Name} {string.Join(' ', i.Addresses.Select(a => a.Address))}")));
            _listening.TrySetResult();
            return;
        }
        var serving = interfaces.Select(arrival => new ServingInterface(arrival, addresses)).ToArray();
        foreach (var nic in serving)
        {
            nic.AddressChanged += ReportAddressChange;
        }
        // Resolve at once on a change, so the log says what the server now answers as before the next client asks.
        void OnAddressesChanged(InterfaceReading reading)
        {
            foreach (var nic in serving)
            {
                nic.Resolve(config.Current);
            }
        }
        addresses.Changed += OnAddressesChanged;
        var loops = new List<Task>();
        var sockets = new List<Socket>();
        using var stopMaintenance = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var maintenance = leases is null
            ? Task.CompletedTask
            : new LeaseMaintenance(leases, snapshot, logger, time).RunAsync(stopMaintenance.Token);
        try
        {
            for (var i = 0; i < interfaces.Length; i++)
            {
                var arrival = interfaces[i];
                var ports = snapshot.IsPxeEnabled ? new[] { snapshot.DhcpServerPort, DhcpRequest.PxePort } : [snapshot.DhcpServerPort];
                foreach (var port in ports)
                {
                    var service = port == DhcpRequest.PxePort ? "PXE boot server" : "DHCP";
                    var socket = BoundUdpSocket.OpenListener(logger, service, arrival.Name, arrival.Address.ToString(), port, allowBroadcast: true);
                    sockets.Add(socket);
                    loops.Add(ReceiveLoopAsync(socket, serving[i], arrival, (ushort)port, cancellationToken));
                }
            }
            _listening.TrySetResult();
            await Task.WhenAll(loops).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            _listening.TrySetException(e);
            throw;
        }
        finally
        {
            addresses.Changed -= OnAddressesChanged;
            await stopMaintenance.CancelAsync().ConfigureAwait(false);
            await maintenance.ConfigureAwait(false);
            foreach (var socket in sockets)
            {
                socket.Dispose();
            }
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

    private async Task ReceiveLoopAsync(Socket socket, ServingInterface serving, ArrivalInterface arrival, ushort localPort, CancellationToken cancellationToken)
    {
        var receiveBuffer = new byte[4096];
        var sendBuffer = new byte[4096];
        EndPoint any = new IPEndPoint(IPAddress.Any, 0);
        // Replies waiting for their lease to be durable: sent in order by their own loop, so receiving never waits on disk.
        // Bounded: if the disk stalls, replies beyond this are dropped (the client retries) instead of piling up in memory.
        var waiting = Channel.CreateBounded<DeferredReply>(new BoundedChannelOptions(MaximumDeferredReplies)
        {
            SingleReader = true, SingleWriter = true, FullMode = BoundedChannelFullMode.DropWrite,
        });
        var sender = SendWhenDurableAsync(waiting.Reader, socket, arrival, cancellationToken);
        try
        {
            await ReceiveAsync(socket, serving, localPort, receiveBuffer, sendBuffer, any, waiting.Writer, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            waiting.Writer.TryComplete();
            await sender.ConfigureAwait(false);
        }
    }

    private async Task ReceiveAsync(Socket socket, ServingInterface serving, ushort localPort, byte[] receiveBuffer, byte[] sendBuffer,
        EndPoint any, ChannelWriter<DeferredReply> waiting, CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            SocketReceiveMessageFromResult received;
            try
            {
                received = await socket.ReceiveMessageFromAsync(receiveBuffer, SocketFlags.None, any, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            var source = (IPEndPoint)received.RemoteEndPoint;
            if (serving.Resolve(config.Current) is not { } arrival)
            {
                if (serving.ShouldReportSilence())
                {
                    RuntimeLog.NotAnsweringWithoutAddress(logger, "DHCP", serving.Name, source.ToString());
                }
                continue;
            }
            try
            {
                var reply = Handle(receiveBuffer.AsSpan(0, received.ReceivedBytes), source, arrival, localPort, sendBuffer);
                if (reply is { } r && r.Durable.IsCompletedSuccessfully)
                {
                    await SendAsync(socket, sendBuffer.AsMemory(0, r.Length), r.Destination, r.Client, arrival, cancellationToken).ConfigureAwait(false);
                }
                else if (reply is { } deferred)
                {
                    if (!waiting.TryWrite(new DeferredReply(sendBuffer.AsSpan(0, deferred.Length).ToArray(), deferred.Destination, deferred.Client, deferred.Durable)))
                    {
                        telemetry?.DhcpDropped("ack_queue_full");
                    }
                }
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // A bug must not take the service down for every other client: log it loudly and go on.
                Log.HandlerFailed(logger, e, source.ToString(), arrival.Name);
                telemetry?.DhcpDropped("internal_error");
            }
        }
    }

    private async Task SendWhenDurableAsync(ChannelReader<DeferredReply> replies, Socket socket, ArrivalInterface arrival, CancellationToken cancellationToken)
    {
        try
        {
            await foreach (var reply in replies.ReadAllAsync(CancellationToken.None).ConfigureAwait(false))
            {
                try
                {
                    await reply.Durable.ConfigureAwait(false);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    // RFC 2131 §4.3.2 via DESIGN: an ACK is a promise; without a durable lease it is not sent.
                    LeaseLog.NotDurable(logger, reply.Destination.Address.ToString(), e.Message);
                    telemetry?.DhcpDropped("lease_not_durable");
                    continue;
                }
                if (!cancellationToken.IsCancellationRequested)
                {
                    await SendAsync(socket, reply.Bytes, reply.Destination, reply.Client, arrival, cancellationToken).ConfigureAwait(false);
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private readonly record struct Outgoing(int Length, ReplyDestination Destination, HardwareAddress Client, Task Durable);

    private sealed record DeferredReply(byte[] Bytes, ReplyDestination Destination, HardwareAddress Client, Task Durable);

    private Outgoing? Handle(
        ReadOnlySpan<byte> datagram, IPEndPoint source, ArrivalInterface arrival, ushort localPort, byte[] sendBuffer)
    {
        var sourceAddress = IPv4Address.FromIPAddress(source.Address);
        if (!DhcpMessageDecoder.TryDecode(datagram, out var message, out var error))
        {
            if (_malformed.ShouldLog(sourceAddress))
            {
                Log.Malformed(logger, source.ToString(), arrival.Name, error.ToString(), (int)MalformedLogInterval.TotalMinutes);
            }
            telemetry?.DhcpDropped("malformed");
            return null;
        }
        if (message.Operation != BootOperation.BootRequest)
        {
            telemetry?.DhcpDropped("not_a_request");
            return null;
        }
        var snapshot = config.Current;
        var request = new DhcpRequest(message, arrival, sourceAddress, (ushort)source.Port, localPort);
        if (leases is not null)
        {
            // The rate gate asks the lease view whether the client is known, so it runs inside the same decision.
            var leased = leases.Execute(view => Admit(request, snapshot, view)
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
            request.Message.ClientHardwareAddress, DhcpAdmission.IsKnown(request.Message, snapshot, view));

    /// <summary>A full-DHCP decision: logged as dnsmasq does (<c>DHCPACK(eth1) 192.168.67.20 52:54:…</c>).</summary>
    private Outgoing? HandleLeased(DhcpRequest request, Configuration.Model.ServerConfig snapshot, LeaseDecision leased, byte[] sendBuffer)
    {
        var message = request.Message;
        var prefix = snapshot.LogDhcp ? message.TransactionId.ToString(CultureInfo.InvariantCulture) + " " : "";
        var client = message.ClientHardwareAddress;
        switch (leased.Outcome.Decision)
        {
            case SendReply reply:
                LogExchange(snapshot.LogDhcp, message, reply, reply);
                var type = "DHCP" + (reply.Message.MessageType?.ToString().ToUpperInvariant() ?? "REPLY");
                var hostName = reply.Message.Options.TryGetString(DhcpOptionCode.HostName, out var name) ? name : "";
                LeaseLog.Reply(logger, prefix, type, request.Interface.Name, reply.Summary, client.ToString(), hostName);
                var length = DhcpMessageEncoder.Encode(
                    reply.Message, sendBuffer, new DhcpEncodeOptions(reply.MaximumLength, reply.AllowOverload), out _);
                var mustWait = leased.Outcome.Change is { MustBeDurableBeforeReply: true };
                return new Outgoing(length, reply.Destination, client, mustWait ? leased.Durable : Task.CompletedTask);
            case NoReply none:
                LeaseLog.Recorded(logger, prefix, none.Detail);
                return null;
            default:
                return null;
        }
    }

    private Outgoing? Respond(DhcpRequest request, Configuration.Model.ServerConfig snapshot, Decision decision, byte[] sendBuffer, ushort localPort)
    {
        var message = request.Message;
        var arrival = request.Interface;
        var kind = localPort == DhcpRequest.PxePort || decision is SendReply { Message.YourAddress.IsZero: true } ? "PXE" : "DHCP";
        var client = message.ClientHardwareAddress.ToString();
        var prefix = snapshot.LogDhcp ? message.TransactionId.ToString(CultureInfo.InvariantCulture) + " " : "";
        switch (decision)
        {
            case SendReply reply:
                LogExchange(snapshot.LogDhcp, message, reply, decision);
                Log.Replied(logger, prefix, kind, arrival.Name, ClientText(message, localPort), reply.Summary, ExchangeText.Asked(message, localPort));
                var length = DhcpMessageEncoder.Encode(
                    reply.Message, sendBuffer, new DhcpEncodeOptions(reply.MaximumLength, reply.AllowOverload), out _);
                return new Outgoing(length, reply.Destination, message.ClientHardwareAddress, Task.CompletedTask);
            case NoReply none when snapshot.LogDhcp && none.Reason != NoReplyReason.RequestOnServerPort:
                Log.NotAnsweredVerbose(logger, prefix, kind, arrival.Name, client, none.Detail, ExchangeText.Asked(message, localPort));
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
        if (request.Options.TryGetString(DhcpOptionCode.VendorClassIdentifier, out var vendorClass))
        {
            Log.Detail(logger, xid, "vendor class: " + vendorClass);
        }
        if (request.Options.TryGetString(DhcpOptionCode.UserClass, out var userClass))
        {
            Log.Detail(logger, xid, "user class: " + userClass.Trim('\u0004', '\0'));
        }
        if (!decision.Tags.IsDefaultOrEmpty)
        {
            Log.Detail(logger, xid, "tags: " + string.Join(", ", decision.Tags));
        }
        var message = reply.Message;
        if (message.BootFileName.Length > 0)
        {
            Log.Detail(logger, xid, "bootfile name: " + message.BootFileName);
        }
        if (!message.ServerAddress.IsZero)
        {
            Log.Detail(logger, xid, "next server: " + message.ServerAddress);
        }
        foreach (var option in message.Options)
        {
            Log.Detail(logger, xid, OptionLogText.Describe(option));
        }
    }

    private async Task SendAsync(Socket socket, ReadOnlyMemory<byte> bytes, ReplyDestination destination, HardwareAddress client,
        ArrivalInterface arrival, CancellationToken cancellationToken)
    {
        try
        {
            // RFC 2131 §4.1: a client without an address cannot answer ARP for its new one: put chaddr in the ARP cache
            // for yiaddr first (dnsmasq does); if the kernel refuses, broadcast on the arrival interface instead.
            var address = destination.RequiresArpEntry && !TryAddArpEntry(socket, arrival, destination, client)
                ? IPAddress.Broadcast
                : destination.Address.ToIPAddress();
            var endpoint = new IPEndPoint(address, destination.Port);
            await socket.SendToAsync(bytes, SocketFlags.None, endpoint, cancellationToken).ConfigureAwait(false);
        }
        catch (SocketException e)
        {
            Log.SendFailed(logger, destination.ToString(), arrival.Name, e.Message);
            telemetry?.DhcpDropped("send_failed");
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

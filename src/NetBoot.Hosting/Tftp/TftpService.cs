using System.Collections.Concurrent;
using System.Collections.Immutable;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using NetBoot.Configuration.Model;
using NetBoot.Engine.Tftp;
using NetBoot.Hosting.Net;
using NetBoot.Hosting.Status;
using NetBoot.Hosting.Telemetry;
using NetBoot.Hosting.Udp;
using NetBoot.Wire.Net;
using NetBoot.Wire.Rendering;
using NetBoot.Wire.Tftp;

namespace NetBoot.Hosting.Tftp;

/// <summary>Serves read requests on UDP 69 of each TFTP interface, over IPv4 and IPv6; every transfer runs on its own ephemeral
/// socket (its TID, RFC 1350 §4), or on port 69 itself under <c>tftp-single-port</c>; either way on a thread of its own,
/// by the one engine (<see cref="TftpTransferRunner"/>) over the pure <see cref="TftpTransfer"/> state machine.</summary>
public sealed class TftpService(ConfigSnapshot config, ILogger<TftpService> logger, TimeProvider time, BootTelemetry? telemetry = null,
    Scripts.ScriptRunner? scripts = null)
{
    public const int Port = 69;

    /// <summary>The port listened on: 69, or another (0: an ephemeral one) so that tests run without root.</summary>
    internal int ListenPort { get; init; } = Port;

    private readonly ConcurrentDictionary<string, int> _boundPorts = new(StringComparer.Ordinal);

    /// <summary>The port each interface's listeners (IPv4 and IPv6) are bound to, by interface name (see <see cref="ListenPort"/>).</summary>
    internal IReadOnlyDictionary<string, int> BoundPorts => _boundPorts;

    private int _activeTransfers;

    /// <summary>A flood of requests beyond tftp-max must not flood the log too.</summary>
    private readonly LogThrottle _tooManyLog = new(time, TimeSpan.FromSeconds(10));

    /// <summary>Transfers currently running (bounded by <c>tftp-max</c>).</summary>
    public int ActiveTransfers => Volatile.Read(ref _activeTransfers);

    private readonly TaskCompletionSource _listening = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes once port 69 is bound on every TFTP interface present at start (or TFTP is off); privileges
    /// drop after it.</summary>
    public Task Listening => _listening.Task;

    /// <summary>Serves on a fixed set of interfaces until cancelled.</summary>
    public Task RunAsync(ImmutableArray<HostInterface> hostInterfaces, CancellationToken cancellationToken) =>
        RunAsync(InterfaceAddresses.Fixed(hostInterfaces), cancellationToken);

    /// <summary>Serves until cancelled on port 69 of every TFTP interface that is up and has IPv4 or an IPv6 address
    /// beyond its link-local one (<see cref="HostInterface.HasIPv6"/>), now or whenever
    /// <paramref name="addresses"/> says so later; a listener is closed (its transfers ended) when its interface is gone.</summary>
    public async Task RunAsync(InterfaceAddresses addresses, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(addresses);
        try
        {
            await ServeAsync(addresses, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            // A start-up failure leaves Listening faulted through the service's own task (the caller stops everything).
            _listening.TrySetCanceled(CancellationToken.None);
        }
    }

    private async Task ServeAsync(InterfaceAddresses addresses, CancellationToken cancellationToken)
    {
        var snapshot = config.Current;
        if (!snapshot.Tftp.IsEnabled)
        {
            _listening.TrySetResult();
            return;
        }
        CheckRoot(snapshot.Tftp);
        var cache = new TftpBlockCache(snapshot.Tftp.CacheMegabytes * 1024L * 1024L);
        CheckPortRange(snapshot.Tftp);
        var loops = new List<Task>();
        TftpLog.Started(logger, snapshot.Tftp.CacheMegabytes,
            snapshot.Tftp.SinglePort ? "on port 69 (tftp-single-port)"
            : snapshot.Tftp.PortRange is { } range ? $"on ports {range.Start}-{range.End}" : "on ephemeral ports");
        var policy = InterfacePolicy.Create(snapshot.Interfaces, addresses.Initial);
        var listeners = new InterfaceListeners<CancellationTokenSource>(
            nic => nic.IsUp && (nic.HasIPv4 || nic.HasIPv6) && Selects(snapshot, policy, nic),
            (nic, report) => Open(nic, report, addresses, cache, loops, cancellationToken),
            (nic, stop) =>
            {
                RuntimeLog.StoppedListening(logger, "TFTP", nic.Name);
                stop.Cancel();
            });
        void OnAddressesChanged(InterfaceReading reading) => listeners.Update(reading);
        try
        {
            listeners.Update(addresses.Current, throwOnFailure: true);
            addresses.Changed += OnAddressesChanged;
            listeners.Update(addresses.Current);
            _listening.TrySetResult();
            try
            {
                await Task.Delay(Timeout.Infinite, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
            }
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
        }
    }

    /// <summary>Port 69 on one interface, over both families, served until the interface is gone or the service stops;
    /// returns what stops it.
    /// <para>Two sockets per interface (0.0.0.0 and [::] with IPV6_V6ONLY, both bound to the device) rather than one
    /// dual-stack [::] socket: the IPv4 path stays exactly what it was (AF_INET addresses and IP_PKTINFO, ARP for
    /// tftp-unique-root=mac, its log lines), no IPv4 client is seen as ::ffff:a.b.c.d, and each family's transfers run
    /// on sockets of that family. Both are opened whatever addresses the interface has now: bound to the device, not an
    /// address, they serve an address added later.</para></summary>
    private CancellationTokenSource Open(HostInterface nic, bool report, InterfaceAddresses addresses, TftpBlockCache cache,
        List<Task> loops, CancellationToken cancellationToken)
    {
        var socket = BoundUdpSocket.Open(logger, report, nic.Name, ListenPort, allowBroadcast: false);
        var port = ((IPEndPoint)socket.LocalEndPoint!).Port;
        Socket? socket6;
        try
        {
            // On the port the IPv4 socket got: the same unless ListenPort is 0 (tests), where both families then share it.
            socket6 = BoundUdpSocket.OpenIPv6(logger, report, nic.Name, port);
        }
        catch (SocketException)
        {
            socket.Dispose();
            throw;
        }
        _boundPorts[nic.Name] = port;
        Log.Listening(logger, "TFTP", nic.Name, string.Join(" ", nic.Addresses.Select(a => a.Address)), port);
        // Not linked to the service's token (nothing to unregister when an interface goes): the loop links both.
        var stop = new CancellationTokenSource();
        Listen(socket, nic, addresses, cache, loops, cancellationToken, stop.Token);
        if (socket6 is not null)
        {
            Log.Listening(logger, "TFTP", nic.Name, DescribeIPv6(nic), port);
            Listen(socket6, nic, addresses, cache, loops, cancellationToken, stop.Token);
        }
        return stop;
    }

    private void Listen(Socket socket, HostInterface nic, InterfaceAddresses addresses, TftpBlockCache cache, List<Task> loops,
        CancellationToken service, CancellationToken listener)
    {
        TftpListenerBuffer.Enlarge(socket);
        var loop = ListenUntilStoppedAsync(socket, nic, addresses, cache, service, listener);
        lock (loops)
        {
            loops.RemoveAll(t => t.IsCompleted);
            loops.Add(loop);
        }
    }

    /// <summary>An interface's IPv6 addresses as a listening line shows them: <c>[fd00::1] [fe80::1]</c>, or <c>[::]</c>
    /// while it has none.</summary>
    internal static string DescribeIPv6(HostInterface nic) =>
        nic.IPv6Addresses.IsDefaultOrEmpty ? "[::]" : string.Join(" ", nic.IPv6Addresses.Select(a => $"[{a.Address}]"));

    private async Task ListenUntilStoppedAsync(Socket socket, HostInterface nic, InterfaceAddresses addresses, TftpBlockCache cache,
        CancellationToken service, CancellationToken listener)
    {
        using (socket)
        using (var stop = CancellationTokenSource.CreateLinkedTokenSource(service, listener))
        {
            // Per request, the interface as it is now: its address (for a broadcast request) and MTU may have changed.
            await ListenAsync(socket, () => addresses.Current.ByIndex(nic.Index) ?? nic, cache, stop.Token).ConfigureAwait(false);
        }
    }

    /// <summary><c>enable-tftp=if,…</c> names the interfaces; otherwise every interface DHCP may use, loopback only when
    /// named; under <c>bind-interfaces</c>, only those present at start.</summary>
    internal static bool Selects(ServerConfig config, InterfacePolicy policy, HostInterface nic) =>
        config.Tftp.Interfaces.IsDefaultOrEmpty ? policy.Covers(nic) : policy.IsCandidate(nic) && config.Tftp.Interfaces.Contains(nic.Name);

    /// <summary>dnsmasq parity: a port range smaller than tftp-max limits the transfers (logged once).</summary>
    private void CheckPortRange(TftpConfig tftp)
    {
        if (!tftp.SinglePort && tftp.PortRange is { } range && range.End - range.Start + 1 < tftp.MaxTransfers)
        {
            TftpLog.RestrictingMax(logger, range.End - range.Start + 1, range.End - range.Start + 1);
        }
    }

    private void CheckRoot(TftpConfig tftp)
    {
        foreach (var root in tftp.InterfaceRoots.Values.Prepend(tftp.Root).OfType<string>())
        {
            if (Directory.Exists(root))
            {
                continue;
            }
            if (!tftp.NoFail)
            {
                // dnsmasq parity: an inaccessible root is fatal unless tftp-no-fail. The validator refuses it before start;
                // this catches a root removed since (same words).
                throw new DirectoryNotFoundException(
                    $"{Validation.ConfigValidator.MissingFolder("tftp-root", root, File.Exists(root))} (create it, or add tftp-no-fail to start anyway)");
            }
            Log.TftpRootMissing(logger, root);
        }
    }

    private async Task ListenAsync(Socket listener, Func<HostInterface> currentNic, TftpBlockCache cache, CancellationToken cancellationToken)
    {
        var buffer = new byte[2048];
        var isIPv6 = listener.AddressFamily == AddressFamily.InterNetworkV6;
        EndPoint any = new IPEndPoint(isIPv6 ? IPAddress.IPv6Any : IPAddress.Any, 0);
        var transfers = new List<Task>();
        var singlePort = new ConcurrentDictionary<IPEndPoint, SinglePortTransferLink>();
        var drops = new TftpListenerBuffer(listener, time);
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                SocketReceiveMessageFromResult received;
                try
                {
                    received = await listener.ReceiveMessageFromAsync(buffer, SocketFlags.None, any, cancellationToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    break;
                }
                catch (SocketException)
                {
                    // ICMP unreachable from a single-port client that went away.
                    continue;
                }
                var nic = currentNic();
                if (drops.CheckNewDrops() is > 0 and var dropped)
                {
                    TftpLog.ListenerDrops(logger, nic.Name, dropped);
                }
                var client = (IPEndPoint)received.RemoteEndPoint;
                var datagram = buffer.AsSpan(0, received.ReceivedBytes);
                // tftp-single-port: datagrams from a client with a transfer running belong to that transfer.
                if (singlePort.TryGetValue(client, out var running))
                {
                    running.Post(datagram);
                    continue;
                }
                if (!TftpPacketDecoder.TryDecode(datagram, out var packet, out var error))
                {
                    Log.TftpMalformed(logger, client.ToString(), nic.Name, error);
                    continue;
                }
                if (packet is not TftpRequestPacket request)
                {
                    continue;
                }
                var localAddress = isIPv6 ? LocalIPv6Address(received.PacketInformation.Address, nic)
                    : received.PacketInformation.Address is { } local && !local.Equals(IPAddress.Broadcast)
                    ? local
                    : nic.HasIPv4 ? nic.Addresses[0].Address.ToIPAddress() : null;
                if (localAddress is null)
                {
                    // A broadcast request while the interface has no address: nothing to answer from.
                    continue;
                }
                var link = config.Current.Tftp.SinglePort ? OpenSinglePortLink(listener, client, singlePort) : null;
                transfers.RemoveAll(t => t.IsCompleted);
                transfers.Add(ServeAsync(request, client, localAddress, nic, cache, link, cancellationToken));
            }
        }
        finally
        {
            // Transfers end on cancellation within one timeout; wait for them so none outlives the service.
            await Task.WhenAll(transfers).ConfigureAwait(false);
        }
    }

    /// <summary>The address an IPv6 request was sent to (IPV6_PKTINFO), which the transfer's socket answers from: a
    /// link-local one carries the interface as its scope, or it cannot be bound. A multicast destination (no TFTP
    /// client sends one) has nothing to answer from.</summary>
    internal static IPAddress? LocalIPv6Address(IPAddress? destination, HostInterface nic)
    {
        if (destination is not { AddressFamily: AddressFamily.InterNetworkV6 } local || local.IsIPv6Multicast)
        {
            return null;
        }
        return local.IsIPv6LinkLocal ? new IPAddress(local.GetAddressBytes(), nic.Index) : local;
    }

    private static SinglePortTransferLink OpenSinglePortLink(Socket listener, IPEndPoint client, ConcurrentDictionary<IPEndPoint, SinglePortTransferLink> links)
    {
        var link = new SinglePortTransferLink(listener, client, () => links.TryRemove(client, out _));
        links[client] = link;
        return link;
    }

    private async Task ServeAsync(
        TftpRequestPacket request, IPEndPoint client, IPAddress localAddress, HostInterface nic, TftpBlockCache cache,
        SinglePortTransferLink? singlePortLink, CancellationToken cancellationToken)
    {
        var snapshot = config.Current;
        var tftp = snapshot.Tftp;
        // The client's name as every log line (and error message) shows it: escaped once, here (LogText).
        var name = LogText.Escape(request.Filename);
        using var link = singlePortLink is not null ? (ITftpTransferLink)singlePortLink : OpenSocketLink(tftp, localAddress, client, name);
        if (link is null)
        {
            return;
        }
        var clientIdentity = IdentifyClient(tftp, client, nic.Index);
        var policy = new TftpPathPolicy(tftp, PhysicalTftpFileSystem.Instance);
        var decision = TftpRequestResponder.Decide(request, policy, nic.Name, clientIdentity);
        if (!decision.IsAccepted)
        {
            LogRefusal(tftp, name, client, decision);
            telemetry?.TftpRefused(client.Address, request.Filename, decision.Path?.Refusal == TftpPathRefusal.NotFound ? "not_found" : "refused",
                decision.Path?.Reason ?? decision.ErrorMessage);
            SendError(link, decision.ErrorCode, decision.ErrorMessage);
            return;
        }
        if (Interlocked.Increment(ref _activeTransfers) > tftp.MaxTransfers)
        {
            Interlocked.Decrement(ref _activeTransfers);
            if (_tooManyLog.ShouldLog(out var suppressed))
            {
                Log.TftpTooMany(logger, name, client.Address.ToString(), tftp.MaxTransfers, suppressed);
            }
            telemetry?.TftpRefused(client.Address, request.Filename, "too_many", "too many simultaneous transfers (tftp-max)");
            SendError(link, TftpErrorCode.NotDefined, "too many simultaneous transfers, try again");
            return;
        }
        try
        {
            TftpContent content;
            try
            {
                // O(1) in both modes (netascii is converted while it is sent), so the listener never waits on a file.
                content = TftpContent.Open(decision.FullPath!, decision.Mode, cache);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // The policy found the file readable a moment ago; it changed since. Same answer as any refusal.
                Log.TftpRefused(logger, name, client.Address.ToString(), $"cannot open {decision.FullPath}: {e.Message}{AnsweredAsNotFound}");
                telemetry?.TftpRefused(client.Address, request.Filename, "refused", e.Message);
                SendError(link, TftpErrorCode.FileNotFound, TftpPathResult.RefusalMessage);
                return;
            }
            using (content)
            {
                await TransferAsync(request, client, nic, tftp, decision, content, link, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Log.TftpReadFailed(logger, name, client.Address.ToString(), e.Message);
            SendError(link, TftpErrorCode.AccessViolation, $"cannot read {name}");
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            Log.TftpCancelled(logger, name, client.Address.ToString());
        }
#pragma warning disable CA1031 // The last guard of one transfer: whatever failed (a bug included) is answered and logged, not lost with the task.
        catch (Exception e) when (e is not OperationCanceledException)
#pragma warning restore CA1031
        {
            Log.TftpTransferCrashed(logger, e, name, client.Address.ToString());
            SendError(link, TftpErrorCode.NotDefined, "internal error");
        }
        finally
        {
            Interlocked.Decrement(ref _activeTransfers);
        }
    }

    /// <summary>Negotiates, runs the transfer on a thread of its own (both modes: one engine) and logs its end.</summary>
    private async Task TransferAsync(
        TftpRequestPacket request, IPEndPoint client, HostInterface nic, TftpConfig tftp, TftpRequestDecision decision, TftpContent content,
        ITftpTransferLink link, CancellationToken cancellationToken)
    {
        // RFC 2348 + dnsmasq: blksize ≤ the arrival interface's MTU − 32, the MTU capped by tftp-mtu.
        var options = TftpNegotiation.Negotiate(request.Options.AsSpan(), decision.Mode, content.TransferSize, tftp, nic.Mtu > 0 ? nic.Mtu : 1500);
        // Netascii: the length is found when the conversion reaches the end of the file.
        var runner = new TftpTransferRunner(link, content, new TftpTransfer(content.Length, options), time);
        using var tracked = telemetry?.TftpStarted(client.Address, request.Filename, content.Length ?? -1, () => runner.DataBytesSent);
        // Blocking calls on a dedicated thread (tftpd-hpa's model, and the fastest lock-step).
        var step = await Task.Factory.StartNew(() => runner.Run(cancellationToken), CancellationToken.None,
            TaskCreationOptions.LongRunning, TaskScheduler.Default).ConfigureAwait(false);
        tracked?.Ended(step);
        LogEnd(tftp, decision.FullPath!, client, step, runner.DataBytesSent);
        if (step.End == TftpTransferEnd.Completed && scripts is not null)
        {
            // dnsmasq parity (tftp.c, helper.c): a completed transfer calls dhcp-script with tftp SIZE ADDRESS FILE.
            scripts.Post(Scripts.ScriptRunner.TftpStart(scripts.Script, content.Length ?? step.Statistics?.Bytes ?? 0, client.Address, decision.FullPath!), "tftp", client.Address.ToString());
        }
    }

    /// <summary>tftp-unique-root=mac needs the client's MAC: the kernel's ARP table has it for an IPv4 client (the client
    /// just sent us a datagram), its IPv6 neighbour table for an IPv6 one (the client resolved our address first), on
    /// the arrival interface <paramref name="interfaceIndex"/>. The policy stays pure: it gets the MAC, never the table.</summary>
    internal static TftpClientIdentity IdentifyClient(TftpConfig tftp, IPEndPoint client, int interfaceIndex)
    {
        var byMac = tftp.UniqueRoot == TftpUniqueRoot.ByHardwareAddress;
        if (client.AddressFamily == AddressFamily.InterNetworkV6)
        {
            var address6 = IPv6Address.FromIPAddress(client.Address);
            // dnsmasq parity (tftp.c find_mac): the neighbour table for either family. The listener is per interface, so
            // its index scopes the entry (a link-local address may be a neighbour on two links).
            return new TftpClientIdentity(IPv4Address.Any, byMac ? NeighbourTable.Lookup(address6, interfaceIndex) : null) { IPv6Address = address6 };
        }
        var address = IPv4Address.FromIPAddress(client.Address);
        return new TftpClientIdentity(address, byMac ? ArpTable.Lookup(address) : null);
    }

    /// <summary>Appended to a refusal's log line: the client hears the same for every refused name.</summary>
    private const string AnsweredAsNotFound = " (answered \"" + TftpPathResult.RefusalMessage + "\", as for a missing file)";

    /// <summary>The real reason, for the administrator (the client got the single answer of <see cref="TftpPathResult"/>).</summary>
    private void LogRefusal(TftpConfig tftp, string name, IPEndPoint client, TftpRequestDecision decision)
    {
        if (decision.Path is not { } path)
        {
            // Refused before the name was looked at (a write, an unknown mode): the client was told why.
            Log.TftpRefused(logger, name, client.Address.ToString(), decision.ErrorMessage);
        }
        else if (path.Refusal != TftpPathRefusal.NotFound)
        {
            Log.TftpRefused(logger, name, client.Address.ToString(), path.Reason + AnsweredAsNotFound);
        }
        else if (!tftp.Quiet)
        {
            // dnsmasq parity: "file %s not found for %s", silenced by quiet-tftp.
            TftpLog.NotFound(logger, name, client.Address.ToString());
        }
    }

    /// <summary>A fresh socket for the transfer (its TID): an ephemeral port, or the first free one of
    /// tftp-port-range starting at a random place. Null (and ERROR 0 from port 69's address) when the range is full.</summary>
    private SocketTransferLink? OpenSocketLink(TftpConfig tftp, IPAddress localAddress, IPEndPoint client, string file)
    {
        var socket = TftpPortRange.Bind(localAddress, tftp.PortRange);
        if (socket is null)
        {
            var (first, last) = tftp.PortRange!.Value;
            TftpLog.NoFreePort(logger, first, last, file, client.Address.ToString());
            return null;
        }
        // tftp-busy-poll: polling for the ACK before sleeping pays only while a CPU would otherwise idle (lock-step with
        // few clients): at most one polling transfer per CPU the process may run on (ProcessorCount honours the
        // affinity mask, so a server pinned to one CPU still polls for its one transfer); in a boot storm every CPU is
        // busy and the transfers sleep at once.
        return new SocketTransferLink(socket, client, stranger => TftpLog.TidMismatch(logger, Describe(stranger)),
            tftp.BusyPoll, () => ActiveTransfers <= Environment.ProcessorCount);
    }

    private static string Describe(SocketAddress address)
    {
        var endPoint = (IPEndPoint)new IPEndPoint(address.Family == AddressFamily.InterNetworkV6 ? IPAddress.IPv6Any : IPAddress.Any, 0).Create(address);
        return endPoint.ToString();
    }

    private void LogEnd(TftpConfig tftp, string path, IPEndPoint client, TftpStep step, long bytesSent)
    {
        // The path under the root is made of the client's name (control characters are refused, other text is not).
        var file = LogText.Escape(path);
        var stats = step.Statistics;
        var seconds = Math.Max(stats?.Duration.TotalSeconds ?? 0, 1e-6);
        var bytes = stats?.Bytes ?? 0;
        var details = stats is null ? "" : string.Create(CultureInfo.InvariantCulture,
            $"{bytes} bytes in {stats.Duration.TotalMilliseconds:0} ms ({bytes / seconds / 1e6:0.00} MB/s), blksize {stats.BlockSize}, windowsize {stats.WindowSize}, {stats.Retransmissions} retransmitted, {bytesSent} data bytes sent");
        switch (step.End)
        {
            case TftpTransferEnd.Completed when !tftp.Quiet:
                Log.TftpSent(logger, file, client.Address.ToString(), details);
                break;
            case TftpTransferEnd.ClientEndedAfterOptions when !tftp.Quiet:
                Log.TftpProbed(logger, file, client.Address.ToString(), step.Detail ?? "");
                break;
            case TftpTransferEnd.Completed or TftpTransferEnd.ClientEndedAfterOptions:
                break;
            case TftpTransferEnd.RetriesExhausted or TftpTransferEnd.Stalled:
                TftpLog.TimedOut(logger, file, client.Address.ToString(), $"{step.End}: {step.Detail}", details);
                break;
            default:
                Log.TftpFailed(logger, file, client.Address.ToString(), $"{step.End}: {step.Detail}", details);
                break;
        }
    }

    private static void SendError(ITftpTransferLink link, TftpErrorCode code, string message)
    {
        var buffer = new byte[TftpPacketEncoder.GetErrorLength(message)];
        var length = TftpPacketEncoder.WriteError(buffer, code, message);
        link.Send(buffer.AsSpan(0, length));
    }
}

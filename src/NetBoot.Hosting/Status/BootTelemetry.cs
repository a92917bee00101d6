using System.Collections.Concurrent;
using System.Collections.Frozen;
using System.Diagnostics;
using System.Net;
using NetBoot.Engine;
using NetBoot.Engine.Tftp;
using NetBoot.Hosting.Dhcp6;
using NetBoot.Hosting.Telemetry;
using NetBoot.Engine.Dhcp6;
using NetBoot.Wire.Dhcp;
using NetBoot.Wire.Dhcp6;
using NetBoot.Wire.Net;

namespace NetBoot.Hosting.Status;

/// <summary>What the services report, in one call each: counts it on <see cref="NetBootMetrics"/> and, when the
/// dashboard is on, hands it to the <see cref="BootTracker"/>. The services never know who listens, and never wait for
/// it: an event goes into a bounded lock-free queue (<see cref="BoundedEventQueue{T}"/>; when it is full the event is
/// dropped and counted), and is folded into the tracker off the receive paths, by <see cref="RunAsync"/> every
/// <see cref="FoldInterval"/> and by the dashboard before it reads (<see cref="Clients"/>).</summary>
public sealed class BootTelemetry(NetBootMetrics metrics, TimeProvider time, bool trackClients, int queueCapacity = BootTelemetry.QueueCapacity)
{
    /// <summary>Clients not heard from for this long leave the dashboard; at most this many are kept.</summary>
    public static readonly TimeSpan ClientMaxAge = BootTracker.DefaultMaxAge;
    public const int MaxClients = BootTracker.DefaultCapacity;

    /// <summary>Events waiting to be folded at most: <see cref="FoldInterval"/> of 40 000 events a second.</summary>
    public const int QueueCapacity = 4096;

    /// <summary>How often <see cref="RunAsync"/> folds the waiting events.</summary>
    public static readonly TimeSpan FoldInterval = TimeSpan.FromMilliseconds(100);

    private readonly BoundedEventQueue<BootEvent> _events = new(queueCapacity);
    private readonly ConcurrentDictionary<TrackedTransfer, bool> _active = new();
    private readonly Lock _fold = new();
    private readonly BootTracker _tracker = new();
    private BootTrackerState _snapshot = BootTrackerState.Empty;
    private long _snapshotVersion;
    private long _version;

    public NetBootMetrics Metrics { get; } = metrics;

    /// <summary>Grows with every change folded into the tracked clients.</summary>
    public long Version => Interlocked.Read(ref _version);

    /// <summary>The tracked clients, with every event reported so far folded in.</summary>
    public BootTrackerState Clients
    {
        get
        {
            lock (_fold)
            {
                FoldPending();
                if (_snapshotVersion != _tracker.Version)
                {
                    _snapshot = _tracker.Snapshot();
                    _snapshotVersion = _tracker.Version;
                }
                return _snapshot;
            }
        }
    }

    /// <summary>Events dropped because the queue was full (also counted as <c>netboot.status.events.dropped</c>).</summary>
    public long EventsDropped => _events.Dropped;

    /// <summary>Events waiting to be folded.</summary>
    internal int EventsWaiting => _events.Count;

    /// <summary>The lock held while folding and reading; the reporting side never takes it (tests hold it to stall the
    /// folding side).</summary>
    internal Lock FoldLock => _fold;

    /// <summary>Folds the waiting events every <see cref="FoldInterval"/> until cancelled (run by <see cref="StatusHost"/>
    /// when the dashboard is on), so the queue drains whether or not a page is open.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        if (!trackClients)
        {
            return;
        }
        using var timer = new PeriodicTimer(FoldInterval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
            {
                Fold();
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>Folds the waiting events into the tracker, and forgets clients idle for longer than <see cref="ClientMaxAge"/>.</summary>
    public void Fold()
    {
        lock (_fold)
        {
            FoldPending();
        }
    }

    // ---- DHCP ----

    /// <summary>A request NetBoot did not even decide on (malformed, not a BOOTREQUEST, send failed, lease not durable…).</summary>
    public void DhcpDropped(string reason) => Metrics.DhcpDrops.Add(1, new KeyValuePair<string, object?>("reason", reason));

    /// <summary>A decision on a request: counts request, reply or drop, and moves the client's stage.</summary>
    /// <param name="durable">The lease change's durability, when the decision made one (its commit latency is recorded).</param>
    public void DhcpDecided(DhcpRequest request, Decision decision, bool hasLeaseStore, Task? durable = null)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (durable is not null && Metrics.LeaseCommitDuration.Enabled)
        {
            LeaseCommitting(durable);
        }
        var message = request.Message;
        var mode = request.ArrivedOnPxePort ? "4011"
            : decision is SendReply reply ? (reply.Message.YourAddress.IsZero ? "proxy" : "full")
            : hasLeaseStore ? "full" : "proxy";
        var requestType = TypeName(message.MessageType);
        Metrics.DhcpRequests.Add(1, new("message_type", requestType), new("mode", mode));
        switch (decision)
        {
            case SendReply sent:
                Metrics.DhcpReplies.Add(1, new("message_type", TypeName(sent.Message.MessageType)), new("mode", mode));
                break;
            case NoReply none:
                Metrics.DhcpDrops.Add(1, new KeyValuePair<string, object?>("reason", ReasonName(none.Reason)));
                break;
            default:
                return;
        }
        if (!trackClients)
        {
            return;
        }
        // Only what is at hand: the text is put together by the folding side.
        var answered = decision as SendReply;
        var yiaddr = answered?.Message.YourAddress ?? default;
        var detail = answered is null ? ((NoReply)decision).Describe()
            : yiaddr.IsZero ? AnswerText(answered) : AnswerText(answered) + " " + yiaddr;
        IPv4Address[] addresses = request.ArrivedOnPxePort
            ? [message.ClientAddress, request.SourceAddress, yiaddr]
            : [message.ClientAddress, yiaddr];
        var architecture = message.Options.TryGetUInt16(DhcpOptionCode.ClientSystemArchitecture, out var arch) ? ArchitectureName(arch) : null;
        Record(new DhcpExchanged(time.GetUtcNow(), message.ClientHardwareAddress, UpperTypeName(message.MessageType), mode,
            addresses, answered is null ? null : UpperTypeName(answered.Message.MessageType), detail, architecture));
    }

    /// <summary>What a reply answered, in the dashboard's words: <c>proxy</c>, the boot file, the address, or the NAK's
    /// address and message.</summary>
    private static string AnswerText(SendReply reply) => reply.Answer.Kind switch
    {
        ReplyKind.Proxy => "proxy",
        ReplyKind.BootServer => reply.Message.BootFileName,
        ReplyKind.Nak => $"{reply.Answer.Address} {reply.Answer.NakMessage}",
        _ => reply.Answer.Address.ToString(),
    };

    /// <summary>Lease-store commit latency: from the decision until its change is durable.</summary>
    public void LeaseCommitting(Task durable)
    {
        ArgumentNullException.ThrowIfNull(durable);
        var started = Stopwatch.GetTimestamp();
        durable.ContinueWith(static (t, state) =>
        {
            var (self, started) = ((BootTelemetry, long))state!;
            if (t.IsCompletedSuccessfully)
            {
                self.Metrics.LeaseCommitDuration.Record(Stopwatch.GetElapsedTime(started).TotalSeconds);
            }
        }, (this, started), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }

    // ---- DHCPv6 ----

    /// <summary>A DHCPv6 message decoded (its innermost message's type, dnsmasq's name without "DHCP", lower case).</summary>
    public void Dhcp6Received(string messageType) => Metrics.Dhcp6Requests.Add(1, new KeyValuePair<string, object?>("message_type", messageType));

    public void Dhcp6Replied(string messageType) => Metrics.Dhcp6Replies.Add(1, new KeyValuePair<string, object?>("message_type", messageType));

    /// <summary>A DHCPv6 message not answered: malformed, the responder's drop reason, send failed, not durable.</summary>
    public void Dhcp6Dropped(string reason) => Metrics.Dhcp6Drops.Add(1, new KeyValuePair<string, object?>("reason", reason));

    /// <summary>A DHCPv6 decision (the metrics are counted by the calls above): moves the client's stage on the dashboard.
    /// <paramref name="source"/> is the datagram's source: the client's link-local address unless it was relayed.</summary>
    public void Dhcp6Decided(Dhcp6Packet request, IPAddress source, Dhcp6Decision decision)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(source);
        if (!trackClients || request.InnermostMessage is not { Options.ClientId: { } duid } message)
        {
            return;
        }
        var addresses = new List<IPv6Address>(2);
        if (request is Dhcp6Message && source.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6)
        {
            addresses.Add(IPv6Address.FromIPAddress(source));
        }
        string? replyType = null, url = null;
        string detail;
        if (decision is Dhcp6Send send)
        {
            var reply = send.Reply.InnermostMessage;
            replyType = UpperTypeName(reply.Type);
            url = reply.Options.BootfileUrl;
            detail = Dhcp6Text.Addresses(reply, send.Summary);
            addresses.AddRange(reply.Options.IdentityAssociations.SelectMany(ia => ia.Addresses).Where(a => a.ValidLifetime > TimeSpan.Zero).Select(a => a.Address));
        }
        else
        {
            detail = decision is Dhcp6Drop drop ? drop.Detail : "not answered";
        }
        var architecture = message.Options.ClientArchitectures is [var arch, ..] ? ArchitectureName(arch) : null;
        Record(new Dhcp6Exchanged(time.GetUtcNow(), duid, UpperTypeName(message.Type), addresses, replyType, detail, url, architecture));
    }

    /// <summary>DHCPv6 message type as the tracker's history writes it: dnsmasq's log name without "DHCP".</summary>
    internal static string UpperTypeName(Dhcp6MessageType type) => Dhcp6Text.MessageName(type) is var name && name.StartsWith("DHCP", StringComparison.Ordinal) ? name[4..] : name;

    // ---- TFTP ----

    /// <summary>A TFTP transfer starts; dispose the handle when it ends (without <see cref="TrackedTransfer.Ended"/>: failed).</summary>
    public TrackedTransfer TftpStarted(IPAddress client, string file, long size, Func<long> bytesSent)
    {
        ArgumentNullException.ThrowIfNull(client);
        Metrics.TftpActive.Add(1);
        var transfer = new TrackedTransfer(this, BootAddress.FromIPAddress(client), file, size, bytesSent) { IsTracked = trackClients };
        if (transfer.IsTracked)
        {
            _active.TryAdd(transfer, true);
            Record(new TransferStarted(time.GetUtcNow(), transfer.Client, "tftp", file, size));
        }
        return transfer;
    }

    /// <summary>A TFTP request refused before any data (not found, access, too many transfers).</summary>
    public void TftpRefused(IPAddress client, string file, string result, string reason)
    {
        ArgumentNullException.ThrowIfNull(client);
        Metrics.TftpTransfers.Add(1, new KeyValuePair<string, object?>("result", result));
        if (trackClients)
        {
            Record(new TransferRefused(time.GetUtcNow(), BootAddress.FromIPAddress(client), "tftp", file, reason));
        }
    }

    internal void TftpEnded(TrackedTransfer transfer, string result, string? failure, bool isProbe)
    {
        var seconds = Stopwatch.GetElapsedTime(transfer.StartedAt).TotalSeconds;
        var bytes = transfer.BytesSent();
        Metrics.TftpActive.Add(-1);
        Metrics.TftpTransfers.Add(1, new KeyValuePair<string, object?>("result", result));
        Metrics.TftpSent.Add(bytes);
        Metrics.TftpDuration.Record(seconds, new KeyValuePair<string, object?>("result", result));
        if (transfer.IsTracked)
        {
            _active.TryRemove(transfer, out _);
            Record(new TransferEnded(time.GetUtcNow(), transfer.Client, "tftp", transfer.File, bytes, failure, isProbe));
        }
    }

    /// <summary>Folds the waiting events and the progress of running transfers into the tracker (called by the dashboard
    /// before it publishes).</summary>
    public void SampleProgress()
    {
        lock (_fold)
        {
            FoldPending();
            var changed = false;
            foreach (var (transfer, _) in _active)
            {
                var bytes = transfer.BytesSent();
                if (bytes != transfer.LastReported)
                {
                    transfer.LastReported = bytes;
                    _tracker.Apply(new TransferProgressed(time.GetUtcNow(), transfer.Client, transfer.File, bytes));
                    changed = true;
                }
            }
            if (changed)
            {
                Interlocked.Exchange(ref _version, _tracker.Version);
            }
        }
    }

    // ---- HTTP ----

    public void HttpStarted(IPAddress? client, string path, long size)
    {
        if (trackClients && client is not null)
        {
            Record(new TransferStarted(time.GetUtcNow(), BootAddress.FromIPAddress(client), "http", path, size));
        }
    }

    /// <summary>An HTTP request answered (or refused, or aborted); <paramref name="started"/> is a <see cref="Stopwatch"/> timestamp.</summary>
    public void HttpEnded(IPAddress? client, string path, int status, long bytes, long started, string? failure)
    {
        var result = failure is not null && status < 400 ? "aborted" : status < 400 ? "ok" : status == 404 ? "not_found" : "refused";
        var statusClass = status switch { < 300 => "2xx", < 400 => "3xx", < 500 => "4xx", _ => "5xx" };
        Metrics.HttpRequests.Add(1, new("status", statusClass), new("result", result));
        Metrics.HttpSent.Add(bytes);
        Metrics.HttpDuration.Record(Stopwatch.GetElapsedTime(started).TotalSeconds, new KeyValuePair<string, object?>("result", result));
        if (trackClients && client is not null)
        {
            var address = BootAddress.FromIPAddress(client);
            Record(status >= 400
                ? new TransferRefused(time.GetUtcNow(), address, "http", path, failure ?? status.ToString(System.Globalization.CultureInfo.InvariantCulture))
                : new TransferEnded(time.GetUtcNow(), address, "http", path, bytes, failure));
        }
    }

    /// <summary>Hands an event to the folding side without waiting: dropped and counted when the queue is full.</summary>
    private void Record(BootEvent e)
    {
        if (!_events.TryEnqueue(e))
        {
            Metrics.StatusEventsDropped.Add(1);
        }
    }

    /// <summary>Under <see cref="_fold"/>: every waiting event into the tracker (at most the queue's capacity, so a
    /// reader is not held up by writers that keep adding), then the idle clients out.</summary>
    private void FoldPending()
    {
        for (var n = 0; n < _events.Capacity && _events.TryDequeue(out var e); n++)
        {
            _tracker.Apply(e);
        }
        _tracker.Expire(time.GetUtcNow());
        Interlocked.Exchange(ref _version, _tracker.Version);
    }

    /// <summary>The message type as the log and the dashboard write it (constants: nothing allocated per request).</summary>
    internal static string UpperTypeName(DhcpMessageType? type) => type switch
    {
        null => "BOOTP",
        DhcpMessageType.Discover => "DISCOVER",
        DhcpMessageType.Offer => "OFFER",
        DhcpMessageType.Request => "REQUEST",
        DhcpMessageType.Decline => "DECLINE",
        DhcpMessageType.Ack => "ACK",
        DhcpMessageType.Nak => "NAK",
        DhcpMessageType.Release => "RELEASE",
        DhcpMessageType.Inform => "INFORM",
        _ => "OTHER",
    };

    internal static string TypeName(DhcpMessageType? type) => type switch
    {
        null => "bootp",
        DhcpMessageType.Discover => "discover",
        DhcpMessageType.Offer => "offer",
        DhcpMessageType.Request => "request",
        DhcpMessageType.Decline => "decline",
        DhcpMessageType.Ack => "ack",
        DhcpMessageType.Nak => "nak",
        DhcpMessageType.Release => "release",
        DhcpMessageType.Inform => "inform",
        _ => "other",
    };

    private static readonly FrozenDictionary<NoReplyReason, string> s_reasonNames =
        Enum.GetValues<NoReplyReason>().ToDictionary(r => r, SnakeCase).ToFrozenDictionary();

    /// <summary>snake_case of the engine's reason (a closed enum, so a bounded label set), computed once.</summary>
    internal static string ReasonName(NoReplyReason reason) => s_reasonNames.TryGetValue(reason, out var name) ? name : SnakeCase(reason);

    private static string SnakeCase(NoReplyReason reason)
    {
        var name = reason.ToString();
        var text = new System.Text.StringBuilder(name.Length + 4);
        for (var i = 0; i < name.Length; i++)
        {
            if (char.IsUpper(name[i]) && i > 0)
            {
                text.Append('_');
            }
            text.Append(char.ToLowerInvariant(name[i]));
        }
        return text.ToString();
    }

    /// <summary>RFC 4578 §2.1 / IANA processor architecture types, as dnsmasq's <c>client-arch</c> names them.</summary>
    private static string ArchitectureName(ushort arch) => arch switch
    {
        0 => "bios",
        6 => "uefi-ia32",
        7 or 9 => "uefi-x64",
        10 => "uefi-arm32",
        11 => "uefi-arm64",
        15 or 16 => "uefi-http",
        _ => "arch " + arch.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };
}

/// <summary>One running TFTP transfer. <see cref="Ended"/> reports how it ended; disposing without it counts a failure
/// (an I/O error or shutdown cut it short; the service logged why).</summary>
public sealed class TrackedTransfer : IDisposable
{
    private readonly BootTelemetry _owner;
    private int _ended;

    internal TrackedTransfer(BootTelemetry owner, BootAddress client, string file, long size, Func<long> bytesSent)
    {
        _owner = owner;
        Client = client;
        File = file;
        Size = size;
        BytesSent = bytesSent;
    }

    public BootAddress Client { get; }

    /// <summary>Shown in the dashboard's client table (clients are tracked).</summary>
    internal bool IsTracked { get; init; }
    public string File { get; }
    public long Size { get; }
    internal Func<long> BytesSent { get; }
    internal long StartedAt { get; } = Stopwatch.GetTimestamp();
    internal long LastReported { get; set; }

    public void Ended(TftpStep step)
    {
        var (result, failure, isProbe) = step.End switch
        {
            TftpTransferEnd.Completed => ("completed", (string?)null, false),
            TftpTransferEnd.ClientEndedAfterOptions => ("size_probe", null, true),
            TftpTransferEnd.RetriesExhausted or TftpTransferEnd.Stalled => ("timed_out", $"timed out ({step.End})", false),
            TftpTransferEnd.ClientError => ("client_error", "client sent ERROR: " + step.Detail, false),
            _ => ("failed", $"{step.End}: {step.Detail}", false),
        };
        End(result, failure, isProbe);
    }

    public void Dispose() => End("failed", "transfer cut short (I/O error or shutdown: see the log)", false);

    private void End(string result, string? failure, bool isProbe)
    {
        if (Interlocked.Exchange(ref _ended, 1) == 0)
        {
            _owner.TftpEnded(this, result, failure, isProbe);
        }
    }
}

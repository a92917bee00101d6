using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Threading.Channels;
using NetBoot.Wire.Tftp;

namespace NetBoot.Hosting.Tftp;

internal enum TftpIncomingKind
{
    Acknowledgment,
    Error,
    /// <summary>Anything else from the client (DATA, a repeated request, garbage): ignored, as dnsmasq does.</summary>
    Other,
}

/// <summary>One datagram from the client, reduced to what the transfer needs (a value: queuing it allocates nothing).</summary>
internal readonly record struct TftpIncoming(TftpIncomingKind Kind, ushort Block, TftpErrorCode Code = TftpErrorCode.NotDefined, string? Message = null)
{
    public static TftpIncoming Classify(ReadOnlySpan<byte> datagram)
    {
        if (TftpPacketDecoder.TryReadAck(datagram, out var block))
        {
            return new TftpIncoming(TftpIncomingKind.Acknowledgment, block);
        }
        if (TftpPacketDecoder.TryReadOpcode(datagram, out var opcode) && opcode == TftpOpcode.Error
            && TftpPacketDecoder.TryDecode(datagram, out var packet, out _) && packet is TftpErrorPacket error)
        {
            return new TftpIncoming(TftpIncomingKind.Error, 0, error.Code, error.Message);
        }
        return new TftpIncoming(TftpIncomingKind.Other, 0);
    }
}

/// <summary>How a transfer talks to its client: its own socket (a fresh TID, RFC 1350 §4) or, with
/// <c>tftp-single-port</c>, the port-69 socket shared by every transfer and demultiplexed by client address.</summary>
internal interface ITftpTransferLink : IDisposable
{
    /// <summary>Sends one datagram to the client; a send error is a lost packet (the timeout recovers it).</summary>
    ValueTask SendAsync(ReadOnlyMemory<byte> datagram);

    /// <summary>The next datagram from the client. Cancelled by the token (the transfer's timeout).</summary>
    ValueTask<TftpIncoming> ReceiveAsync(CancellationToken cancellationToken);
}

/// <summary>The blocking form of a link, for a transfer driven by its own thread (see
/// <see cref="TftpTransferRunner.Run"/>): one <c>recvfrom</c> that sleeps until the ACK comes, as tftpd-hpa does,
/// instead of a round trip through epoll and the thread pool for every packet.</summary>
internal interface IBlockingTftpTransferLink
{
    void Send(ReadOnlySpan<byte> datagram);

    /// <summary>Waits up to <paramref name="wait"/> for a datagram from the client; false when none came.</summary>
    bool TryReceive(TimeSpan wait, out TftpIncoming incoming);

    /// <summary>Ends a blocked <see cref="TryReceive"/> from another thread (service shutdown).</summary>
    void Interrupt();
}

/// <summary>A transfer on its own socket. Sends and receives go through pre-serialised
/// <see cref="SocketAddress"/>es, so neither allocates per packet.</summary>
internal sealed class SocketTransferLink : ITftpTransferLink, IBlockingTftpTransferLink
{
    /// <summary>SO_RCVTIMEO is set again only when the wait moves by more than this (one syscall saved per ACK).</summary>
    private const int TimeoutSlackMilliseconds = 20;
    private int _receiveTimeoutMilliseconds = -1;
    private volatile bool _interrupted;

    private readonly Socket _socket;
    private readonly SocketAddress _client;
    private readonly SocketAddress _from;
    private readonly byte[] _receiveBuffer = new byte[1024];
    private readonly Action<SocketAddress> _onStranger;
    private readonly Func<bool> _maySpin;
    private readonly AckSpinPolicy _spin = new();

    /// <param name="onStranger">Called with a datagram's source when it is not the client (after ERROR 5 was sent).</param>
    /// <param name="maySpin">Whether a CPU is free to poll for the ACK before sleeping (few transfers active); null: never.</param>
    public SocketTransferLink(Socket socket, IPEndPoint client, Action<SocketAddress> onStranger, Func<bool>? maySpin = null)
    {
        _socket = socket;
        Client = client;
        _client = client.Serialize();
        _from = new SocketAddress(client.AddressFamily);
        _onStranger = onStranger;
        _maySpin = maySpin ?? (static () => false);
    }

    /// <summary>The socket, for a <see cref="TftpReactor"/> to drive the transfer on (NETBOOT_TFTP_REACTOR=1).</summary>
    public Socket Socket => _socket;

    public IPEndPoint Client { get; }

    public async ValueTask SendAsync(ReadOnlyMemory<byte> datagram)
    {
        try
        {
            await _socket.SendToAsync(datagram, SocketFlags.None, _client).ConfigureAwait(false);
        }
        catch (SocketException)
        {
            // A lost send is a lost packet.
        }
    }

    public async ValueTask<TftpIncoming> ReceiveAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            int received;
            try
            {
                received = await _socket.ReceiveFromAsync(_receiveBuffer, SocketFlags.None, _from, cancellationToken).ConfigureAwait(false);
            }
            catch (SocketException)
            {
                // ICMP port unreachable from a client that went away: let the deadline decide.
                continue;
            }
            if (!_from.Equals(_client))
            {
                // RFC 1350 §4: a packet from a wrong TID gets ERROR 5 and does not disturb the transfer.
                await RejectStrangerAsync().ConfigureAwait(false);
                continue;
            }
            return TftpIncoming.Classify(_receiveBuffer.AsSpan(0, received));
        }
    }

    public void Send(ReadOnlySpan<byte> datagram)
    {
        try
        {
            _socket.SendTo(datagram, SocketFlags.None, _client);
        }
        catch (SocketException) when (!_interrupted)
        {
            // A lost send is a lost packet.
        }
        catch (Exception e) when (_interrupted && e is ObjectDisposedException or SocketException)
        {
            throw new OperationCanceledException("the TFTP service is stopping", e);
        }
    }

    public bool TryReceive(TimeSpan wait, out TftpIncoming incoming)
    {
        incoming = default;
        var milliseconds = (int)Math.Clamp(Math.Ceiling(wait.TotalMilliseconds), 1, int.MaxValue);
        if (Math.Abs(milliseconds - _receiveTimeoutMilliseconds) > TimeoutSlackMilliseconds)
        {
            _socket.ReceiveTimeout = milliseconds;
            _receiveTimeoutMilliseconds = milliseconds;
        }
        if (_spin.ShouldSpin() && _maySpin())
        {
            _spin.Record(SpinUntilReadable(AckSpinPolicy.SpinTicks));
        }
        int received;
        try
        {
            received = _socket.ReceiveFrom(_receiveBuffer, SocketFlags.None, _from);
        }
        catch (Exception e) when (_interrupted && e is ObjectDisposedException or SocketException)
        {
            throw new OperationCanceledException("the TFTP service is stopping", e);
        }
        catch (SocketException)
        {
            // Timed out, or an ICMP error (port unreachable from a client that went away): the deadline decides.
            return false;
        }
        if (!_from.Equals(_client))
        {
            // RFC 1350 §4: a packet from a wrong TID gets ERROR 5 and does not disturb the transfer.
            var stranger = CopyOfSource();
            var length = TftpPacketEncoder.WriteError(_receiveBuffer, TftpErrorCode.UnknownTransferId, "unknown transfer ID");
            try
            {
                _socket.SendTo(_receiveBuffer.AsSpan(0, length), SocketFlags.None, stranger);
            }
            catch (SocketException)
            {
            }
            _onStranger(stranger);
            return false;
        }
        incoming = TftpIncoming.Classify(_receiveBuffer.AsSpan(0, received));
        return true;
    }

    /// <summary>Polls the socket (FIONREAD, no sleep) for up to <paramref name="ticks"/>: on a LAN the ACK usually
    /// comes back within a few tens of µs, and catching it awake saves the wake-up of a thread asleep in
    /// <c>recvfrom</c>, which is most of the server's share of a lock-step round trip. Each empty poll yields the
    /// CPU to whatever is runnable on it (often the client itself), so the spin never delays anyone.</summary>
    private AckSpinOutcome SpinUntilReadable(long ticks)
    {
        var until = Stopwatch.GetTimestamp() + ticks;
        try
        {
            while (true)
            {
                if (_socket.Available > 0)
                {
                    return AckSpinOutcome.Caught;
                }
                if (Stopwatch.GetTimestamp() >= until)
                {
                    return AckSpinOutcome.Missed;
                }
                // sched_yield: a socket wake-up is "sync", so the client is often queued on THIS CPU behind us; let
                // it run (and send its ACK) at once instead of after the spin. Returns at once when nothing waits.
                Thread.Yield();
            }
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            // Interrupted, or an ICMP error pending: the blocking receive reports it.
            return AckSpinOutcome.Caught;
        }
    }

    public void Interrupt()
    {
        _interrupted = true;
        _socket.Dispose();
    }

    private SocketAddress CopyOfSource()
    {
        var copy = new SocketAddress(_from.Family, _from.Size);
        _from.Buffer.Span[.._from.Size].CopyTo(copy.Buffer.Span);
        return copy;
    }

    private async ValueTask RejectStrangerAsync()
    {
        var stranger = CopyOfSource();
        var length = TftpPacketEncoder.WriteError(_receiveBuffer, TftpErrorCode.UnknownTransferId, "unknown transfer ID");
        try
        {
            await _socket.SendToAsync(_receiveBuffer.AsMemory(0, length), SocketFlags.None, stranger).ConfigureAwait(false);
        }
        catch (SocketException)
        {
        }
        _onStranger(stranger);
    }

    public void Dispose() => _socket.Dispose();
}

internal enum AckSpinOutcome
{
    /// <summary>A datagram arrived while polling: the receive will not sleep.</summary>
    Caught,
    /// <summary>Nothing within the spin time (a slow client or a long round trip).</summary>
    Missed,
}

/// <summary>When a transfer (or a <see cref="TftpReactor"/>) polls for the ACK before it sleeps (pure, per transfer or
/// loop): always at first; after
/// <see cref="MissesBeforeBackoff"/> polls in a row that saw nothing (a slow client, a long round trip) only once
/// every <see cref="BackoffWaits"/> waits, so a transfer the spin cannot help costs almost no extra CPU.</summary>
internal sealed class AckSpinPolicy
{
    /// <summary>Environment variable that sets the poll time in µs (0: never poll), for benchmarking the two ways.</summary>
    public const string SpinVariable = "NETBOOT_TFTP_SPIN_US";
    public const int DefaultSpinMicroseconds = 100;

    /// <summary>How long one poll lasts: longer than a veth or LAN round trip through an awake client.</summary>
    public static readonly long SpinTicks = Stopwatch.Frequency * SpinMicroseconds(Environment.GetEnvironmentVariable(SpinVariable)) / 1_000_000;
    public const int MissesBeforeBackoff = 4;
    public const int BackoffWaits = 64;

    private int _misses;
    private int _skip;

    /// <summary>The poll time from <see cref="SpinVariable"/>: a number of µs up to 1000, else the default.</summary>
    public static int SpinMicroseconds(string? setting) =>
        int.TryParse(setting, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var us) && us <= 1000
            ? us : DefaultSpinMicroseconds;

    public bool ShouldSpin()
    {
        if (_skip > 0)
        {
            _skip--;
            return false;
        }
        return true;
    }

    public void Record(AckSpinOutcome outcome)
    {
        if (outcome == AckSpinOutcome.Caught)
        {
            _misses = 0;
        }
        else if (++_misses >= MissesBeforeBackoff)
        {
            _misses = 0;
            _skip = BackoffWaits;
        }
    }
}

/// <summary><c>tftp-single-port</c>: the transfer shares the listening socket; the listener hands it the client's
/// datagrams through a small bounded queue (oldest dropped: a flood cannot grow memory).</summary>
internal sealed class SinglePortTransferLink : ITftpTransferLink
{
    private readonly Socket _listener;
    private readonly SocketAddress _client;
    private readonly Channel<TftpIncoming> _queue = Channel.CreateBounded<TftpIncoming>(
        new BoundedChannelOptions(64) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true, SingleWriter = true });
    private readonly Action _onDispose;

    public SinglePortTransferLink(Socket listener, IPEndPoint client, Action onDispose)
    {
        _listener = listener;
        _client = client.Serialize();
        _onDispose = onDispose;
    }

    /// <summary>Called by the listener for each datagram from this client.</summary>
    public void Post(ReadOnlySpan<byte> datagram) => _queue.Writer.TryWrite(TftpIncoming.Classify(datagram));

    /// <remarks>A synchronous sendto: every single-port transfer sends on the one listening socket, and concurrent
    /// <c>SendToAsync</c> calls on one socket with a <see cref="SocketAddress"/> failed inside the runtime
    /// (NullReferenceException in <c>DoOperationSendTo</c>, seen once in a full test run); a UDP send does not block for
    /// long, and the synchronous call shares no state between callers.</remarks>
    public ValueTask SendAsync(ReadOnlyMemory<byte> datagram)
    {
        try
        {
            _listener.SendTo(datagram.Span, SocketFlags.None, _client);
        }
        catch (SocketException)
        {
        }
        return ValueTask.CompletedTask;
    }

    public ValueTask<TftpIncoming> ReceiveAsync(CancellationToken cancellationToken) => _queue.Reader.ReadAsync(cancellationToken);

    public void Dispose()
    {
        _queue.Writer.TryComplete();
        _onDispose();
    }
}

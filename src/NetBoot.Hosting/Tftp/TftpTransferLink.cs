using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using NetBoot.Wire.Tftp;

namespace NetBoot.Hosting.Tftp;

/// <summary>How a transfer talks to its client: its own socket (a fresh TID, RFC 1350 §4) or, with
/// <c>tftp-single-port</c>, the port-69 socket shared by every transfer and demultiplexed by client address. Both are
/// blocking: <see cref="TftpTransferRunner"/> drives each transfer on a thread of its own.</summary>
internal interface ITftpTransferLink : IDisposable
{
    /// <summary>Sends one datagram to the client; a send error is a lost packet (the timeout recovers it).</summary>
    void Send(ReadOnlySpan<byte> datagram);

    /// <summary>Waits up to <paramref name="wait"/> for the next datagram from the client and copies it into
    /// <paramref name="buffer"/>; its length, or -1 when none came. Throws <see cref="OperationCanceledException"/>
    /// once <see cref="Interrupt"/> was called.</summary>
    int Receive(TimeSpan wait, Span<byte> buffer);

    /// <summary>Ends a blocked <see cref="Receive"/> from another thread (service shutdown).</summary>
    void Interrupt();
}

/// <summary>A transfer on its own socket: one <c>recvfrom</c> that sleeps until the ACK comes, as tftpd-hpa does,
/// after an optional busy-poll (<c>tftp-busy-poll</c>). Sends and receives go through pre-serialised
/// <see cref="SocketAddress"/>es, so neither allocates per packet.</summary>
internal sealed class SocketTransferLink : ITftpTransferLink
{
    /// <summary>SO_RCVTIMEO is set again only when the wait moves by more than this (one syscall saved per ACK).</summary>
    private const int TimeoutSlackMilliseconds = 20;
    private int _receiveTimeoutMilliseconds = -1;
    private volatile bool _interrupted;

    private readonly Socket _socket;
    private readonly SocketAddress _client;
    private readonly SocketAddress _from;
    private readonly byte[] _errorBuffer = new byte[64];
    private readonly Action<SocketAddress> _onStranger;
    private readonly long _pollTicks;
    private readonly Func<bool> _mayPoll;
    private readonly AckSpinPolicy _spin = new();

    /// <param name="onStranger">Called with a datagram's source when it is not the client (after ERROR 5 was sent).</param>
    /// <param name="busyPoll">How long to poll for the ACK before sleeping (<c>tftp-busy-poll</c>); zero: never.</param>
    /// <param name="mayPoll">Whether a CPU is free to poll now (few transfers active); null: always.</param>
    public SocketTransferLink(Socket socket, IPEndPoint client, Action<SocketAddress> onStranger, TimeSpan busyPoll = default, Func<bool>? mayPoll = null)
    {
        _socket = socket;
        _client = client.Serialize();
        _from = new SocketAddress(client.AddressFamily);
        _onStranger = onStranger;
        _pollTicks = (long)(busyPoll.TotalSeconds * Stopwatch.Frequency);
        _mayPoll = mayPoll ?? (static () => true);
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

    public int Receive(TimeSpan wait, Span<byte> buffer)
    {
        var milliseconds = (int)Math.Clamp(Math.Ceiling(wait.TotalMilliseconds), 1, int.MaxValue);
        if (Math.Abs(milliseconds - _receiveTimeoutMilliseconds) > TimeoutSlackMilliseconds)
        {
            _socket.ReceiveTimeout = milliseconds;
            _receiveTimeoutMilliseconds = milliseconds;
        }
        if (_pollTicks > 0 && _spin.ShouldSpin() && _mayPoll())
        {
            _spin.Record(PollUntilReadable(_pollTicks));
        }
        int received;
        try
        {
            received = _socket.ReceiveFrom(buffer, SocketFlags.None, _from);
        }
        catch (Exception e) when (_interrupted && e is ObjectDisposedException or SocketException)
        {
            throw new OperationCanceledException("the TFTP service is stopping", e);
        }
        catch (SocketException)
        {
            // Timed out, or an ICMP error (port unreachable from a client that went away): the deadline decides.
            return -1;
        }
        if (!_from.Equals(_client))
        {
            RejectStranger();
            return -1;
        }
        return received;
    }

    /// <summary>RFC 1350 §4: a packet from a wrong TID gets ERROR 5 and does not disturb the transfer.</summary>
    private void RejectStranger()
    {
        var stranger = new SocketAddress(_from.Family, _from.Size);
        _from.Buffer.Span[.._from.Size].CopyTo(stranger.Buffer.Span);
        var length = TftpPacketEncoder.WriteError(_errorBuffer, TftpErrorCode.UnknownTransferId, "unknown transfer ID");
        try
        {
            _socket.SendTo(_errorBuffer.AsSpan(0, length), SocketFlags.None, stranger);
        }
        catch (SocketException)
        {
        }
        _onStranger(stranger);
    }

    /// <summary>Polls the socket (FIONREAD, no sleep) for up to <paramref name="ticks"/>: on a LAN the ACK usually
    /// comes back within a few tens of µs, and catching it awake saves the wake-up of a thread asleep in
    /// <c>recvfrom</c>, which is most of the server's share of a lock-step round trip. Each empty poll yields the
    /// CPU to whatever is runnable on it (often the client itself), so the poll never delays anyone.</summary>
    private AckSpinOutcome PollUntilReadable(long ticks)
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
                // it run (and send its ACK) at once instead of after the poll. Returns at once when nothing waits.
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

    public void Dispose() => _socket.Dispose();
}

internal enum AckSpinOutcome
{
    /// <summary>A datagram arrived while polling: the receive will not sleep.</summary>
    Caught,
    /// <summary>Nothing within the poll time (a slow client or a long round trip).</summary>
    Missed,
}

/// <summary>When a transfer polls for the ACK before it sleeps (pure, per transfer): always at first; after
/// <see cref="MissesBeforeBackoff"/> polls in a row that saw nothing (a slow client, a long round trip) only once
/// every <see cref="BackoffWaits"/> waits, so a transfer the poll cannot help costs almost no extra CPU.</summary>
internal sealed class AckSpinPolicy
{
    public const int MissesBeforeBackoff = 4;
    public const int BackoffWaits = 64;

    private int _misses;
    private int _skip;

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
/// datagrams through a small ring of fixed slots (oldest dropped when full: a flood cannot grow memory, and nothing is
/// allocated per datagram).</summary>
internal sealed class SinglePortTransferLink : ITftpTransferLink
{
    private const int Slots = 8;
    /// <summary>An ACK is 4 bytes and an ERROR's text rarely passes 100; a longer datagram is cut (and then ignored).</summary>
    private const int SlotSize = 1024;

    private readonly Socket _listener;
    private readonly SocketAddress _client;
    private readonly Action _onDispose;
    private readonly byte[][] _slots = new byte[Slots][];
    private readonly int[] _lengths = new int[Slots];
    private readonly object _lock = new();
    private int _head;
    private int _count;
    private bool _interrupted;

    public SinglePortTransferLink(Socket listener, IPEndPoint client, Action onDispose)
    {
        _listener = listener;
        _client = client.Serialize();
        _onDispose = onDispose;
        for (var i = 0; i < Slots; i++)
        {
            _slots[i] = new byte[SlotSize];
        }
    }

    /// <summary>Called by the listener for each datagram from this client.</summary>
    public void Post(ReadOnlySpan<byte> datagram)
    {
        lock (_lock)
        {
            if (_count == Slots)
            {
                _head = (_head + 1) % Slots;
                _count--;
            }
            var slot = (_head + _count) % Slots;
            var length = Math.Min(datagram.Length, SlotSize);
            datagram[..length].CopyTo(_slots[slot]);
            _lengths[slot] = length;
            _count++;
            Monitor.Pulse(_lock);
        }
    }

    /// <remarks>A synchronous sendto: every single-port transfer sends on the one listening socket, and concurrent
    /// <c>SendToAsync</c> calls on one socket with a <see cref="SocketAddress"/> failed inside the runtime
    /// (NullReferenceException in <c>DoOperationSendTo</c>, seen once in a full test run); a UDP send does not block for
    /// long, and the synchronous call shares no state between callers.</remarks>
    public void Send(ReadOnlySpan<byte> datagram)
    {
        try
        {
            _listener.SendTo(datagram, SocketFlags.None, _client);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            // A lost send is a lost packet; a closed listener ends the transfer through Interrupt.
        }
    }

    public int Receive(TimeSpan wait, Span<byte> buffer)
    {
        lock (_lock)
        {
            var until = Stopwatch.GetTimestamp() + (long)(wait.TotalSeconds * Stopwatch.Frequency);
            while (_count == 0 && !_interrupted)
            {
                var left = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), until);
                if (left <= TimeSpan.Zero || !Monitor.Wait(_lock, left))
                {
                    break;
                }
            }
            if (_interrupted)
            {
                throw new OperationCanceledException("the TFTP service is stopping");
            }
            if (_count == 0)
            {
                return -1;
            }
            var length = Math.Min(_lengths[_head], buffer.Length);
            _slots[_head].AsSpan(0, length).CopyTo(buffer);
            _head = (_head + 1) % Slots;
            _count--;
            return length;
        }
    }

    public void Interrupt()
    {
        lock (_lock)
        {
            _interrupted = true;
            Monitor.PulseAll(_lock);
        }
    }

    public void Dispose() => _onDispose();
}

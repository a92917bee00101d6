using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using NetBoot.Engine.Tftp;
using NetBoot.Wire.Tftp;

namespace NetBoot.Hosting.Tftp;

/// <summary>One transfer on its own socket, driven by a <see cref="TftpReactor"/>. The socket stays the caller's
/// (it is disposed after <see cref="Completion"/>, so an error can still be sent from it); the reactor owns
/// everything else while the transfer runs.</summary>
internal sealed class TftpReactorTransfer : ITftpTimed
{
    private readonly TaskCompletionSource<TftpStep> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _dataBytesSent;
    private long _packetsSent;

    /// <param name="onStranger">Called with a datagram's source when it is not the client (after ERROR 5 was sent).</param>
    public TftpReactorTransfer(Socket socket, IPEndPoint client, TftpContent content, TftpTransfer transfer, Action<string>? onStranger = null)
    {
        ArgumentNullException.ThrowIfNull(socket);
        ArgumentNullException.ThrowIfNull(client);
        Socket = socket;
        // The reactor never blocks: a read finds a datagram (epoll said so) or EAGAIN; a send that would block is a loss.
        socket.Blocking = false;
        Descriptor = (int)socket.Handle;
        Span<byte> address = stackalloc byte[TftpNative.SocketAddressInSize];
        address.Clear();
        BinaryPrimitives.WriteUInt16LittleEndian(address, (ushort)AddressFamily.InterNetwork);
        BinaryPrimitives.WriteUInt16BigEndian(address[2..], (ushort)client.Port);
        client.Address.TryWriteBytes(address[4..], out _);
        ClientAddress = MemoryMarshal.Read<ulong>(address);
        Content = content;
        Transfer = transfer;
        OnStranger = onStranger;
    }

    public Socket Socket { get; }

    internal int Descriptor { get; }

    /// <summary>The first 8 bytes of the client's <c>sockaddr_in</c> (family, port, address); the rest is zero.</summary>
    internal ulong ClientAddress { get; }

    public TftpContent Content { get; }

    public TftpTransfer Transfer { get; }

    internal Action<string>? OnStranger { get; }

    /// <summary>The last step: completed, aborted by the protocol (retries, stall, client error), or cancelled when
    /// the reactor stops; faulted when the content could not be read.</summary>
    public Task<TftpStep> Completion => _completion.Task;

    /// <summary>DATA payload bytes put on the wire, retransmissions included (read from any thread).</summary>
    public long DataBytesSent => Volatile.Read(ref _dataBytesSent);

    /// <summary>Datagrams sent (OACK and DATA).</summary>
    public long PacketsSent => Volatile.Read(ref _packetsSent);

    long ITftpTimed.ScheduledTicks { get; set; } = TftpTimerQueue<TftpReactorTransfer>.None;

    /// <summary>The transfer's real deadline (UTC ticks); its timer entry may be earlier.</summary>
    internal long DueTicks { get; set; }

    internal int Slot { get; set; } = -1;

    internal uint Generation { get; set; }

    internal bool IsRegistered { get; set; }

    internal void CountData(int bytes)
    {
        Volatile.Write(ref _dataBytesSent, _dataBytesSent + bytes);
        Volatile.Write(ref _packetsSent, _packetsSent + 1);
    }

    internal void CountPacket() => Volatile.Write(ref _packetsSent, _packetsSent + 1);

    internal void Complete(TftpStep step) => _completion.TrySetResult(step);

    internal void Fail(Exception exception) => _completion.TrySetException(exception);

    internal void Cancel() => _completion.TrySetCanceled();
}

/// <summary>An event loop serving many transfers on one thread (issue 3, the boot storm): every transfer socket is
/// non-blocking and registered in this reactor's epoll set; one <c>epoll_wait</c> returns every socket with an ACK
/// waiting, and each is answered at once (one <c>recvfrom</c>, one <c>sendmsg</c> per DATA gathered straight from the
/// shared block cache: no copy, no allocation). A busy reactor thus serves many ACKs per wake-up instead of one
/// sleep/wake of a thread per ACK. Retransmission deadlines live in a <see cref="TftpTimerQueue{T}"/>; every protocol
/// decision (windows, backoff, the 120 s abandon) stays in <see cref="TftpTransfer"/>.</summary>
/// <remarks>While few transfers run (the service says so through <c>mayPoll</c>), the loop first polls for
/// <see cref="AckSpinPolicy.SpinTicks"/> (epoll_wait without timeout, <c>sched_yield</c> between polls) before
/// sleeping, as the per-transfer threads did: a lock-step client's ACK usually comes back within tens of µs, and
/// catching it awake saves a wake-up per block. In a storm nothing polls.</remarks>
internal sealed unsafe class TftpReactor : IDisposable
{
    private const int EventCapacity = 256;
    private const ulong WakeToken = ulong.MaxValue;
    private const int ReceiveSize = 2048;
    private const int ScratchSize = TftpPacketEncoder.HeaderLength + 65536;

    private readonly int _epoll;
    private readonly int _wake;
    private readonly ConcurrentQueue<TftpReactorTransfer> _incoming = new();
    private readonly List<TftpReactorTransfer?> _slots = [];
    private readonly Stack<int> _freeSlots = new();
    private readonly TftpTimerQueue<TftpReactorTransfer> _timers = new();
    private readonly TimeProvider _time;
    private readonly Func<bool> _mayPoll;
    private readonly long _pollTicks;
    private readonly AckSpinPolicy _spin = new();
    private readonly Thread _thread;
    private readonly byte* _memory;
    private readonly byte* _events;
    private readonly byte* _message;
    private readonly nint* _ioVectors;
    private readonly byte* _name;
    private readonly byte* _header;
    private readonly byte* _receive;
    private readonly byte* _from;
    private readonly byte* _scratch;
    private readonly byte* _unknownTransfer;
    private readonly int _unknownTransferLength;
    private readonly int? _nice;
    private uint _generation;
    private long _allocatedBytes;
    private long _wakeUps;
    private long _readyEvents;
    private int _count;
    private int _registered;
    private volatile bool _stopping;
    private bool _disposed;

    /// <param name="mayPoll">Whether a CPU is free to poll for ACKs before sleeping (few transfers in the service).</param>
    /// <param name="pollTicks">How long one poll lasts (<see cref="Stopwatch"/> ticks; 0: never poll).</param>
    /// <param name="nice">The loop thread's nice value (-20 to 19); null: the process's.</param>
    public TftpReactor(string name, TimeProvider time, Func<bool>? mayPoll = null, long? pollTicks = null, int? nice = null)
    {
        _nice = nice;
        _time = time;
        _mayPoll = mayPoll ?? (static () => false);
        _pollTicks = pollTicks ?? AckSpinPolicy.SpinTicks;
        var size = EventCapacity * TftpNative.EpollEventSize + TftpNative.MessageHeaderSize + 3 * TftpNative.IoVectorSize
            + 2 * TftpNative.SocketAddressInSize + 16 + ReceiveSize + ScratchSize + 64;
        _memory = (byte*)NativeMemory.AllocZeroed((nuint)size);
        var p = _memory;
        _events = p; p += EventCapacity * TftpNative.EpollEventSize;
        _message = p; p += TftpNative.MessageHeaderSize;
        _ioVectors = (nint*)p; p += 3 * TftpNative.IoVectorSize;
        _name = p; p += TftpNative.SocketAddressInSize;
        _from = p; p += TftpNative.SocketAddressInSize;
        _header = p; p += 16;
        _receive = p; p += ReceiveSize;
        _unknownTransfer = p; p += 64;
        _scratch = p;
        _unknownTransferLength = TftpPacketEncoder.WriteError(new Span<byte>(_unknownTransfer, 64), TftpErrorCode.UnknownTransferId, "unknown transfer ID");
        // The message header never changes but for the iovec count: the destination and the pieces are rewritten per send.
        *(nint*)_message = (nint)_name;
        *(int*)(_message + 8) = TftpNative.SocketAddressInSize;
        *(nint*)(_message + 16) = (nint)_ioVectors;
        _epoll = TftpNative.epoll_create1(TftpNative.EpollCloexec);
        if (_epoll < 0)
        {
            var error = Marshal.GetLastPInvokeError();
            NativeMemory.Free(_memory);
            throw new SocketException(error);
        }
        _wake = TftpNative.eventfd(0, TftpNative.EventFdCloexec | TftpNative.EventFdNonBlocking);
        if (_wake < 0 || TftpNative.EpollControl(_epoll, TftpNative.EpollCtlAdd, _wake, WakeToken) != 0)
        {
            var error = Marshal.GetLastPInvokeError();
            TftpNative.close(_epoll);
            if (_wake >= 0)
            {
                TftpNative.close(_wake);
            }
            NativeMemory.Free(_memory);
            throw new SocketException(error);
        }
        _thread = new Thread(Loop) { IsBackground = true, Name = name };
        _thread.Start();
    }

    /// <summary>Transfers handed to this reactor and not yet ended (read from any thread).</summary>
    public int Count => Volatile.Read(ref _count);

    /// <summary>Transfer sockets in the epoll set right now (maintained by the reactor thread).</summary>
    public int RegisteredSockets => Volatile.Read(ref _registered);

    /// <summary>The epoll descriptor (tests read <c>/proc/self/fdinfo</c> to see which sockets it watches).</summary>
    internal int EpollDescriptor => _epoll;

    /// <summary>Bytes the loop's thread has allocated so far, as of its last round (tests: the send path allocates nothing).</summary>
    internal long AllocatedBytes => Volatile.Read(ref _allocatedBytes);

    /// <summary>Rounds of the loop and ready sockets they found (how many ACKs one wake-up serves).</summary>
    internal (long WakeUps, long Events) Rounds => (Volatile.Read(ref _wakeUps), Volatile.Read(ref _readyEvents));

    /// <summary>Timer entries, stale ones included (tests: bounded).</summary>
    internal int TimerEntries => _timers.EntryCount;

    /// <summary>Hands a transfer to the reactor; it sends the OACK or first window at once. Thread-safe.</summary>
    public Task<TftpStep> Add(TftpReactorTransfer transfer)
    {
        ArgumentNullException.ThrowIfNull(transfer);
        Interlocked.Increment(ref _count);
        _incoming.Enqueue(transfer);
        if (_stopping)
        {
            // Stop() may have drained the queue already.
            DrainIncomingAsCancelled();
        }
        else
        {
            Signal();
        }
        return transfer.Completion;
    }

    /// <summary>Ends the loop: every running transfer's <see cref="TftpReactorTransfer.Completion"/> is cancelled.
    /// Returns at once; <see cref="Dispose"/> waits for the thread.</summary>
    public void Stop()
    {
        _stopping = true;
        Signal();
    }

    private void Signal()
    {
        ulong one = 1;
        _ = TftpNative.write(_wake, &one, sizeof(ulong));
    }

    private void Loop()
    {
        if (_nice is { } nice)
        {
            // PRIO_PROCESS with a thread id sets that thread's nice value (Linux); without CAP_SYS_NICE a negative
            // value is refused and the loop runs at the process's priority.
            _ = TftpNative.setpriority(0, TftpNative.gettid(), nice);
        }
        try
        {
            while (!_stopping)
            {
                var ready = Wait();
                for (var i = 0; i < ready; i++)
                {
                    var token = *(ulong*)(_events + i * TftpNative.EpollEventSize + TftpNative.EpollDataOffset);
                    if (token == WakeToken)
                    {
                        ulong value;
                        _ = TftpNative.read(_wake, &value, sizeof(ulong));
                        continue;
                    }
                    var slot = (int)(uint)token;
                    if (slot < _slots.Count && _slots[slot] is { } transfer && transfer.Generation == (uint)(token >> 32))
                    {
                        Guarded(transfer, static (reactor, t) => reactor.Receive(t));
                    }
                }
                RegisterIncoming();
                RunTimers();
                _wakeUps++;
                _readyEvents += ready;
                Volatile.Write(ref _allocatedBytes, GC.GetAllocatedBytesForCurrentThread());
            }
        }
        finally
        {
            for (var slot = 0; slot < _slots.Count; slot++)
            {
                if (_slots[slot] is { } transfer)
                {
                    Unregister(transfer);
                    transfer.Cancel();
                }
            }
            DrainIncomingAsCancelled();
        }
    }

    /// <summary>Waits for ready sockets until the next timer; polls first while a CPU is free and the last polls paid.</summary>
    private int Wait()
    {
        var timeout = WaitMilliseconds();
        if (timeout != 0 && _pollTicks > 0 && _registered > 0 && _spin.ShouldSpin() && _mayPoll())
        {
            var until = Stopwatch.GetTimestamp() + _pollTicks;
            while (true)
            {
                var polled = TftpNative.epoll_wait(_epoll, _events, EventCapacity, 0);
                if (polled != 0)
                {
                    _spin.Record(AckSpinOutcome.Caught);
                    return Math.Max(polled, 0);
                }
                if (Stopwatch.GetTimestamp() >= until)
                {
                    _spin.Record(AckSpinOutcome.Missed);
                    break;
                }
                // A socket wake-up is "sync": the client is often queued on this CPU; let it run and send its ACK.
                _ = TftpNative.sched_yield();
            }
            timeout = WaitMilliseconds();
        }
        var ready = TftpNative.epoll_wait(_epoll, _events, EventCapacity, timeout);
        if (ready >= 0)
        {
            return ready;
        }
        var error = Marshal.GetLastPInvokeError();
        return error == TftpNative.ErrorInterrupted ? 0 : throw new SocketException(error);
    }

    private int WaitMilliseconds()
    {
        var next = _timers.NextDueTicks;
        if (next == TftpTimerQueue<TftpReactorTransfer>.None)
        {
            return -1;
        }
        var ticks = next - _time.GetUtcNow().UtcTicks;
        return ticks <= 0 ? 0 : (int)Math.Min((ticks + TimeSpan.TicksPerMillisecond - 1) / TimeSpan.TicksPerMillisecond, int.MaxValue);
    }

    private void RegisterIncoming()
    {
        while (!_stopping && _incoming.TryDequeue(out var transfer))
        {
            var slot = _freeSlots.Count > 0 ? _freeSlots.Pop() : AddSlot();
            transfer.Slot = slot;
            transfer.Generation = ++_generation;
            var token = (ulong)transfer.Generation << 32 | (uint)slot;
            if (TftpNative.EpollControl(_epoll, TftpNative.EpollCtlAdd, transfer.Descriptor, token) != 0)
            {
                var error = Marshal.GetLastPInvokeError();
                _freeSlots.Push(slot);
                Interlocked.Decrement(ref _count);
                transfer.Fail(new SocketException(error));
                continue;
            }
            _slots[slot] = transfer;
            transfer.IsRegistered = true;
            _registered++;
            Guarded(transfer, static (reactor, t) => reactor.Apply(t, t.Transfer.Start(reactor._time.GetUtcNow())));
        }
    }

    private int AddSlot()
    {
        _slots.Add(null);
        return _slots.Count - 1;
    }

    /// <summary>Runs one transfer's work; an exception (a file that became unreadable, a bug) ends that transfer only.</summary>
    private void Guarded(TftpReactorTransfer transfer, Action<TftpReactor, TftpReactorTransfer> work)
    {
        try
        {
            work(this, transfer);
        }
#pragma warning disable CA1031 // One transfer's failure must not stop the others; the owner sees the exception.
        catch (Exception e)
#pragma warning restore CA1031
        {
            if (transfer.IsRegistered)
            {
                Unregister(transfer);
            }
            transfer.Fail(e);
        }
    }

    /// <summary>One datagram from the socket epoll named (level-triggered: more waiting ones come in the next round).</summary>
    private void Receive(TftpReactorTransfer transfer)
    {
        var fromLength = (uint)TftpNative.SocketAddressInSize;
        var received = TftpNative.recvfrom(transfer.Descriptor, _receive, ReceiveSize, TftpNative.MessageDontWait, _from, &fromLength);
        if (received < 0)
        {
            // EAGAIN, or an ICMP error (port unreachable from a client that went away): the deadline decides.
            return;
        }
        if (*(ulong*)_from != transfer.ClientAddress)
        {
            RejectStranger(transfer, fromLength);
            return;
        }
        var incoming = TftpIncoming.Classify(new ReadOnlySpan<byte>(_receive, (int)received));
        switch (incoming.Kind)
        {
            case TftpIncomingKind.Acknowledgment:
                Apply(transfer, transfer.Transfer.OnAck(incoming.Block, _time.GetUtcNow()));
                break;
            case TftpIncomingKind.Error:
                Apply(transfer, transfer.Transfer.OnError(incoming.Code, incoming.Message ?? "", _time.GetUtcNow()));
                break;
            default:
                // Anything else is ignored (dnsmasq parity).
                break;
        }
    }

    /// <summary>RFC 1350 §4: a packet from a wrong TID gets ERROR 5 and does not disturb the transfer.</summary>
    private void RejectStranger(TftpReactorTransfer transfer, uint fromLength)
    {
        _ = TftpNative.sendto(transfer.Descriptor, _unknownTransfer, (nuint)_unknownTransferLength, 0, _from, fromLength);
        if (transfer.OnStranger is { } report && BinaryPrimitives.ReadUInt16LittleEndian(new ReadOnlySpan<byte>(_from, 2)) == (ushort)AddressFamily.InterNetwork)
        {
            var address = new IPAddress(new ReadOnlySpan<byte>(_from + 4, 4));
            var port = BinaryPrimitives.ReadUInt16BigEndian(new ReadOnlySpan<byte>(_from + 2, 2));
            report(new IPEndPoint(address, port).ToString());
        }
    }

    /// <summary>Sends what the step lists, then ends the transfer or (re)arms its timer.</summary>
    private void Apply(TftpReactorTransfer transfer, TftpStep step)
    {
        if (step.SendOptionAcknowledgment)
        {
            var length = TftpPacketEncoder.WriteOack(new Span<byte>(_scratch, ScratchSize), transfer.Transfer.Options.Acknowledged.AsSpan());
            transfer.CountPacket();
            Send(transfer, _scratch, length, null, 0, null, 0);
        }
        var blocks = step.DataBlocks;
        for (var i = 0; i < blocks.Count; i++)
        {
            if (!SendBlock(transfer, blocks[i]))
            {
                break;
            }
        }
        if (step.IsFinished)
        {
            Unregister(transfer);
            // Published before the owner hears of the end, so that a test reading it then sees the whole transfer.
            Volatile.Write(ref _allocatedBytes, GC.GetAllocatedBytesForCurrentThread());
            transfer.Complete(step);
        }
        else if (step.Deadline is { } deadline)
        {
            transfer.DueTicks = deadline.UtcTicks;
            _timers.Schedule(transfer, transfer.DueTicks);
        }
    }

    /// <summary>The 4-byte DATA header and the block's bytes where the cache holds them, gathered by one sendmsg.
    /// False when the content ended in this block (netascii, whose length was not known): no block after it is sent.</summary>
    private bool SendBlock(TftpReactorTransfer transfer, TftpDataBlock block)
    {
        TftpPacketEncoder.WriteDataHeader(new Span<byte>(_header, TftpPacketEncoder.HeaderLength), block.BlockNumber);
        if (transfer.Content.TryMap(block.Offset, block.Length, out var first, out var second))
        {
            fixed (byte* a = first)
            fixed (byte* b = second)
            {
                Send(transfer, _header, TftpPacketEncoder.HeaderLength, a, first.Length, b, second.Length);
            }
            transfer.CountData(block.Length);
            return true;
        }
        // Netascii (converted as it is sent), or every cache buffer is pinned: read the block into the scratch buffer
        // behind a copy of the header.
        new ReadOnlySpan<byte>(_header, TftpPacketEncoder.HeaderLength).CopyTo(new Span<byte>(_scratch, ScratchSize));
        var read = transfer.Content.Read(block.Offset, new Span<byte>(_scratch + TftpPacketEncoder.HeaderLength, block.Length));
        Send(transfer, _scratch, TftpPacketEncoder.HeaderLength + read, null, 0, null, 0);
        transfer.CountData(read);
        if (read < block.Length)
        {
            transfer.Transfer.OnContentEnd(block.Index, read);
            return false;
        }
        return true;
    }

    /// <summary>One datagram to the client from up to three pieces. A send that fails (full buffer, ICMP error pending)
    /// is a lost packet: the transfer's timeout recovers it.</summary>
    private void Send(TftpReactorTransfer transfer, byte* p0, int l0, byte* p1, int l1, byte* p2, int l2)
    {
        *(ulong*)_name = transfer.ClientAddress;
        var pieces = 0;
        AddPiece(ref pieces, p0, l0);
        AddPiece(ref pieces, p1, l1);
        AddPiece(ref pieces, p2, l2);
        *(nint*)(_message + 24) = pieces;
        _ = TftpNative.sendmsg(transfer.Descriptor, _message, 0);
    }

    private void AddPiece(ref int pieces, byte* pointer, int length)
    {
        if (length <= 0)
        {
            return;
        }
        _ioVectors[2 * pieces] = (nint)pointer;
        _ioVectors[2 * pieces + 1] = length;
        pieces++;
    }

    private void RunTimers()
    {
        var now = _time.GetUtcNow().UtcTicks;
        while (_timers.TryTakeDue(now, out var transfer))
        {
            if (!transfer.IsRegistered)
            {
                continue;
            }
            if (transfer.DueTicks > now)
            {
                // Moved on since the entry was made (ACKs came): look again at the real deadline.
                _timers.Schedule(transfer, transfer.DueTicks);
                continue;
            }
            Guarded(transfer, static (reactor, t) => reactor.Apply(t, t.Transfer.OnTimeout(reactor._time.GetUtcNow())));
        }
    }

    /// <summary>Takes the socket out of the epoll set (the caller closes it) and frees the slot.</summary>
    private void Unregister(TftpReactorTransfer transfer)
    {
        if (!transfer.IsRegistered)
        {
            return;
        }
        transfer.IsRegistered = false;
        _ = TftpNative.EpollControl(_epoll, TftpNative.EpollCtlDelete, transfer.Descriptor, 0);
        _slots[transfer.Slot] = null;
        _freeSlots.Push(transfer.Slot);
        TftpTimerQueue<TftpReactorTransfer>.Cancel(transfer);
        _registered--;
        Interlocked.Decrement(ref _count);
    }

    private void DrainIncomingAsCancelled()
    {
        while (_incoming.TryDequeue(out var transfer))
        {
            Interlocked.Decrement(ref _count);
            transfer.Cancel();
        }
    }

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }
        _disposed = true;
        Stop();
        _thread.Join();
        TftpNative.close(_wake);
        TftpNative.close(_epoll);
        NativeMemory.Free(_memory);
    }
}

/// <summary>The service's reactors, one per CPU at most (<c>NETBOOT_TFTP_REACTORS</c> overrides, for benchmarks);
/// a new transfer goes to the one with the fewest. Used only with <c>NETBOOT_TFTP_REACTOR=1</c>: measured on the
/// 2-vCPU benchmark VM, a boot storm took longer with reactors than with one thread per transfer (bench/tftp/README.md).</summary>
internal sealed class TftpReactorPool : IDisposable
{
    /// <summary>Set to 1 to run transfers on their own socket in reactors (default: one thread per transfer).</summary>
    public const string EnableVariable = "NETBOOT_TFTP_REACTOR";

    public const string ReactorsVariable = "NETBOOT_TFTP_REACTORS";

    /// <summary>Nice value for the loop threads (benchmarks: in a storm a loop serving fifty clients otherwise gets the
    /// CPU share of one of them). Unset by default.</summary>
    public const string NiceVariable = "NETBOOT_TFTP_REACTOR_NICE";

    private readonly TftpReactor[] _reactors;

    public TftpReactorPool(int count, TimeProvider time, Func<bool>? mayPoll = null, int? nice = null)
    {
        _reactors = new TftpReactor[Math.Max(count, 1)];
        for (var i = 0; i < _reactors.Length; i++)
        {
            _reactors[i] = new TftpReactor($"tftp-reactor-{i}", time, mayPoll, nice: nice);
        }
    }

    public static bool IsEnabled(string? setting) => setting == "1";

    /// <summary>The nice value from <see cref="NiceVariable"/>: -20 to 19, else none.</summary>
    public static int? NiceValue(string? setting) =>
        int.TryParse(setting, System.Globalization.NumberStyles.AllowLeadingSign, System.Globalization.CultureInfo.InvariantCulture, out var n) && n is >= -20 and <= 19
            ? n : null;

    /// <summary>How many reactors by default: one per CPU, at most 4 (a reactor serves thousands of ACKs per wake-up;
    /// more threads would only contend with the clients), or what <see cref="ReactorsVariable"/> says (1 to 64).</summary>
    public static int DefaultCount(string? setting, int processors) =>
        int.TryParse(setting, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var n) && n is >= 1 and <= 64
            ? n : Math.Clamp(processors, 1, 4);

    public IReadOnlyList<TftpReactor> Reactors => _reactors;

    public Task<TftpStep> Add(TftpReactorTransfer transfer)
    {
        var best = _reactors[0];
        for (var i = 1; i < _reactors.Length; i++)
        {
            if (_reactors[i].Count < best.Count)
            {
                best = _reactors[i];
            }
        }
        return best.Add(transfer);
    }

    public void Stop()
    {
        foreach (var reactor in _reactors)
        {
            reactor.Stop();
        }
    }

    public void Dispose()
    {
        foreach (var reactor in _reactors)
        {
            reactor.Dispose();
        }
    }
}

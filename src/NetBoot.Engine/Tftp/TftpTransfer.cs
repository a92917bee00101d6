using NetBoot.Wire.Tftp;

namespace NetBoot.Engine.Tftp;

/// <summary>Retransmission and abandonment limits of a transfer.</summary>
public sealed record TftpTransferLimits
{
    public static TftpTransferLimits Default { get; } = new();

    /// <summary>Wait for an ACK when the client did not negotiate <c>timeout</c> (dnsmasq: 2 s).</summary>
    public TimeSpan DefaultTimeout { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>Consecutive timeouts without progress before giving up.</summary>
    public int MaximumRetries { get; init; } = 7;

    /// <summary>dnsmasq <c>TFTP_TRANSFER_TIME</c>: a transfer with no progress for this long is abandoned.</summary>
    public TimeSpan StallTimeout { get; init; } = TimeSpan.FromSeconds(120);
}

public enum TftpTransferState
{
    Created,
    /// <summary>OACK sent, waiting for ACK 0 (RFC 2347).</summary>
    AwaitingOptionAcknowledgment,
    Transferring,
    Completed,
    Aborted,
}

/// <summary>The server side of one read transfer (RFC 1350 lock-step, RFC 7440 windows) as a pure state machine:
/// each event returns a <see cref="TftpStep"/> saying what to send and when to wake up. It never reads the file,
/// the clock or a socket; <c>now</c> is passed in. Not thread-safe: one transfer is driven by one loop.</summary>
/// <remarks>Blocks are tracked with a 64-bit index; the wire number is the index modulo 65536, so transfers past
/// block 65535 roll over to 0 (what dnsmasq, iPXE and EDK2 do). The content is split into
/// <c>length / blksize + 1</c> blocks, so the last block is always shorter than blksize — empty when the length
/// is a multiple of blksize (RFC 1350 §6). Windows larger than 32768 blocks would make old and new ACKs
/// ambiguous after roll-over; negotiation caps windows at <c>TftpConfig.MaxWindowSize</c> (32).
/// <para>The length may be unknown at the start (netascii, converted while it is sent: <see cref="NetasciiContent"/>).
/// Every block is then described as a whole blksize; the service reads it, and the first read that comes back short
/// (maybe empty) is the last block: the service sends what it read, sends no block after it, and reports the end with
/// <see cref="OnContentEnd"/>. From then on the transfer is the same as one of that length from the start, block
/// numbers and roll-over included.</para></remarks>
/// <example>How a service drives one transfer (buffer = a pooled byte[] of 4 + blksize):
/// <code>
/// var decision = TftpRequestResponder.Decide(rrq, policy, arrival.Name, new TftpClientIdentity(clientIp));
/// if (!decision.IsAccepted) { send(buffer[..TftpPacketEncoder.WriteError(buffer, decision.ErrorCode, decision.ErrorMessage)]); return; }
/// var content = OpenShared(decision.FullPath!);                 // octet: the file; netascii: a NetasciiContent over it
/// var options = TftpNegotiation.Negotiate(rrq.Options.AsSpan(), decision.Mode, content.Length, config.Tftp, arrival.Mtu);
/// var transfer = new TftpTransfer(content.Length, options);
/// var step = transfer.Start(time.GetUtcNow());
/// while (true)
/// {
///     if (step.SendOptionAcknowledgment) send(buffer[..TftpPacketEncoder.WriteOack(buffer, options.Acknowledged.AsSpan())]);
///     foreach (var block in step.DataBlocks)
///     {
///         TftpPacketEncoder.WriteDataHeader(buffer, block.BlockNumber);
///         var read = content.Read(block.Offset, buffer.AsSpan(4, block.Length));
///         send(buffer.AsSpan(0, 4 + read));
///         if (read &lt; block.Length) { transfer.OnContentEnd(block.Index, read); break; }   // netascii: the end found
///     }
///     if (step.IsFinished) { log(step.End, step.Statistics, step.Abort, quiet: step.IsQuietEnd); break; }
///     step = await ReceiveFromClientTidUntil(step.Deadline!.Value) is { } datagram
///         ? transfer.OnDatagram(datagram, time.GetUtcNow())
///         : transfer.OnTimeout(time.GetUtcNow());
/// }
/// </code></example>
public sealed class TftpTransfer
{
    private readonly TftpTransferLimits _limits;
    private readonly TimeSpan _timeout;
    private long _totalBlocks;
    private long _acknowledged;
    private long _sentThrough;
    private int _retries;
    private long _retransmissions;
    private DateTimeOffset _started;
    private DateTimeOffset _lastProgress;
    private DateTimeOffset _deadline;

    /// <param name="contentLength">Bytes to send (the file size); null when known only once the content has been
    /// read to its end (netascii, see <see cref="OnContentEnd"/>).</param>
    /// <param name="options">The outcome of <see cref="TftpNegotiation.Negotiate"/>.</param>
    /// <param name="limits">Retry and stall limits; <see cref="TftpTransferLimits.Default"/> when null.</param>
    public TftpTransfer(long? contentLength, TftpNegotiatedOptions options, TftpTransferLimits? limits = null)
    {
        if (contentLength is { } length)
        {
            ArgumentOutOfRangeException.ThrowIfNegative(length);
        }
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.BlockSize, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.WindowSize, 1);
        ContentLength = contentLength;
        Options = options;
        _limits = limits ?? TftpTransferLimits.Default;
        _timeout = options.Timeout ?? _limits.DefaultTimeout;
        _totalBlocks = contentLength is { } known ? known / options.BlockSize + 1 : long.MaxValue;
    }

    /// <summary>Bytes in the content; null while unknown (netascii before its end was read).</summary>
    public long? ContentLength { get; private set; }

    public TftpNegotiatedOptions Options { get; }

    public int BlockSize => Options.BlockSize;

    public int WindowSize => Options.WindowSize;

    /// <summary>DATA blocks in the transfer, the final short (maybe empty) one included; null while the length is unknown.</summary>
    public long? TotalBlocks => ContentLength is null ? null : _totalBlocks;

    public TftpTransferState State { get; private set; }

    /// <summary>Blocks the client has acknowledged so far.</summary>
    public long AcknowledgedBlocks => _acknowledged;

    /// <summary>Sends the OACK (when options were granted) or the first window of DATA.</summary>
    public TftpStep Start(DateTimeOffset now)
    {
        if (State != TftpTransferState.Created)
        {
            throw new InvalidOperationException("the transfer has already started");
        }
        _started = now;
        _lastProgress = now;
        _deadline = now + _timeout;
        if (Options.SendsOptionAcknowledgment)
        {
            // RFC 2347: the OACK is acknowledged by ACK 0 before DATA 1 is sent.
            State = TftpTransferState.AwaitingOptionAcknowledgment;
            return Continue(sendOptionAcknowledgment: true, Blocks(0, 0));
        }
        State = TftpTransferState.Transferring;
        return Continue(false, SendWindow());
    }

    /// <summary>An ACK arrived from the client's transfer ID.</summary>
    public TftpStep OnAck(ushort block, DateTimeOffset now)
    {
        if (IsFinished)
        {
            return Ignored();
        }
        if (IsStalled(now))
        {
            return Abort(TftpTransferEnd.Stalled, now);
        }
        if (State == TftpTransferState.AwaitingOptionAcknowledgment)
        {
            return block == 0 ? BeginData(now) : Wait();
        }
        // RFC 7440 §4: the ACK names the last block received in order; map it to the 64-bit index ahead of
        // the last acknowledged one. Distance 0 is a duplicate; beyond what was sent is an old or bogus ACK.
        // Neither triggers a send (RFC 1350 "Sorcerer's Apprentice" fix: only timeouts retransmit).
        var distance = (ushort)(block - (ushort)_acknowledged);
        var index = _acknowledged + distance;
        if (distance == 0 || index > _sentThrough)
        {
            return Wait();
        }
        _acknowledged = index;
        _retries = 0;
        _lastProgress = now;
        _deadline = now + _timeout;
        if (_acknowledged == _totalBlocks)
        {
            State = TftpTransferState.Completed;
            return Finish(TftpStepKind.Completed, TftpTransferEnd.Completed, now, abort: null);
        }
        // An ACK inside the window means the client lost a block after it: continue from there (RFC 7440 §4).
        return Continue(false, SendWindow());
    }

    /// <summary>One datagram from the client's transfer ID: ACK → <see cref="OnAck"/>, ERROR → <see cref="OnError"/>;
    /// anything else (malformed, DATA, a stray request) is ignored, as dnsmasq does.</summary>
    public TftpStep OnDatagram(ReadOnlySpan<byte> datagram, DateTimeOffset now)
    {
        if (TftpPacketDecoder.TryReadAck(datagram, out var block))
        {
            return OnAck(block, now);
        }
        if (TftpPacketDecoder.TryReadOpcode(datagram, out var opcode) && opcode == TftpOpcode.Error
            && TftpPacketDecoder.TryDecode(datagram, out var packet, out _) && packet is TftpErrorPacket error)
        {
            return OnError(error.Code, error.Message, now);
        }
        return IsFinished ? Ignored() : Wait();
    }

    /// <summary>The deadline of the last step passed. Resends the OACK or the unacknowledged window once, with
    /// backoff; gives up after <see cref="TftpTransferLimits.MaximumRetries"/> or the stall limit.</summary>
    public TftpStep OnTimeout(DateTimeOffset now)
    {
        if (IsFinished)
        {
            return Ignored();
        }
        if (now < _deadline)
        {
            return Wait();
        }
        if (IsStalled(now))
        {
            return Abort(TftpTransferEnd.Stalled, now);
        }
        if (_retries >= _limits.MaximumRetries)
        {
            return Abort(TftpTransferEnd.RetriesExhausted, now);
        }
        _retries++;
        _deadline = Min(now + RetransmitDelay(_retries), _lastProgress + _limits.StallTimeout);
        if (State == TftpTransferState.AwaitingOptionAcknowledgment)
        {
            _retransmissions++;
            return Continue(sendOptionAcknowledgment: true, Blocks(0, 0));
        }
        // Resend the window from the block after the last acknowledged one.
        var resend = Blocks(_acknowledged + 1, (int)(_sentThrough - _acknowledged));
        _retransmissions += resend.Count;
        return Continue(false, resend);
    }

    /// <summary>The client sent ERROR: the transfer ends. Right after the OACK this is the usual size probe.</summary>
    public TftpStep OnError(TftpErrorCode code, string message, DateTimeOffset now)
    {
        if (IsFinished)
        {
            return Ignored();
        }
        var end = State == TftpTransferState.AwaitingOptionAcknowledgment
            ? TftpTransferEnd.ClientEndedAfterOptions
            : TftpTransferEnd.ClientError;
        // The client's own text, kept as sent: whoever shows it escapes it (LogText.Escape).
        return Abort(end, now, code, message);
    }

    /// <summary>The service read block <paramref name="index"/> (1-based) and got <paramref name="length"/> bytes, fewer
    /// than it was described with: the content ends in that block, which is the last one (RFC 1350 §6: shorter than
    /// blksize, maybe empty). It sent that block and none after it. Until the length is known every block is
    /// described as a whole blksize; from now on the transfer is one of exactly this length. Sends nothing itself:
    /// the last block's ACK completes the transfer as usual.</summary>
    public void OnContentEnd(long index, int length)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(index, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(length, BlockSize);
        // A block the client has acknowledged cannot become the end (the file changed under the transfer): keep going
        // and let the next read find the end again.
        if (IsFinished || index <= _acknowledged)
        {
            return;
        }
        ContentLength = (index - 1) * BlockSize + length;
        _totalBlocks = index;
        _sentThrough = Math.Min(_sentThrough, index);
    }

    /// <summary>Where block <paramref name="index"/> (1-based) lies in content of <paramref name="contentLength"/> bytes.</summary>
    public static TftpDataBlock DescribeBlock(long index, int blockSize, long contentLength)
    {
        var offset = (index - 1) * blockSize;
        var length = (int)Math.Clamp(contentLength - offset, 0, blockSize);
        return new TftpDataBlock(index, unchecked((ushort)index), offset, length, length < blockSize);
    }

    /// <summary>dnsmasq parity (tftp.c): the first wait is the timeout (2 s), the wait after the n-th
    /// retransmission grows as <c>1 + 2^(n/2)</c> s (2, 3, 3, 5, 5, 9, 9 …); a negotiated timeout replaces the 2 s.</summary>
    internal TimeSpan RetransmitDelay(int retries) =>
        retries == 0 ? _timeout : _timeout - TimeSpan.FromSeconds(1) + TimeSpan.FromSeconds(1L << Math.Min(retries / 2, 16));

    private bool IsFinished => State is TftpTransferState.Completed or TftpTransferState.Aborted;

    private bool IsStalled(DateTimeOffset now) => now - _lastProgress >= _limits.StallTimeout;

    private TftpStep BeginData(DateTimeOffset now)
    {
        State = TftpTransferState.Transferring;
        _retries = 0;
        _lastProgress = now;
        _deadline = now + _timeout;
        return Continue(false, SendWindow());
    }

    /// <summary>Blocks acknowledged+1 … acknowledged+window (capped at the last block); those already sent once
    /// count as retransmissions.</summary>
    private TftpDataBlockRange SendWindow()
    {
        var first = _acknowledged + 1;
        var last = Math.Min(_acknowledged + WindowSize, _totalBlocks);
        if (_sentThrough >= first)
        {
            _retransmissions += Math.Min(_sentThrough, last) - first + 1;
        }
        _sentThrough = Math.Max(_sentThrough, last);
        return Blocks(first, (int)(last - first + 1));
    }

    /// <remarks>An unknown length describes every block as a whole blksize (the read finds the end).</remarks>
    private TftpDataBlockRange Blocks(long first, int count) => new(first, count, BlockSize, ContentLength ?? long.MaxValue);

    private TftpStep Continue(bool sendOptionAcknowledgment, TftpDataBlockRange blocks) =>
        new(TftpStepKind.Continue, sendOptionAcknowledgment, blocks, _deadline);

    private TftpStep Wait() => Continue(false, Blocks(0, 0));

    private TftpStep Ignored() => new(TftpStepKind.Continue, false, Blocks(0, 0), null);

    private TftpStep Abort(TftpTransferEnd end, DateTimeOffset now, TftpErrorCode clientErrorCode = TftpErrorCode.NotDefined, string clientErrorMessage = "")
    {
        State = TftpTransferState.Aborted;
        var abort = new TftpTransferAbort(end, _acknowledged, _retries, _timeout, now - _lastProgress, clientErrorCode, clientErrorMessage);
        return Finish(TftpStepKind.Aborted, end, now, abort);
    }

    private TftpStep Finish(TftpStepKind kind, TftpTransferEnd end, DateTimeOffset now, TftpTransferAbort? abort) =>
        new(kind, false, Blocks(0, 0), null, end, Statistics(now), abort);

    private TftpTransferStatistics Statistics(DateTimeOffset now) => new(
        Bytes: Math.Min(_acknowledged * BlockSize, ContentLength ?? long.MaxValue),
        Blocks: _acknowledged,
        Retransmissions: _retransmissions,
        Duration: now - _started,
        BlockSize: BlockSize,
        WindowSize: WindowSize);

    private static DateTimeOffset Min(DateTimeOffset a, DateTimeOffset b) => a < b ? a : b;
}

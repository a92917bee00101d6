using NetBoot.Engine.Tftp;
using NetBoot.Wire.Tftp;

namespace NetBoot.Hosting.Tftp;

/// <summary>Drives one <see cref="TftpTransfer"/> (on its own thread, or async for tftp-single-port; the other way is
/// a <see cref="TftpReactor"/>): sends what each step lists, waits for the client until the
/// step's deadline, and feeds ACKs, errors and timeouts back. The send path allocates nothing per packet: one send
/// buffer per transfer, block bytes copied from the shared cache, pre-serialised addresses, and one timeout source
/// re-armed for each wait (a new one only after it fired).</summary>
internal sealed class TftpTransferRunner : IDisposable
{
    private readonly ITftpTransferLink _link;
    private readonly TftpContent _content;
    private readonly TftpTransfer _transfer;
    private readonly TimeProvider _time;
    private readonly byte[] _sendBuffer;
    private CancellationTokenSource _timeout;
    private CancellationToken _stopping;

    public TftpTransferRunner(ITftpTransferLink link, TftpContent content, TftpTransfer transfer, TimeProvider time)
    {
        _link = link;
        _content = content;
        _transfer = transfer;
        _time = time;
        _sendBuffer = new byte[TftpPacketEncoder.HeaderLength + Math.Max(transfer.BlockSize, 512)];
        _timeout = NewTimeoutSource();
    }

    /// <summary>DATA payload bytes put on the wire, retransmissions included.</summary>
    public long DataBytesSent { get; private set; }

    /// <summary>Datagrams sent (OACK and DATA).</summary>
    public long PacketsSent { get; private set; }

    /// <remarks>One async method holds the whole loop: helper async methods would each allocate a state machine
    /// per packet in Debug builds (and whenever they suspend).</remarks>
    public async Task<TftpStep> RunAsync(CancellationToken cancellationToken)
    {
        _stopping = cancellationToken;
        using var stop = cancellationToken.UnsafeRegister(static state => ((TftpTransferRunner)state!).CancelWait(), this);
        var step = _transfer.Start(_time.GetUtcNow());
        while (true)
        {
            if (step.SendOptionAcknowledgment)
            {
                PacketsSent++;
                var length = TftpPacketEncoder.WriteOack(_sendBuffer, _transfer.Options.Acknowledged.AsSpan());
                await _link.SendAsync(_sendBuffer.AsMemory(0, length)).ConfigureAwait(false);
            }
            for (var i = 0; i < step.DataBlocks.Count; i++)
            {
                PacketsSent++;
                var length = WriteData(step.DataBlocks[i], out var isEnd);
                await _link.SendAsync(_sendBuffer.AsMemory(0, length)).ConfigureAwait(false);
                if (isEnd)
                {
                    break;
                }
            }
            if (step.IsFinished)
            {
                return step;
            }
            // Wait for the next datagram that changes the transfer, or the deadline.
            var deadline = step.Deadline!.Value;
            while (true)
            {
                _stopping.ThrowIfCancellationRequested();
                var wait = deadline - _time.GetUtcNow();
                if (wait <= TimeSpan.Zero)
                {
                    step = _transfer.OnTimeout(_time.GetUtcNow());
                    break;
                }
                _timeout.CancelAfter(wait);
                TftpIncoming incoming;
                try
                {
                    incoming = await _link.ReceiveAsync(_timeout.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    // The timer fired (or the service stops: checked above). A cancelled source cannot be re-armed.
                    _timeout.Dispose();
                    _timeout = NewTimeoutSource();
                    continue;
                }
                if (TryApply(incoming, out step))
                {
                    break;
                }
            }
        }
    }

    /// <summary>The same loop on the caller's thread with blocking socket calls (a transfer on its own socket runs on
    /// a dedicated thread: lock-step speed is one round trip per block, and a sleeping <c>recvfrom</c> answers
    /// fastest). Throws <see cref="OperationCanceledException"/> when <paramref name="cancellationToken"/> fires.</summary>
    public TftpStep Run(IBlockingTftpTransferLink link, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(link);
        using var stop = cancellationToken.UnsafeRegister(static state => ((IBlockingTftpTransferLink)state!).Interrupt(), link);
        var step = _transfer.Start(_time.GetUtcNow());
        while (true)
        {
            if (step.SendOptionAcknowledgment)
            {
                PacketsSent++;
                link.Send(_sendBuffer.AsSpan(0, TftpPacketEncoder.WriteOack(_sendBuffer, _transfer.Options.Acknowledged.AsSpan())));
            }
            for (var i = 0; i < step.DataBlocks.Count; i++)
            {
                PacketsSent++;
                link.Send(_sendBuffer.AsSpan(0, WriteData(step.DataBlocks[i], out var isEnd)));
                if (isEnd)
                {
                    break;
                }
            }
            if (step.IsFinished)
            {
                return step;
            }
            var deadline = step.Deadline!.Value;
            while (true)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var wait = deadline - _time.GetUtcNow();
                if (wait <= TimeSpan.Zero)
                {
                    step = _transfer.OnTimeout(_time.GetUtcNow());
                    break;
                }
                if (link.TryReceive(wait, out var incoming) && TryApply(incoming, out step))
                {
                    break;
                }
            }
        }
    }

    /// <summary>ACK and ERROR move the transfer; anything else is ignored (dnsmasq parity).</summary>
    private bool TryApply(TftpIncoming incoming, out TftpStep step)
    {
        var now = _time.GetUtcNow();
        switch (incoming.Kind)
        {
            case TftpIncomingKind.Acknowledgment:
                step = _transfer.OnAck(incoming.Block, now);
                return true;
            case TftpIncomingKind.Error:
                step = _transfer.OnError(incoming.Code, incoming.Message ?? "", now);
                return true;
            default:
                step = default;
                return false;
        }
    }

    /// <summary>DATA header and payload (copied from the shared cache, or converted to netascii) into the send
    /// buffer; returns the length. <paramref name="isEnd"/>: the content ended in this block (netascii: its length
    /// was not known), so no block after it is sent.</summary>
    private int WriteData(TftpDataBlock block, out bool isEnd)
    {
        var header = TftpPacketEncoder.WriteDataHeader(_sendBuffer, block.BlockNumber);
        var read = _content.Read(block.Offset, _sendBuffer.AsSpan(header, block.Length));
        isEnd = read < block.Length;
        if (isEnd)
        {
            _transfer.OnContentEnd(block.Index, read);
        }
        DataBytesSent += read;
        return header + read;
    }

    private CancellationTokenSource NewTimeoutSource() => new(Timeout.InfiniteTimeSpan, _time);

    private void CancelWait()
    {
        try
        {
            Volatile.Read(ref _timeout).Cancel();
        }
        catch (ObjectDisposedException)
        {
            // Replaced meanwhile: the loop checks the stopping token before every wait.
        }
    }

    public void Dispose() => _timeout.Dispose();
}

using NetBoot.Engine.Tftp;
using NetBoot.Wire.Tftp;

namespace NetBoot.Hosting.Tftp;

/// <summary>Drives one <see cref="TftpTransfer"/>: sends what each step lists, waits for the client until the
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

    public async Task<TftpStep> RunAsync(CancellationToken cancellationToken)
    {
        _stopping = cancellationToken;
        using var stop = cancellationToken.UnsafeRegister(static state => ((TftpTransferRunner)state!).CancelWait(), this);
        var step = _transfer.Start(_time.GetUtcNow());
        while (true)
        {
            await SendAsync(step).ConfigureAwait(false);
            if (step.IsFinished)
            {
                return step;
            }
            step = await NextEventAsync(step.Deadline!.Value).ConfigureAwait(false);
        }
    }

    /// <summary>Waits for the next datagram that changes the transfer, or the deadline.</summary>
    private async ValueTask<TftpStep> NextEventAsync(DateTimeOffset deadline)
    {
        while (true)
        {
            _stopping.ThrowIfCancellationRequested();
            var wait = deadline - _time.GetUtcNow();
            if (wait <= TimeSpan.Zero)
            {
                return _transfer.OnTimeout(_time.GetUtcNow());
            }
            _timeout.CancelAfter(wait);
            TftpIncoming incoming;
            try
            {
                incoming = await _link.ReceiveAsync(_timeout.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // The timer fired (or the service stops: checked at the top). A cancelled source cannot be re-armed.
                _timeout.Dispose();
                _timeout = NewTimeoutSource();
                continue;
            }
            var now = _time.GetUtcNow();
            switch (incoming.Kind)
            {
                case TftpIncomingKind.Acknowledgment:
                    return _transfer.OnAck(incoming.Block, now);
                case TftpIncomingKind.Error:
                    return _transfer.OnError(incoming.Code, incoming.Message ?? "", now);
                default:
                    continue;
            }
        }
    }

    private async ValueTask SendAsync(TftpStep step)
    {
        if (step.SendOptionAcknowledgment)
        {
            var length = TftpPacketEncoder.WriteOack(_sendBuffer, _transfer.Options.Acknowledged.AsSpan());
            await SendDatagramAsync(length).ConfigureAwait(false);
        }
        foreach (var block in step.DataBlocks)
        {
            var header = TftpPacketEncoder.WriteDataHeader(_sendBuffer, block.BlockNumber);
            _content.Read(block.Offset, _sendBuffer.AsSpan(header, block.Length));
            DataBytesSent += block.Length;
            await SendDatagramAsync(header + block.Length).ConfigureAwait(false);
        }
    }

    private ValueTask SendDatagramAsync(int length)
    {
        PacketsSent++;
        return _link.SendAsync(_sendBuffer.AsMemory(0, length));
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

using NetBoot.Engine.Tftp;
using NetBoot.Wire.Tftp;

namespace NetBoot.Hosting.Tftp;

/// <summary>The one TFTP transfer engine, for every mode: drives the pure <see cref="TftpTransfer"/> on the caller's
/// thread (a dedicated one per transfer) with blocking calls on its <see cref="ITftpTransferLink"/> (its own socket,
/// or port 69 shared under tftp-single-port). Sends what each step lists, waits for the client until the step's
/// deadline, and hands every datagram and timeout back to the state machine (which classifies ACK, ERROR and the
/// rest). Lock-step speed is one round trip per block, and a sleeping <c>recvfrom</c> answers fastest. Nothing is
/// allocated per packet: one send and one receive buffer per transfer, block bytes copied from the shared cache,
/// pre-serialised addresses.</summary>
internal sealed class TftpTransferRunner(ITftpTransferLink link, TftpContent content, TftpTransfer transfer, TimeProvider time)
{
    /// <summary>The largest datagram a client sends that matters: an ERROR with its text (an ACK is 4 bytes).</summary>
    private const int ReceiveBufferSize = 1024;

    private readonly byte[] _sendBuffer = new byte[TftpPacketEncoder.HeaderLength + Math.Max(transfer.BlockSize, 512)];
    private readonly byte[] _receiveBuffer = new byte[ReceiveBufferSize];

    /// <summary>DATA payload bytes put on the wire, retransmissions included.</summary>
    public long DataBytesSent { get; private set; }

    /// <summary>Datagrams sent (OACK and DATA).</summary>
    public long PacketsSent { get; private set; }

    /// <summary>Runs the transfer to its end. Throws <see cref="OperationCanceledException"/> when
    /// <paramref name="cancellationToken"/> fires (the link is interrupted, so a blocked receive returns at once).</summary>
    public TftpStep Run(CancellationToken cancellationToken)
    {
        using var stop = cancellationToken.UnsafeRegister(static state => ((ITftpTransferLink)state!).Interrupt(), link);
        var step = transfer.Start(time.GetUtcNow());
        while (true)
        {
            if (step.SendOptionAcknowledgment)
            {
                PacketsSent++;
                link.Send(_sendBuffer.AsSpan(0, TftpPacketEncoder.WriteOack(_sendBuffer, transfer.Options.Acknowledged.AsSpan())));
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
            cancellationToken.ThrowIfCancellationRequested();
            // A datagram that does not move the transfer (a duplicate ACK, garbage) is a step with nothing to send
            // and the same deadline: the loop simply waits again.
            var wait = step.Deadline!.Value - time.GetUtcNow();
            var length = wait > TimeSpan.Zero ? link.Receive(wait, _receiveBuffer) : -1;
            step = length >= 0
                ? transfer.OnDatagram(_receiveBuffer.AsSpan(0, length), time.GetUtcNow())
                : transfer.OnTimeout(time.GetUtcNow());
        }
    }

    /// <summary>DATA header and payload (copied from the shared cache, or converted to netascii) into the send
    /// buffer; returns the length. <paramref name="isEnd"/>: the content ended in this block (netascii: its length
    /// was not known), so no block after it is sent.</summary>
    private int WriteData(TftpDataBlock block, out bool isEnd)
    {
        var header = TftpPacketEncoder.WriteDataHeader(_sendBuffer, block.BlockNumber);
        var read = content.Read(block.Offset, _sendBuffer.AsSpan(header, block.Length));
        isEnd = read < block.Length;
        if (isEnd)
        {
            transfer.OnContentEnd(block.Index, read);
        }
        DataBytesSent += read;
        return header + read;
    }
}

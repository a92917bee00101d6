using System.Net;
using System.Net.Sockets;
using NetBoot.Engine.Tftp;
using NetBoot.Wire.Tftp;

namespace NetBoot.Hosting.Tftp;

/// <summary>Drives one <see cref="TftpTransfer"/>: sends what each step lists, waits for the client's ACK until
/// the step's deadline, and feeds ACKs, errors and timeouts back. One send buffer per transfer, reused.</summary>
internal sealed class TftpTransferRunner(Socket socket, IPEndPoint client, TftpContent content, TftpTransfer transfer, TimeProvider time)
{
    private readonly byte[] _sendBuffer = new byte[TftpPacketEncoder.HeaderLength + Math.Max(transfer.BlockSize, 512)];
    private readonly byte[] _receiveBuffer = new byte[1024];

    public async Task<TftpStep> RunAsync(CancellationToken cancellationToken)
    {
        var step = transfer.Start(time.GetUtcNow());
        while (true)
        {
            await SendAsync(step, cancellationToken).ConfigureAwait(false);
            if (step.IsFinished)
            {
                return step;
            }
            step = await NextEventAsync(step.Deadline!.Value, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Waits for the next packet that changes the transfer, or the deadline.</summary>
    private async Task<TftpStep> NextEventAsync(DateTimeOffset deadline, CancellationToken cancellationToken)
    {
        while (true)
        {
            var wait = deadline - time.GetUtcNow();
            if (wait <= TimeSpan.Zero)
            {
                return transfer.OnTimeout(time.GetUtcNow());
            }
            using var timeout = new CancellationTokenSource(wait, time);
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token, cancellationToken);
            SocketReceiveFromResult received;
            try
            {
                received = await socket.ReceiveFromAsync(_receiveBuffer, SocketFlags.None, new IPEndPoint(IPAddress.Any, 0), linked.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                return transfer.OnTimeout(time.GetUtcNow());
            }
            catch (SocketException)
            {
                // ICMP port unreachable from a client that went away: let the deadline decide.
                continue;
            }
            var from = (IPEndPoint)received.RemoteEndPoint;
            var datagram = _receiveBuffer.AsSpan(0, received.ReceivedBytes);
            if (!from.Equals(client))
            {
                // RFC 1350 §4: a packet from a wrong TID gets ERROR 5 and does not disturb the transfer.
                await RejectStrangerAsync(from, cancellationToken).ConfigureAwait(false);
                continue;
            }
            if (TftpPacketDecoder.TryReadAck(datagram, out var block))
            {
                return transfer.OnAck(block, time.GetUtcNow());
            }
            if (TftpPacketDecoder.TryDecode(datagram, out var packet, out _) && packet is TftpErrorPacket error)
            {
                return transfer.OnError(error.Code, error.Message, time.GetUtcNow());
            }
        }
    }

    private async Task SendAsync(TftpStep step, CancellationToken cancellationToken)
    {
        if (step.SendOptionAcknowledgment)
        {
            var length = TftpPacketEncoder.WriteOack(_sendBuffer, transfer.Options.Acknowledged.AsSpan());
            await SendRawAsync(length, cancellationToken).ConfigureAwait(false);
        }
        foreach (var block in step.DataBlocks)
        {
            var header = TftpPacketEncoder.WriteDataHeader(_sendBuffer, block.BlockNumber);
            content.Read(block.Offset, _sendBuffer.AsSpan(header, block.Length));
            await SendRawAsync(header + block.Length, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task SendRawAsync(int length, CancellationToken cancellationToken)
    {
        try
        {
            await socket.SendToAsync(_sendBuffer.AsMemory(0, length), SocketFlags.None, client, cancellationToken).ConfigureAwait(false);
        }
        catch (SocketException)
        {
            // A lost send is a lost packet: the client's ACK or our deadline recovers it.
        }
    }

    private async Task RejectStrangerAsync(IPEndPoint stranger, CancellationToken cancellationToken)
    {
        const string message = "unknown transfer ID";
        var buffer = new byte[TftpPacketEncoder.GetErrorLength(message)];
        var length = TftpPacketEncoder.WriteError(buffer, TftpErrorCode.UnknownTransferId, message);
        try
        {
            await socket.SendToAsync(buffer.AsMemory(0, length), SocketFlags.None, stranger, cancellationToken).ConfigureAwait(false);
        }
        catch (SocketException)
        {
        }
    }
}

using NetBoot.Engine.Tftp;
using NetBoot.Wire.Tftp;

namespace NetBoot.Engine.Tests.Tftp;

public class TftpTransferTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 25, 22, 0, 0, TimeSpan.Zero);

    private static TftpNegotiatedOptions Options(int blockSize = 512, int windowSize = 1, bool oack = false, int? timeoutSeconds = null) =>
        new(blockSize, windowSize, timeoutSeconds is { } s ? TimeSpan.FromSeconds(s) : null, null,
            oack ? [new TftpOption("blksize", blockSize.ToString(System.Globalization.CultureInfo.InvariantCulture))] : []);

    private static long[] Indexes(TftpStep step) => step.DataBlocks.Select(b => b.Index).ToArray();

    private static ushort[] Numbers(TftpStep step) => step.DataBlocks.Select(b => b.BlockNumber).ToArray();

    /// <summary>Plays a perfect client that acknowledges the last block of every window.</summary>
    private static (TftpStep Last, List<TftpDataBlock> Sent) RunToEnd(TftpTransfer transfer)
    {
        var sent = new List<TftpDataBlock>();
        var now = T0;
        var step = transfer.Start(now);
        if (step.SendOptionAcknowledgment)
        {
            step = transfer.OnAck(0, now);
        }
        while (!step.IsFinished)
        {
            Assert.True(step.DataBlocks.Count > 0, "a running transfer sends after each advancing ACK");
            sent.AddRange(step.DataBlocks);
            now += TimeSpan.FromMilliseconds(1);
            step = transfer.OnAck(step.DataBlocks[^1].BlockNumber, now);
        }
        return (step, sent);
    }

    [Fact]
    public void Lock_step_transfer_sends_every_block_once_and_completes()
    {
        var transfer = new TftpTransfer(1300, Options());
        var (last, sent) = RunToEnd(transfer);
        Assert.Equal(TftpStepKind.Completed, last.Kind);
        Assert.Equal(TftpTransferEnd.Completed, last.End);
        Assert.Null(last.Deadline);
        Assert.Equal(
            [new(1, 1, 0, 512, false), new(2, 2, 512, 512, false), new TftpDataBlock(3, 3, 1024, 276, true)],
            sent);
        Assert.Equal(new TftpTransferStatistics(1300, 3, 0, TimeSpan.FromMilliseconds(3), 512, 1), last.Statistics);
        Assert.True(last.IsQuietEnd);
    }

    [Fact]
    public void Without_options_the_first_data_block_is_sent_at_once()
    {
        var step = new TftpTransfer(100, Options()).Start(T0);
        Assert.False(step.SendOptionAcknowledgment);
        Assert.Equal([1L], Indexes(step));
        Assert.Equal(T0 + TimeSpan.FromSeconds(2), step.Deadline);
    }

    [Fact]
    public void With_options_the_oack_waits_for_ack_0_before_data_1()
    {
        var transfer = new TftpTransfer(100, Options(oack: true));
        var start = transfer.Start(T0);
        Assert.True(start.SendOptionAcknowledgment);
        Assert.Empty(start.DataBlocks);
        Assert.Equal(TftpTransferState.AwaitingOptionAcknowledgment, transfer.State);
        Assert.Empty(transfer.OnAck(1, T0).DataBlocks);
        var first = transfer.OnAck(0, T0);
        Assert.Equal([1L], Indexes(first));
        Assert.True(first.DataBlocks[0].IsLast);
    }

    [Fact]
    public void Content_that_is_a_multiple_of_blksize_ends_with_an_empty_data_block()
    {
        var (last, sent) = RunToEnd(new TftpTransfer(1024, Options()));
        Assert.Equal(TftpStepKind.Completed, last.Kind);
        Assert.Equal([512, 512, 0], sent.Select(b => b.Length));
        Assert.Equal([false, false, true], sent.Select(b => b.IsLast));
        Assert.Equal(1024, last.Statistics!.Bytes);
    }

    [Fact]
    public void Empty_file_is_one_empty_data_block()
    {
        var transfer = new TftpTransfer(0, Options());
        var start = transfer.Start(T0);
        Assert.Equal([new TftpDataBlock(1, 1, 0, 0, true)], start.DataBlocks);
        var end = transfer.OnAck(1, T0);
        Assert.Equal(TftpStepKind.Completed, end.Kind);
        Assert.Equal(0, end.Statistics!.Bytes);
        Assert.Equal(1, end.Statistics.Blocks);
    }

    [Fact]
    public void Windowed_transfer_sends_a_window_per_ack_of_its_last_block()
    {
        var transfer = new TftpTransfer(10 * 512 + 100, Options(windowSize: 4, oack: true));
        transfer.Start(T0);
        Assert.Equal([1L, 2, 3, 4], Indexes(transfer.OnAck(0, T0)));
        Assert.Equal([5L, 6, 7, 8], Indexes(transfer.OnAck(4, T0)));
        var lastWindow = transfer.OnAck(8, T0);
        Assert.Equal([9L, 10, 11], Indexes(lastWindow));
        Assert.True(lastWindow.DataBlocks[^1].IsLast);
        Assert.Equal(TftpStepKind.Completed, transfer.OnAck(11, T0).Kind);
    }

    [Fact]
    public void Windowed_transfer_runs_to_the_end()
    {
        var transfer = new TftpTransfer(10 * 512 + 100, Options(windowSize: 4, oack: true));
        var (last, sent) = RunToEnd(transfer);
        Assert.Equal(TftpStepKind.Completed, last.Kind);
        Assert.Equal(Enumerable.Range(1, 11).Select(i => (long)i), sent.Select(b => b.Index));
        Assert.Equal(0, last.Statistics!.Retransmissions);
        Assert.Equal(4, last.Statistics.WindowSize);
    }

    [Fact]
    public void Ack_inside_the_window_resends_from_the_block_after_it()
    {
        var transfer = new TftpTransfer(20 * 512, Options(windowSize: 4));
        Assert.Equal([1L, 2, 3, 4], Indexes(transfer.Start(T0)));
        // RFC 7440 §4: the client got 1-2 and lost 3: it acknowledges 2.
        var step = transfer.OnAck(2, T0);
        Assert.Equal([3L, 4, 5, 6], Indexes(step));
        Assert.Equal(2, transfer.AcknowledgedBlocks);
    }

    [Fact]
    public void Duplicate_and_old_acks_never_resend()
    {
        var transfer = new TftpTransfer(5000, Options());
        transfer.Start(T0);
        Assert.Equal([2L], Indexes(transfer.OnAck(1, T0)));
        // Sorcerer's Apprentice (RFC 1123 §4.2.3.1): a duplicate ACK 1 must not send DATA 2 again.
        Assert.Empty(transfer.OnAck(1, T0).DataBlocks);
        Assert.Empty(transfer.OnAck(0, T0).DataBlocks);
        Assert.Empty(transfer.OnAck(9, T0).DataBlocks);
        Assert.Equal([3L], Indexes(transfer.OnAck(2, T0)));
    }

    [Fact]
    public void Block_numbers_roll_over_past_65535_to_0()
    {
        const long blocks = 70_000;
        var transfer = new TftpTransfer(blocks * 8 - 1, Options(blockSize: 8));
        var (last, sent) = RunToEnd(transfer);
        Assert.Equal(TftpStepKind.Completed, last.Kind);
        Assert.Equal(blocks, sent.Count);
        Assert.Equal((ushort)65535, sent[65534].BlockNumber);
        Assert.Equal((ushort)0, sent[65535].BlockNumber);
        Assert.Equal(65536, sent[65535].Index);
        Assert.Equal(65535L * 8, sent[65535].Offset);
        Assert.Equal((ushort)1, sent[65536].BlockNumber);
        Assert.Equal(blocks * 8 - 1, last.Statistics!.Bytes);
    }

    [Fact]
    public void Windowed_transfer_rolls_over_with_a_window_straddling_block_0()
    {
        var transfer = new TftpTransfer(66_000L * 8, Options(blockSize: 8, windowSize: 32));
        var (last, sent) = RunToEnd(transfer);
        Assert.Equal(TftpStepKind.Completed, last.Kind);
        Assert.Equal(66_001, sent.Count);
        Assert.Equal(Enumerable.Range(1, 66_001).Select(i => (long)i), sent.Select(b => b.Index));
    }

    [Fact]
    public void Timeout_resends_the_unacknowledged_window_once_with_growing_delays()
    {
        var transfer = new TftpTransfer(20 * 512, Options(windowSize: 4));
        var step = transfer.Start(T0);
        transfer.OnAck(4, T0);
        var deadline = T0 + TimeSpan.FromSeconds(2);
        var delays = new List<TimeSpan>();
        for (var retry = 1; retry <= 7; retry++)
        {
            // A timer firing early does nothing.
            Assert.Empty(transfer.OnTimeout(deadline - TimeSpan.FromMilliseconds(1)).DataBlocks);
            step = transfer.OnTimeout(deadline);
            Assert.Equal([5L, 6, 7, 8], Indexes(step));
            delays.Add(step.Deadline!.Value - deadline);
            deadline = step.Deadline.Value;
        }
        // dnsmasq parity: 1 + 2^(n/2) s after the n-th retransmission.
        Assert.Equal(new[] { 2, 3, 3, 5, 5, 9, 9 }.Select(s => TimeSpan.FromSeconds(s)), delays);
        var giveUp = transfer.OnTimeout(deadline);
        Assert.Equal(TftpStepKind.Aborted, giveUp.Kind);
        Assert.Equal(TftpTransferEnd.RetriesExhausted, giveUp.End);
        Assert.False(giveUp.IsQuietEnd);
        Assert.Equal(28, giveUp.Statistics!.Retransmissions);
        Assert.Equal(4 * 512, giveUp.Statistics.Bytes);
        Assert.Equal(new TftpTransferAbort(TftpTransferEnd.RetriesExhausted, AcknowledgedBlock: 4, Retries: 7,
            Timeout: TimeSpan.FromSeconds(2), Idle: deadline - T0), giveUp.Abort);
        Assert.Equal("7 retransmissions unanswered (last acknowledged block 4, timeout 2 s)", giveUp.Abort!.Describe());
    }

    [Fact]
    public void Progress_after_a_timeout_resets_the_retry_count_and_delay()
    {
        var transfer = new TftpTransfer(20 * 512, Options(timeoutSeconds: 1));
        transfer.Start(T0);
        var resent = transfer.OnTimeout(T0 + TimeSpan.FromSeconds(1));
        Assert.Equal([1L], Indexes(resent));
        var next = transfer.OnAck(1, T0 + TimeSpan.FromSeconds(2));
        Assert.Equal([2L], Indexes(next));
        Assert.Equal(T0 + TimeSpan.FromSeconds(3), next.Deadline);
    }

    [Fact]
    public void Oack_is_resent_on_timeout()
    {
        var transfer = new TftpTransfer(100, Options(oack: true));
        transfer.Start(T0);
        var step = transfer.OnTimeout(T0 + TimeSpan.FromSeconds(2));
        Assert.True(step.SendOptionAcknowledgment);
        Assert.Empty(step.DataBlocks);
    }

    [Fact]
    public void Transfer_without_progress_for_120_seconds_is_abandoned()
    {
        var limits = new TftpTransferLimits { MaximumRetries = 1000 };
        var transfer = new TftpTransfer(20 * 512, Options(), limits);
        var step = transfer.Start(T0);
        var now = T0;
        while (!step.IsFinished)
        {
            now = step.Deadline!.Value;
            step = transfer.OnTimeout(now);
        }
        Assert.Equal(TftpTransferEnd.Stalled, step.End);
        Assert.Equal(T0 + TimeSpan.FromSeconds(120), now);
        Assert.Equal(TimeSpan.FromSeconds(120), step.Abort!.Idle);
        Assert.Equal(0, step.Abort.AcknowledgedBlock);
        Assert.Equal("no progress for 120 s (last acknowledged block 0)", step.Abort.Describe());
    }

    [Fact]
    public void Duplicate_acks_do_not_keep_a_stalled_transfer_alive()
    {
        var transfer = new TftpTransfer(20 * 512, Options());
        transfer.Start(T0);
        transfer.OnAck(1, T0);
        Assert.Equal(TftpStepKind.Continue, transfer.OnAck(1, T0 + TimeSpan.FromSeconds(119)).Kind);
        var step = transfer.OnAck(1, T0 + TimeSpan.FromSeconds(120));
        Assert.Equal(TftpTransferEnd.Stalled, step.End);
        Assert.Equal((TftpTransferEnd.Stalled, 1L, 120), (step.Abort!.End, step.Abort.AcknowledgedBlock, step.Abort.IdleSeconds));
    }

    [Theory]
    [InlineData(TftpErrorCode.OptionNegotiationFailed, "User aborted the transfer")]
    [InlineData(TftpErrorCode.NotDefined, "TFTP Aborted")]
    public void Client_error_in_answer_to_the_oack_is_a_quiet_size_probe(TftpErrorCode code, string message)
    {
        var transfer = new TftpTransfer(65536, Options(oack: true));
        transfer.Start(T0);
        var step = transfer.OnError(code, message, T0);
        Assert.Equal(TftpStepKind.Aborted, step.Kind);
        Assert.Equal(TftpTransferEnd.ClientEndedAfterOptions, step.End);
        Assert.True(step.IsQuietEnd);
        Assert.Equal((code, message), (step.Abort!.ClientErrorCode, step.Abort.ClientErrorMessage));
    }

    [Fact]
    public void Client_error_during_data_aborts_loudly()
    {
        var transfer = new TftpTransfer(65536, Options());
        transfer.Start(T0);
        var step = transfer.OnError(TftpErrorCode.DiskFull, "no room", T0);
        Assert.Equal(TftpTransferEnd.ClientError, step.End);
        Assert.False(step.IsQuietEnd);
        Assert.Equal((TftpErrorCode.DiskFull, 3, "no room"), (step.Abort!.ClientErrorCode, step.Abort.ClientErrorNumber, step.Abort.ClientErrorMessage));
        Assert.Equal("client error 3: no room", step.Abort.Describe());
    }

    [Fact]
    public void A_client_error_message_cannot_forge_a_log_line()
    {
        var transfer = new TftpTransfer(65536, Options());
        transfer.Start(T0);
        var step = transfer.OnError(TftpErrorCode.NotDefined, "bye\nNov 25 21:50:48 netboot-tftp: sent /etc/shadow to 10.0.0.66\u001b[2J", T0);
        // Kept as sent (a structured sink gets the value); the words for the dashboard are escaped.
        Assert.Equal("bye\nNov 25 21:50:48 netboot-tftp: sent /etc/shadow to 10.0.0.66\u001b[2J", step.Abort!.ClientErrorMessage);
        Assert.Equal("client error 0: bye\\x0aNov 25 21:50:48 netboot-tftp: sent /etc/shadow to 10.0.0.66\\x1b[2J", step.Abort.Describe());
    }

    [Fact]
    public void Events_after_the_end_are_ignored()
    {
        var transfer = new TftpTransfer(10, Options());
        transfer.Start(T0);
        transfer.OnAck(1, T0);
        foreach (var step in new[] { transfer.OnAck(1, T0), transfer.OnTimeout(T0.AddHours(1)), transfer.OnError(0, "", T0) })
        {
            Assert.Equal(TftpStepKind.Continue, step.Kind);
            Assert.Empty(step.DataBlocks);
            Assert.Null(step.Deadline);
        }
        Assert.Equal(TftpTransferState.Completed, transfer.State);
    }

    [Fact]
    public void Starting_twice_is_a_bug()
    {
        var transfer = new TftpTransfer(10, Options());
        transfer.Start(T0);
        Assert.Throws<InvalidOperationException>(() => transfer.Start(T0));
    }

    [Fact]
    public void Negotiated_timeout_sets_the_first_deadline()
    {
        var step = new TftpTransfer(10, Options(timeoutSeconds: 5)).Start(T0);
        Assert.Equal(T0 + TimeSpan.FromSeconds(5), step.Deadline);
    }

    [Fact]
    public void Unknown_length_describes_whole_blocks_until_the_end_is_reported()
    {
        var transfer = new TftpTransfer(null, Options(blockSize: 8, windowSize: 4));
        Assert.Null(transfer.ContentLength);
        Assert.Null(transfer.TotalBlocks);
        var step = transfer.Start(T0);
        Assert.Equal([1L, 2, 3, 4], Indexes(step));
        Assert.All(step.DataBlocks, b => Assert.Equal((8, false), (b.Length, b.IsLast)));
        // The service read block 3 short (5 bytes) and sent nothing after it.
        transfer.OnContentEnd(3, 5);
        Assert.Equal(2 * 8 + 5, transfer.ContentLength);
        Assert.Equal(3, transfer.TotalBlocks);
        // A timeout resends only what exists; block 3 is now described as the short last one.
        var resent = transfer.OnTimeout(T0 + TimeSpan.FromSeconds(2));
        Assert.Equal([1L, 2, 3], Indexes(resent));
        Assert.Equal((5, true), (resent.DataBlocks[2].Length, resent.DataBlocks[2].IsLast));
        var end = transfer.OnAck(3, T0 + TimeSpan.FromSeconds(3));
        Assert.Equal(TftpTransferEnd.Completed, end.End);
        Assert.Equal(21, end.Statistics!.Bytes);
    }

    [Fact]
    public void Unknown_length_rolls_over_past_block_65535_exactly_as_a_known_one()
    {
        const long blocks = 70_000;
        var known = RunToEnd(new TftpTransfer(blocks * 8 - 1, Options(blockSize: 8, windowSize: 32))).Sent;
        var transfer = new TftpTransfer(null, Options(blockSize: 8, windowSize: 32));
        var sent = new List<TftpDataBlock>();
        var step = transfer.Start(T0);
        while (!step.IsFinished)
        {
            foreach (var block in step.DataBlocks)
            {
                // The content: blocks * 8 - 1 bytes, so the read of the last block comes back one byte short.
                var read = (int)Math.Clamp(blocks * 8 - 1 - block.Offset, 0, block.Length);
                sent.Add(block with { Length = read, IsLast = read < 8 });
                if (read < block.Length)
                {
                    transfer.OnContentEnd(block.Index, read);
                    break;
                }
            }
            step = transfer.OnAck(sent[^1].BlockNumber, T0);
        }
        Assert.Equal(TftpTransferEnd.Completed, step.End);
        Assert.Equal(known, sent);
        Assert.Equal((ushort)0, sent[65535].BlockNumber);
    }

    [Fact]
    public void End_reported_for_an_acknowledged_block_is_ignored()
    {
        var transfer = new TftpTransfer(null, Options(blockSize: 8));
        transfer.Start(T0);
        transfer.OnAck(1, T0);
        transfer.OnContentEnd(1, 3);
        Assert.Null(transfer.ContentLength);
        Assert.Throws<ArgumentOutOfRangeException>(() => transfer.OnContentEnd(2, 8));
    }
}

public class TftpTransferDatagramTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 25, 22, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Datagrams_are_dispatched_to_ack_and_error_and_anything_else_is_ignored()
    {
        var transfer = new TftpTransfer(2000, new TftpNegotiatedOptions(512, 1, null, null, []));
        transfer.Start(T0);
        Assert.Equal(2L, transfer.OnDatagram([0, 4, 0, 1], T0).DataBlocks[0].Index);
        Assert.Empty(transfer.OnDatagram([0, 3, 0, 2, 9, 9], T0).DataBlocks);
        Assert.Empty(transfer.OnDatagram([0, 4, 0], T0).DataBlocks);
        Assert.Empty(transfer.OnDatagram([], T0).DataBlocks);
        var error = TftpPacketEncoder.Encode(new TftpErrorPacket(TftpErrorCode.NotDefined, "bye"));
        var step = transfer.OnDatagram(error, T0);
        Assert.Equal(TftpTransferEnd.ClientError, step.End);
    }
}

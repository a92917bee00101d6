using System.Collections;
using System.Globalization;
using NetBoot.Wire.Rendering;
using NetBoot.Wire.Tftp;

namespace NetBoot.Engine.Tftp;

/// <summary>One DATA packet to send: the service reads <see cref="Length"/> bytes at <see cref="Offset"/> of the
/// (for netascii: converted) content and writes them after <c>TftpPacketEncoder.WriteDataHeader(buffer, BlockNumber)</c>.</summary>
/// <param name="Index">The 64-bit block index (1-based) that never wraps.</param>
/// <param name="BlockNumber">The 16-bit number on the wire: <see cref="Index"/> modulo 65536 (rolls over to 0).</param>
/// <param name="IsLast">The final block: shorter than blksize, possibly empty.</param>
public readonly record struct TftpDataBlock(long Index, ushort BlockNumber, long Offset, int Length, bool IsLast);

/// <summary>A run of consecutive DATA blocks (a window), enumerated without allocation.</summary>
public readonly struct TftpDataBlockRange : IReadOnlyList<TftpDataBlock>
{
    private readonly long _firstIndex;
    private readonly int _blockSize;
    private readonly long _contentLength;

    internal TftpDataBlockRange(long firstIndex, int count, int blockSize, long contentLength)
    {
        _firstIndex = firstIndex;
        Count = count;
        _blockSize = blockSize;
        _contentLength = contentLength;
    }

    public int Count { get; }

    public TftpDataBlock this[int index]
    {
        get
        {
            ArgumentOutOfRangeException.ThrowIfNegative(index);
            ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, Count);
            return TftpTransfer.DescribeBlock(_firstIndex + index, _blockSize, _contentLength);
        }
    }

    public Enumerator GetEnumerator() => new(this);

    IEnumerator<TftpDataBlock> IEnumerable<TftpDataBlock>.GetEnumerator() => GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    public struct Enumerator : IEnumerator<TftpDataBlock>
    {
        private readonly TftpDataBlockRange _range;
        private int _position;

        internal Enumerator(TftpDataBlockRange range)
        {
            _range = range;
            _position = -1;
        }

        public readonly TftpDataBlock Current => _range[_position];

        readonly object IEnumerator.Current => Current;

        public bool MoveNext() => ++_position < _range.Count;

        public void Reset() => _position = -1;

        public readonly void Dispose()
        {
        }
    }
}

public enum TftpStepKind
{
    /// <summary>The transfer goes on: send what the step lists (maybe nothing) and call
    /// <see cref="TftpTransfer.OnTimeout"/> at <see cref="TftpStep.Deadline"/>.</summary>
    Continue,
    /// <summary>The last block was acknowledged: log the statistics and release the transfer.</summary>
    Completed,
    /// <summary>The transfer ended without completing (see <see cref="TftpStep.End"/>).</summary>
    Aborted,
}

/// <summary>How a transfer ended.</summary>
public enum TftpTransferEnd
{
    None,
    Completed,
    /// <summary>The client sent ERROR in answer to the OACK: the common <c>tsize</c> probe (EDK2 sends code 8
    /// "User aborted the transfer", Intel PXE ROMs code 0 "TFTP Aborted"). Not a failure: log quietly.</summary>
    ClientEndedAfterOptions,
    /// <summary>The client sent ERROR during the data phase.</summary>
    ClientError,
    /// <summary>No progress after the maximum number of retransmissions.</summary>
    RetriesExhausted,
    /// <summary>No progress for the stall limit (dnsmasq <c>TFTP_TRANSFER_TIME</c>, 120 s).</summary>
    Stalled,
}

/// <summary>Figures for the end-of-transfer log line.</summary>
/// <param name="Bytes">Content bytes acknowledged by the client.</param>
/// <param name="Blocks">DATA blocks acknowledged.</param>
/// <param name="Retransmissions">Packets sent again (DATA and OACK).</param>
public sealed record TftpTransferStatistics(
    long Bytes, long Blocks, long Retransmissions, TimeSpan Duration, int BlockSize, int WindowSize);

/// <summary>Why a transfer ended before its last block was acknowledged, as the values its end-of-transfer log line
/// names (events 1202, 1203, 1211, 1218); <see cref="Describe"/> puts them in words for the dashboard.</summary>
/// <param name="End">How it ended: never <see cref="TftpTransferEnd.Completed"/> or <see cref="TftpTransferEnd.None"/>.</param>
/// <param name="AcknowledgedBlock">The last block the client acknowledged (the 64-bit index; 0 before the first DATA).</param>
/// <param name="Retries">For <see cref="TftpTransferEnd.RetriesExhausted"/>: retransmissions in a row left unanswered.</param>
/// <param name="Timeout">The first wait for an ACK (negotiated <c>timeout</c>, else the default); the waits after a
/// retransmission grow from it.</param>
/// <param name="Idle">How long the transfer went without progress (the stall limit for <see cref="TftpTransferEnd.Stalled"/>).</param>
/// <param name="ClientErrorCode">For the client's ERROR (<see cref="TftpTransferEnd.ClientError"/>,
/// <see cref="TftpTransferEnd.ClientEndedAfterOptions"/>): its code, any 16-bit value.</param>
/// <param name="ClientErrorMessage">Its text as the client sent it: escape it (<see cref="LogText.Escape(string)"/>)
/// where it is shown.</param>
public sealed record TftpTransferAbort(
    TftpTransferEnd End,
    long AcknowledgedBlock,
    int Retries,
    TimeSpan Timeout,
    TimeSpan Idle,
    TftpErrorCode ClientErrorCode = TftpErrorCode.NotDefined,
    string ClientErrorMessage = "")
{
    /// <summary>The client's error code as the wire number (a client may send one no RFC names).</summary>
    public int ClientErrorNumber => (int)ClientErrorCode;

    /// <summary>Whole seconds of <see cref="Timeout"/>, for the log line.</summary>
    public int TimeoutSeconds => (int)Timeout.TotalSeconds;

    /// <summary>Whole seconds of <see cref="Idle"/>, for the log line.</summary>
    public int IdleSeconds => (int)Idle.TotalSeconds;

    /// <summary>The same in words (the dashboard's "failed: …"); the client's text escaped.</summary>
    public string Describe() => End switch
    {
        TftpTransferEnd.ClientError or TftpTransferEnd.ClientEndedAfterOptions =>
            string.Create(CultureInfo.InvariantCulture, $"client error {ClientErrorNumber}: {LogText.Escape(ClientErrorMessage)}"),
        TftpTransferEnd.RetriesExhausted => string.Create(CultureInfo.InvariantCulture,
            $"{Retries} retransmissions unanswered (last acknowledged block {AcknowledgedBlock}, timeout {TimeoutSeconds} s)"),
        TftpTransferEnd.Stalled => string.Create(CultureInfo.InvariantCulture,
            $"no progress for {IdleSeconds} s (last acknowledged block {AcknowledgedBlock})"),
        _ => End.ToString(),
    };
}

/// <summary>What the service does after one event: send the OACK and/or the listed DATA blocks (in order), or
/// finish. Allocation-free while the transfer runs.</summary>
public readonly struct TftpStep
{
    internal TftpStep(
        TftpStepKind kind,
        bool sendOptionAcknowledgment,
        TftpDataBlockRange dataBlocks,
        DateTimeOffset? deadline,
        TftpTransferEnd end = TftpTransferEnd.None,
        TftpTransferStatistics? statistics = null,
        TftpTransferAbort? abort = null)
    {
        Kind = kind;
        SendOptionAcknowledgment = sendOptionAcknowledgment;
        DataBlocks = dataBlocks;
        Deadline = deadline;
        End = end;
        Statistics = statistics;
        Abort = abort;
    }

    public TftpStepKind Kind { get; }

    /// <summary>Send the OACK built from <see cref="TftpNegotiatedOptions.Acknowledged"/> (first time or again).</summary>
    public bool SendOptionAcknowledgment { get; }

    /// <summary>DATA blocks to send now, in order (empty when there is nothing to send).</summary>
    public TftpDataBlockRange DataBlocks { get; }

    /// <summary>When to call <see cref="TftpTransfer.OnTimeout"/>; null once the transfer has ended.</summary>
    public DateTimeOffset? Deadline { get; }

    public TftpTransferEnd End { get; }

    /// <summary>Set when the transfer ends.</summary>
    public TftpTransferStatistics? Statistics { get; }

    /// <summary>Set when the transfer ends without completing: why, as values (the client's error code and text, or
    /// what ran out).</summary>
    public TftpTransferAbort? Abort { get; }

    public bool IsFinished => Kind != TftpStepKind.Continue;

    /// <summary>True when the end is not worth a warning (success, or the client's tsize probe).</summary>
    public bool IsQuietEnd => End is TftpTransferEnd.Completed or TftpTransferEnd.ClientEndedAfterOptions;
}

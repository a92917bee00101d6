using System.Collections;

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
        string? detail = null)
    {
        Kind = kind;
        SendOptionAcknowledgment = sendOptionAcknowledgment;
        DataBlocks = dataBlocks;
        Deadline = deadline;
        End = end;
        Statistics = statistics;
        Detail = detail;
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

    /// <summary>For the log: the client's error code and text, or what ran out.</summary>
    public string? Detail { get; }

    public bool IsFinished => Kind != TftpStepKind.Continue;

    /// <summary>True when the end is not worth a warning (success, or the client's tsize probe).</summary>
    public bool IsQuietEnd => End is TftpTransferEnd.Completed or TftpTransferEnd.ClientEndedAfterOptions;
}

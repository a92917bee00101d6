using NetBoot.Engine.Tftp;
using NetBoot.Hosting.Tests.Http;
using NetBoot.Hosting.Tftp;

namespace NetBoot.Hosting.Tests.Tftp;

/// <summary>The timeout lines (1211 retries exhausted, 1218 stalled) keep their words while each value is a field of its
/// own: what ran out, the last acknowledged block, the timeout, and the transfer's figures. (A real transfer takes 38 s
/// to exhaust its retries, 120 s to stall: the engine's tests drive those with a fake clock; here the lines' shape.)</summary>
public sealed class TftpEndLogTests
{
    private readonly RecordingLogger<TftpService> _log = new();

    [Fact]
    public void Retries_exhausted_names_the_retries_the_block_and_the_timeout_as_fields()
    {
        TftpLog.RetriesExhausted(_log, "/srv/tftp/ipxe.efi", "10.0.0.5", TftpTransferEnd.RetriesExhausted, 7, 4, 2,
            2048, 38_012.4, 0.0000538, 512, 4, 28, 4096);

        var line = Assert.Single(_log.Lines);
        Assert.Equal("timeout sending /srv/tftp/ipxe.efi to 10.0.0.5: RetriesExhausted: 7 retransmissions unanswered (last acknowledged block 4, timeout 2 s); "
            + "2048 bytes in 38012 ms (0.00 MB/s), blksize 512, windowsize 4, 28 retransmitted, 4096 data bytes sent", line);
        var (id, fields) = _log.EntryOf(line);
        Assert.Equal(1211, id.Id);
        Assert.Equal((TftpTransferEnd.RetriesExhausted, 7, 4L, 2, 2048L, 28L),
            (fields["End"], fields["Retries"], fields["Block"], fields["TimeoutSeconds"], fields["Bytes"], fields["Retransmissions"]));
    }

    [Fact]
    public void A_stalled_transfer_names_how_long_and_the_block_as_fields()
    {
        TftpLog.Stalled(_log, "/srv/tftp/ipxe.efi", "10.0.0.5", TftpTransferEnd.Stalled, 120, 1, 512, 120_000, 0.004266, 512, 1, 55, 28_672);

        var line = Assert.Single(_log.Lines);
        Assert.Equal("timeout sending /srv/tftp/ipxe.efi to 10.0.0.5: Stalled: no progress for 120 s (last acknowledged block 1); "
            + "512 bytes in 120000 ms (0.00 MB/s), blksize 512, windowsize 1, 55 retransmitted, 28672 data bytes sent", line);
        var (id, fields) = _log.EntryOf(line);
        Assert.Equal(1218, id.Id);
        Assert.Equal((TftpTransferEnd.Stalled, 120, 1L), (fields["End"], fields["IdleSeconds"], fields["Block"]));
    }
}

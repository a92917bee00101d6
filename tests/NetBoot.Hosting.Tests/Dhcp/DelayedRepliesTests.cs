using Microsoft.Extensions.Time.Testing;
using NetBoot.Hosting.Dhcp;
using NetBoot.Wire.Net;

namespace NetBoot.Hosting.Tests.Dhcp;

/// <summary><c>dhcp-reply-delay</c>'s timer, with a fake clock: a reply is handed to the socket's loop at its due time, not
/// before; one that must be durable first when both hold; a failed commit or a stop drops it.</summary>
public sealed class DelayedRepliesTests
{
    private static readonly TimeSpan Delay = TimeSpan.FromSeconds(2);
    private static readonly IPv4Address Client = IPv4Address.Parse("192.0.2.10");
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
    private readonly List<DelayedReply> _due = [];

    private DelayedReplies Create() => new(_time, reply => { lock (_due) { _due.Add(reply); } });

    [Fact]
    public void A_reply_is_due_at_its_time_and_not_before()
    {
        using var delayed = Create();

        delayed.Send([1, 2, 3], Client, 68, Delay, Task.CompletedTask);
        _time.Advance(Delay - TimeSpan.FromMilliseconds(1));
        Assert.Empty(_due);
        Assert.Equal(1, delayed.PendingCount);
        _time.Advance(TimeSpan.FromMilliseconds(1));

        var reply = Assert.Single(_due);
        Assert.Equal(new byte[] { 1, 2, 3 }, reply.Datagram);
        Assert.Equal((Client, (ushort)68), (reply.Address, reply.Port));
        Assert.Equal(0, delayed.PendingCount);
    }

    [Fact]
    public void A_reply_that_must_be_durable_waits_for_its_commit_past_the_delay()
    {
        using var delayed = Create();
        var durable = new TaskCompletionSource();

        delayed.Send([7], Client, 68, Delay, durable.Task);
        _time.Advance(Delay);
        Assert.Empty(_due);
        durable.SetResult();

        Assert.Equal(new byte[] { 7 }, Assert.Single(_due).Datagram);
    }

    [Fact]
    public void A_reply_whose_commit_failed_or_that_is_pending_at_stop_is_never_due()
    {
        var failed = new TaskCompletionSource();
        using (var delayed = Create())
        {
            delayed.Send([1], Client, 68, Delay, failed.Task);
            delayed.Send([2], Client, 68, Delay * 2, Task.CompletedTask);
            _time.Advance(Delay);
            failed.SetException(new IOException("disk full"));
        }
        _time.Advance(Delay * 2);

        Assert.Empty(_due);
    }
}

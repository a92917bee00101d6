using System.Net;
using System.Net.Sockets;
using System.Threading.Channels;
using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using NetBoot.Hosting.Http;

namespace NetBoot.Hosting.Tests.Http;

/// <summary>A failing <c>accept</c> (EMFILE) is retried after 10, 20, 40… ms of (fake) time, never at once; a connection
/// lost in the backlog is skipped at once.</summary>
public sealed class AcceptBackoffTests
{
    [Fact]
    public void Delays_double_from_10_ms_to_1_s_and_start_again_after_a_success()
    {
        var backoff = new AcceptBackoff();

        var delays = Enumerable.Range(0, 9).Select(_ => backoff.Next().TotalMilliseconds).ToList();
        backoff.Reset();

        Assert.Equal([10, 20, 40, 80, 160, 320, 640, 1000, 1000], delays);
        Assert.Equal(10, backoff.Next().TotalMilliseconds);
    }

    [Fact]
    public async Task Too_many_open_files_waits_before_each_retry_instead_of_spinning()
    {
        var time = new TimerSignallingTimeProvider();
        var attempts = Channel.CreateUnbounded<DateTimeOffset>();
        var failures = 6;
        var listener = Listener(time, async token =>
        {
            attempts.Writer.TryWrite(time.GetUtcNow());
            if (Interlocked.Decrement(ref failures) >= 0)
            {
                throw new SocketException((int)SocketError.TooManyOpenSockets);
            }
            await Task.Delay(Timeout.Infinite, token);
            throw new InvalidOperationException("not reached");
        });

        var accepting = listener.AcceptAsync().AsTask();
        var times = new List<DateTimeOffset> { await attempts.Reader.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(10)) };
        foreach (var expected in new[] { 10, 20, 40, 80, 160, 320 })
        {
            // The loop arms its retry timer and waits; nothing happens until the fake clock reaches it: no spinning.
            await time.TimersCreated.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(10));
            Assert.False(attempts.Reader.TryRead(out _));
            time.Advance(TimeSpan.FromMilliseconds(expected));
            times.Add(await attempts.Reader.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(10)));
        }
        await listener.UnbindAsync();

        Assert.Null(await accepting.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Equal([10, 20, 40, 80, 160, 320], times.Zip(times.Skip(1), (a, b) => (b - a).TotalMilliseconds));
        await listener.DisposeAsync();
    }

    [Fact]
    public async Task A_connection_reset_in_the_backlog_is_skipped_at_once()
    {
        var time = new FakeTimeProvider();
        var attempts = Channel.CreateUnbounded<DateTimeOffset>();
        var failures = 3;
        var listener = Listener(time, async token =>
        {
            attempts.Writer.TryWrite(time.GetUtcNow());
            if (Interlocked.Decrement(ref failures) >= 0)
            {
                throw new SocketException((int)SocketError.ConnectionAborted);
            }
            await Task.Delay(Timeout.Infinite, token);
            throw new InvalidOperationException("not reached");
        });

        var accepting = listener.AcceptAsync().AsTask();
        var times = new List<DateTimeOffset>();
        for (var i = 0; i < 4; i++)
        {
            times.Add(await attempts.Reader.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(10)));
        }
        await listener.UnbindAsync();

        Assert.Null(await accepting.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.All(times, t => Assert.Equal(times[0], t));
        await listener.DisposeAsync();
    }

    /// <summary>A fake clock that says when a timer is armed, so that the test moves time only once the code under test
    /// waits on it (advancing first would leave the timer armed after the move, due a whole delay later).</summary>
    private sealed class TimerSignallingTimeProvider : FakeTimeProvider
    {
        private readonly Channel<TimeSpan> _created = Channel.CreateUnbounded<TimeSpan>();

        public ChannelReader<TimeSpan> TimersCreated => _created.Reader;

        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
        {
            var timer = base.CreateTimer(callback, state, dueTime, period);
            if (dueTime != Timeout.InfiniteTimeSpan)
            {
                _created.Writer.TryWrite(dueTime);
            }
            return timer;
        }
    }

    private static BudgetedConnectionListener Listener(FakeTimeProvider time, Func<CancellationToken, ValueTask<Socket>> accept) =>
        new(new IPEndPoint(IPAddress.Loopback, 80), socket: null, accept,
            _ => throw new InvalidOperationException("no connection is accepted in these tests"),
            new HttpConnectionTable(16, 4), new HttpConnectionReport(NullLogger.Instance, time, 16, 4), time);
}

using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Time.Testing;
using NetBoot.Hosting.Dhcp;
using NetBoot.Wire.Net;

namespace NetBoot.Hosting.Tests.Dhcp;

/// <summary><c>dhcp-reply-delay</c>'s sender on loopback, with a fake clock: a reply leaves at its due time, not before;
/// one that must be durable first leaves when both hold; a failed commit or a stop drops it.</summary>
public sealed class DelayedRepliesTests : IDisposable
{
    private static readonly TimeSpan Delay = TimeSpan.FromSeconds(2);
    private static readonly IPv4Address Loopback = IPv4Address.Parse("127.0.0.1");
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
    private readonly Socket _sender = new(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
    private readonly Socket _receiver = new(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
    private readonly List<string> _failures = [];

    public DelayedRepliesTests()
    {
        _sender.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        _receiver.Bind(new IPEndPoint(IPAddress.Loopback, 0));
    }

    private ushort Port => (ushort)((IPEndPoint)_receiver.LocalEndPoint!).Port;

    private DelayedReplies Create() => new(_time, (to, why) => _failures.Add($"{to}: {why}"));

    private async Task<byte[]> ReceiveAsync()
    {
        var buffer = new byte[64];
        using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        var received = await _receiver.ReceiveAsync(buffer, SocketFlags.None, wait.Token);
        return buffer[..received];
    }

    [Fact]
    public async Task A_reply_leaves_at_its_due_time_and_not_before()
    {
        using var delayed = Create();

        delayed.Send(_sender, [1, 2, 3], Loopback, Port, Delay, Task.CompletedTask);
        _time.Advance(Delay - TimeSpan.FromMilliseconds(1));
        Assert.Equal(0, _receiver.Available);
        Assert.Equal(1, delayed.PendingCount);
        _time.Advance(TimeSpan.FromMilliseconds(1));

        Assert.Equal(new byte[] { 1, 2, 3 }, await ReceiveAsync());
        Assert.Equal(0, delayed.PendingCount);
        Assert.Empty(_failures);
    }

    [Fact]
    public async Task A_reply_that_must_be_durable_waits_for_its_commit_past_the_delay()
    {
        using var delayed = Create();
        var durable = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        delayed.Send(_sender, [7], Loopback, Port, Delay, durable.Task);
        _time.Advance(Delay);
        Assert.Equal(0, _receiver.Available);
        durable.SetResult();

        Assert.Equal(new byte[] { 7 }, await ReceiveAsync());
    }

    [Fact]
    public async Task A_reply_whose_commit_failed_or_that_is_pending_at_stop_is_never_sent()
    {
        var failed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using (var delayed = Create())
        {
            delayed.Send(_sender, [1], Loopback, Port, Delay, failed.Task);
            delayed.Send(_sender, [2], Loopback, Port, Delay * 2, Task.CompletedTask);
            _time.Advance(Delay);
            failed.SetException(new IOException("disk full"));
        }
        _time.Advance(Delay * 2);

        // A datagram sent on loopback is queued before SendTo returns; a marker sent now arrives first if nothing was.
        _sender.SendTo([9], new IPEndPoint(IPAddress.Loopback, Port));
        Assert.Equal(new byte[] { 9 }, await ReceiveAsync());
    }

    public void Dispose()
    {
        _sender.Dispose();
        _receiver.Dispose();
    }
}

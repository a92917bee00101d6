using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using NetBoot.Hosting.Status;
using NetBoot.Hosting.Telemetry;
using NetBoot.Hosting.Udp;
using NetBoot.Leases;
using NetBoot.Wire.Dhcp6;

namespace NetBoot.Hosting.Dhcp6;

/// <summary>A reply decided and encoded: sent at once, or once <see cref="Durable"/> (not null) has completed.</summary>
/// <param name="Message">The reply (the innermost message of a RELAY-REPL), for the log line's addresses.</param>
internal sealed record Dhcp6Outgoing(
    byte[] Bytes, IPEndPoint Destination, Dhcp6Message Message, string Summary, string InterfaceName, string Client, Task? Durable)
{
    public Dhcp6MessageType Type => Message.Type;

    /// <summary>The addresses it gives, for the log lines only: made when one is written.</summary>
    public string Addresses => Dhcp6Text.Addresses(Message, Summary);
}

/// <summary>The socket's loop, on one thread that is the only one sending on the socket, as DHCPv4's
/// (<see cref="Dhcp.DhcpService"/>): receive a batch → decide each message → send what needs nothing durable → one
/// deferred group commit for the batch's REPLYs, which the store's writer hands back to this loop once durable.</summary>
public sealed partial class Dhcp6Service
{
    /// <summary>How often an idle loop looks at its cancellation token.</summary>
    private const int IdleWakeMilliseconds = 200;

    /// <summary>How long stopping waits for the REPLYs whose commit is under way.</summary>
    private const int DrainMilliseconds = 5000;

    /// <summary>Receives every datagram waiting (recvmmsg, with each one's arrival interface), decides and encodes each,
    /// sends the replies that need nothing durable (ADVERTISE, refusals) at once (sendmmsg), and hands the batch's binding
    /// REPLYs to a <see cref="Dhcp6DurableReplies"/> group that the store commits (<see cref="IIpv6LeaseStore.CommitDeferred"/>);
    /// the store's writer hands the group back through the inbox, which wakes this loop, and the loop sends those whose
    /// lease is durable. The loop never waits for the disk: while one commit's fsync runs, it receives the next batches,
    /// whose changes share the next commit. No thread-pool hop on this path.</summary>
    private void Serve(Socket socket, CancellationToken cancellationToken)
    {
        using var batch = new Datagram6Batch(socket);
        using var inbox = new LoopInbox<Dhcp6DurableReplies.Group>();
        var durable = new Dhcp6DurableReplies(inbox);
        var sender = new Sender(logger, telemetry, socket, batch);
        while (!cancellationToken.IsCancellationRequested)
        {
            int received;
            try
            {
                received = batch.Receive(IdleWakeMilliseconds, inbox.Wake);
            }
            catch (SocketException e)
            {
                Dhcp6Log.ReceiveFailed(logger, e.Message);
                Thread.Sleep(IdleWakeMilliseconds);
                continue;
            }
            // What the store committed meanwhile goes out first (the send slots are free between batches).
            SendCommitted(inbox, durable, sender);
            if (received > 0)
            {
                ServeBatch(socket, batch, received, durable, sender);
            }
            if (durable.HasWaiting)
            {
                durable.SendWhenDurable(leases);
            }
        }
        // Stopping: the REPLYs whose commit is under way leave before the socket closes (for at most DrainMilliseconds; a
        // commit that fails or takes longer sends nothing, and its client asks again).
        var deadline = Environment.TickCount64 + DrainMilliseconds;
        while (durable.InFlight > 0 && Environment.TickCount64 < deadline)
        {
            inbox.Wake.Wait(IdleWakeMilliseconds);
            SendCommitted(inbox, durable, sender);
        }
    }

    private void ServeBatch(Socket socket, Datagram6Batch batch, int received, Dhcp6DurableReplies durable, Sender sender)
    {
        var table = Refresh(socket);
        for (var i = 0; i < received; i++)
        {
            var source = batch.Source(i);
            var index = batch.ArrivalIndex(i);
            try
            {
                if (Decide(socket, ref table, batch.Datagram(i), batch.IsTruncated(i), source, index) is not { } reply)
                {
                    continue;
                }
                if (reply.Durable is null)
                {
                    sender.Send(reply);
                }
                else
                {
                    durable.Add(reply);
                }
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // A bug must not take the service down for every other client.
                Log.HandlerFailed(logger, e, source.ToString(), index.ToString(System.Globalization.CultureInfo.InvariantCulture));
                telemetry?.Dhcp6Dropped("internal_error");
            }
        }
        sender.Flush();
    }

    /// <summary>Sends the REPLYs of each group the store has handed back whose lease is durable; logs and counts the others
    /// (the client retries; it must not hold an address the server may have forgotten).</summary>
    private void SendCommitted(LoopInbox<Dhcp6DurableReplies.Group> inbox, Dhcp6DurableReplies durable, Sender sender)
    {
        if (!inbox.Look())
        {
            return;
        }
        while (inbox.TryTake(out var group))
        {
            try
            {
                foreach (var reply in group.Replies)
                {
                    if (reply.Durable!.IsCompletedSuccessfully)
                    {
                        sender.Send(reply);
                        continue;
                    }
                    var reason = reply.Durable.Exception?.InnerException?.Message ?? (reply.Durable.IsCanceled ? "cancelled" : "not committed");
                    Dhcp6Log.NotDurable(logger, reply.Addresses, reason);
                    telemetry?.Dhcp6Dropped("not_durable");
                }
            }
            finally
            {
                durable.Recycle(group);
            }
        }
        sender.Flush();
    }

    /// <summary>Queues replies into the batch's send slots and sends them with one sendmmsg per flush; logs each reply
    /// (Replied) when queued and counts it once sent.</summary>
    private sealed class Sender(ILogger logger, BootTelemetry? telemetry, Socket socket, Datagram6Batch batch)
    {
        private readonly Dhcp6Outgoing?[] _queued = new Dhcp6Outgoing?[Datagram6Batch.Capacity];
        private readonly bool[] _failed = new bool[Datagram6Batch.Capacity];
        private int _count;

        public void Send(Dhcp6Outgoing reply)
        {
            if (logger.IsEnabled(LogLevel.Information))
            {
                Dhcp6Log.Replied(logger, Dhcp6Text.MessageName(reply.Type), reply.InterfaceName, reply.Addresses, reply.Client);
            }
            if (reply.Bytes.Length > Datagram6Batch.BufferSize)
            {
                // Longer than a send slot (never in practice): on its own.
                SendAlone(reply);
                return;
            }
            if (_count == Datagram6Batch.Capacity)
            {
                Flush();
            }
            reply.Bytes.CopyTo(batch.SendBuffer(_count));
            batch.Queue(_count, reply.Bytes.Length, reply.Destination);
            _queued[_count++] = reply;
        }

        public void Flush()
        {
            if (_count == 0)
            {
                return;
            }
            batch.Flush((index, error) =>
            {
                _failed[index] = true;
                Log.SendFailed(logger, batch.Destination(index).ToString(), _queued[index]!.InterfaceName, new SocketException(error).Message);
                telemetry?.Dhcp6Dropped("send_failed");
            });
            for (var i = 0; i < _count; i++)
            {
                if (!_failed[i])
                {
                    telemetry?.Dhcp6Replied(Dhcp6Text.MetricName(_queued[i]!.Type));
                }
                _failed[i] = false;
                _queued[i] = null;
            }
            _count = 0;
        }

        private void SendAlone(Dhcp6Outgoing reply)
        {
            try
            {
                socket.SendTo(reply.Bytes, SocketFlags.None, reply.Destination);
                telemetry?.Dhcp6Replied(Dhcp6Text.MetricName(reply.Type));
            }
            catch (SocketException e)
            {
                Log.SendFailed(logger, reply.Destination.ToString(), reply.InterfaceName, e.Message);
                telemetry?.Dhcp6Dropped("send_failed");
            }
        }
    }
}

/// <summary>The binding REPLYs of one receive batch, which may leave only once their lease change is durable (a REPLY is
/// a promise). The loop collects them in the current group and asks the store to commit; after the commit, on the
/// store's writer thread, the group goes back to the loop (<see cref="LoopInbox{T}"/>), which sends them.</summary>
internal sealed class Dhcp6DurableReplies(LoopInbox<Dhcp6DurableReplies.Group> inbox)
{
    private readonly ConcurrentBag<Group> _free = [];
    private Group? _current;
    private int _inFlight;

    public bool HasWaiting => _current is { Replies.Count: > 0 };

    /// <summary>Groups whose commit has been asked for and that the loop has not sent yet.</summary>
    public int InFlight => Volatile.Read(ref _inFlight);

    public void Add(Dhcp6Outgoing reply) => (_current ??= _free.TryTake(out var free) ? free : new Group(this)).Replies.Add(reply);

    /// <summary>Asks the store to commit and to hand the current group back right after.</summary>
    public void SendWhenDurable(IIpv6LeaseStore store)
    {
        if (_current is not { Replies.Count: > 0 } group)
        {
            return;
        }
        _current = null;
        Interlocked.Increment(ref _inFlight);
        store.CommitDeferred(group.Committed);
    }

    /// <summary>On the loop, once a group handed back is sent.</summary>
    public void Recycle(Group group)
    {
        group.Replies.Clear();
        _free.Add(group);
        Interlocked.Decrement(ref _inFlight);
    }

    internal sealed class Group(Dhcp6DurableReplies owner)
    {
        public List<Dhcp6Outgoing> Replies { get; } = new(Datagram6Batch.Capacity);

        /// <summary>After the commit (on the store's writer thread, or a thread-pool thread for a store without one): back
        /// to the loop once every REPLY's change is settled. A store whose decisions may still be settling after its
        /// commit (one that completes them on another thread) is waited for without blocking a thread.</summary>
        public void Committed()
        {
            foreach (var reply in Replies)
            {
                if (!reply.Durable!.IsCompleted)
                {
                    Task.WhenAll(Replies.Select(r => r.Durable!)).ContinueWith(
                        settled => { _ = settled.Exception; Committed(); }, CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default);
                    return;
                }
            }
            if (!owner.Inbox.Post(this))
            {
                // The loop has stopped: nothing will send it.
                Interlocked.Decrement(ref owner._inFlight);
            }
        }
    }

    private LoopInbox<Group> Inbox => inbox;
}

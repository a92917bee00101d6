using System.Net.Sockets;
using NetBoot.Engine;
using NetBoot.Engine.Dhcp;
using NetBoot.Hosting.Net;
using NetBoot.Hosting.Telemetry;
using NetBoot.Hosting.Udp;
using NetBoot.Wire.Net;

namespace NetBoot.Hosting.Dhcp;

/// <summary>One socket's loop: receive → admit → decide → commit (<see cref="Handle"/>) → send, on one thread that is
/// the only one sending on the socket; what other threads finish (group commits, ping checks) comes back to it.</summary>
public sealed partial class DhcpService
{
    /// <summary>How at most many addresses one DISCOVER may try when each answers ping; then it gets no reply (the
    /// client retries, and the quarantined addresses are skipped).</summary>
    private const int MaximumProbes = 4;

    /// <summary>A DISCOVER whose OFFER waits for the ping check of its address; the check hands it back to the receive
    /// loop of <see cref="Inbox"/>'s socket with its result.</summary>
    internal sealed record Probing(
        LoopInbox<Handback> Inbox, ArrivalInterface Arrival, ushort LocalPort, byte[] Datagram, IPv4Address SourceAddress, ushort SourcePort,
        HardwareAddress Client, IPv4Address Address, byte[] Reply, IPv4Address ReplyAddress, ushort ReplyPort, int Attempt);

    /// <summary>Pings the candidate; when the checker already has <see cref="PingCheck.MaxPending"/> probes waiting, the
    /// DISCOVER is dropped instead (counted; the client retries), never offered unchecked. The verdict only goes back to
    /// the socket's loop: the ping thread decides and sends nothing.</summary>
    private void StartProbe(PingCheck ping, Probing probing)
    {
        if (!ping.Probe(probing.Address, inUse => probing.Inbox.Post(new Handback(null, probing, inUse))))
        {
            telemetry?.DhcpDropped("ping_check_busy");
        }
    }

    /// <summary>How often an idle receive loop looks at its cancellation token.</summary>
    private const int IdleWakeMilliseconds = 200;

    /// <summary>One socket's loop, on its own thread, and the only thread that sends on the socket: receive every datagram
    /// waiting (recvmmsg); admit each (rate gate), decide it (engine, in the lease store) and encode it; send the replies
    /// that need nothing durable (offers, proxy replies) at once (sendmmsg), and hand the batch's ACKs to a
    /// <see cref="DurableReplies"/> group that the store commits. What finishes on another thread (a group commit, a
    /// ping check) is handed back through the socket's <see cref="LoopInbox{T}"/>, which wakes this loop, and sent from
    /// here. The loop never waits for the disk: while one commit's fsync runs it receives the next batches, whose
    /// changes share the next commit. No thread-pool hop at all on this path.</summary>
    private void ServeBatches(Socket socket, ServingInterface serving, ArrivalInterface arrival, ushort localPort, CancellationToken cancellationToken)
    {
        using var batch = new DatagramBatch(socket);
        using var inbox = new LoopInbox<Handback>();
        var durable = new DurableReplies(inbox, logger, telemetry);
        // dhcp-reply-delay: a due reply comes back through the inbox, so this loop stays the only sender.
        using var delayed = new DelayedReplies(time, reply => inbox.Post(new Handback(null, null, false, reply)));
        var replies = new Outgoing[DatagramBatch.Capacity];
        var origins = new int[DatagramBatch.Capacity];
        var loop = new LoopState(socket, batch, inbox, durable, delayed, arrival, localPort);
        while (!cancellationToken.IsCancellationRequested)
        {
            int received;
            try
            {
                received = batch.Receive(IdleWakeMilliseconds, inbox.Wake);
            }
            catch (SocketException e)
            {
                LeaseLog.ReceiveFailed(logger, arrival.Name, localPort, e.Message);
                Thread.Sleep(IdleWakeMilliseconds);
                continue;
            }
            // What other threads finished meanwhile goes out first (the send slots are free between batches).
            TakeHandbacks(loop);
            if (received > 0)
            {
                ServeBatch(loop, serving, received, replies, origins);
            }
            if (durable.HasWaiting && leases is not null)
            {
                durable.SendWhenDurable(leases);
            }
        }
        // Stopping: the groups whose commit is under way go out before the socket closes.
        var deadline = Environment.TickCount64 + 5000;
        while (durable.InFlight > 0 && Environment.TickCount64 < deadline)
        {
            inbox.Wake.Wait(IdleWakeMilliseconds);
            TakeHandbacks(loop, stopping: true);
        }
    }

    /// <summary>What one socket's loop works with.</summary>
    private sealed record LoopState(
        Socket Socket, DatagramBatch Batch, LoopInbox<Handback> Inbox, DurableReplies Durable, DelayedReplies Delayed, ArrivalInterface Arrival,
        ushort LocalPort);

    private void ServeBatch(LoopState loop, ServingInterface serving, int received, Outgoing[] replies, int[] origins)
    {
        var batch = loop.Batch;
        // The address this interface answers as, once per batch (it follows address changes).
        if (serving.Resolve(config.Current) is not { } current)
        {
            if (serving.ShouldReportSilence())
            {
                RuntimeLog.NotAnsweringWithoutAddress(logger, "DHCP", serving.Name, $"{batch.SourceAddress(0)}:{batch.SourcePort(0)}");
            }
            return;
        }
        var count = 0;
        for (var i = 0; i < received; i++)
        {
            var sourceAddress = batch.SourceAddress(i);
            var sourcePort = batch.SourcePort(i);
            try
            {
                if (Handle(batch.Datagram(i), sourceAddress, sourcePort, current, loop.LocalPort, batch.SendBuffer(count), admit: true) is { } reply)
                {
                    origins[count] = i;
                    replies[count++] = reply;
                }
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // A bug must not take the service down for every other client: log it loudly and go on.
                Log.HandlerFailed(logger, e, $"{sourceAddress}:{sourcePort}", loop.Arrival.Name);
                telemetry?.DhcpDropped("internal_error");
            }
        }
        for (var slot = 0; slot < count; slot++)
        {
            var reply = replies[slot];
            replies[slot] = default;
            var origin = origins[slot];
            // Kept (copied) only for a DISCOVER whose OFFER waits for the ping check: decided again if the address answers.
            var probing = reply.Probe is not null && _ping is not null
                ? new Probing(loop.Inbox, current, loop.LocalPort, batch.Datagram(origin).ToArray(), batch.SourceAddress(origin),
                    batch.SourcePort(origin), reply.Client, default, [], default, 0, Attempt: 0)
                : null;
            Dispatch(loop, reply, slot, probing);
        }
        Flush(loop);
    }

    /// <summary>Where a reply encoded into send slot <paramref name="slot"/> goes: to the ping check first, to the
    /// durable group, or into the batch to send now.</summary>
    private void Dispatch(LoopState loop, Outgoing reply, int slot, Probing? probing)
    {
        if (Address(loop.Socket, reply, loop.Arrival) is not { } address)
        {
            return;
        }
        var bytes = loop.Batch.SendBuffer(slot)[..reply.Length];
        if (reply.Probe is { } probe && _ping is { } ping && probing is not null)
        {
            var probed = probing with { Address = probe, Reply = bytes.ToArray(), ReplyAddress = address, ReplyPort = reply.Destination.Port };
            // dhcp-reply-delay: the probe starts when the delay is over, so the OFFER leaves after delay + probe (dnsmasq
            // overlaps them and waits only the longer of the two).
            if (reply.Delay > TimeSpan.Zero)
            {
                loop.Delayed.After(reply.Delay, () => StartProbe(ping, probed));
            }
            else
            {
                StartProbe(ping, probed);
            }
        }
        else if (reply.Delay > TimeSpan.Zero)
        {
            if (!reply.Durable.IsCompleted)
            {
                // A rapid-commit ACK: no durable group will ask for this commit, so ask now.
                leases?.CommitDeferred(static () => { });
            }
            loop.Delayed.Send(bytes, address, reply.Destination.Port, reply.Delay, reply.Durable);
        }
        else if (reply.Durable.IsCompletedSuccessfully)
        {
            loop.Batch.Queue(slot, reply.Length, address, reply.Destination.Port);
        }
        else
        {
            loop.Durable.Add(bytes, address, reply.Destination.Port, reply.Durable);
        }
    }

    private void Flush(LoopState loop) =>
        loop.Batch.Flush((index, error) =>
        {
            Log.SendFailed(logger, loop.Batch.Destination(index), loop.Arrival.Name, new SocketException(error).Message);
            telemetry?.DhcpDropped("send_failed");
        });

    /// <summary>Sends the durable groups the store has committed and settles the ping checks that have a result, on the
    /// loop's thread. While stopping, probes are not settled (no new decisions).</summary>
    private void TakeHandbacks(LoopState loop, bool stopping = false)
    {
        if (!loop.Inbox.Look())
        {
            return;
        }
        var slot = 0;
        while (loop.Inbox.TryTake(out var handback))
        {
            if (handback.Group is { } group)
            {
                // The group uses the send slots from the first: what the probes queued leaves before.
                Flush(loop);
                slot = 0;
                loop.Durable.Send(group, loop.Batch, (index, error) =>
                    Log.SendFailed(logger, loop.Batch.Destination(index), loop.Arrival.Name, new SocketException(error).Message));
            }
            else if (handback.Delayed is { } due)
            {
                if (slot == DatagramBatch.Capacity)
                {
                    Flush(loop);
                    slot = 0;
                }
                due.Datagram.CopyTo(loop.Batch.SendBuffer(slot));
                loop.Batch.Queue(slot++, due.Datagram.Length, due.Address, due.Port);
            }
            else if (handback.Probe is { } probing && !stopping)
            {
                if (slot == DatagramBatch.Capacity)
                {
                    Flush(loop);
                    slot = 0;
                }
                if (Settle(loop, probing, handback.InUse, slot))
                {
                    slot++;
                }
            }
        }
        Flush(loop);
    }

    /// <summary>The ping check's result, on the loop: the second decision (<see cref="FullDhcpResponder.Probed"/>) says
    /// whether the OFFER leaves as it was, or the address is quarantined and the DISCOVER decided again (another address,
    /// probed in turn). True when send slot <paramref name="slot"/> was used.</summary>
    private bool Settle(LoopState loop, Probing probing, bool inUse, int slot)
    {
        try
        {
            ProbeVerdict? verdict = null;
            leases!.Execute(view => (verdict = FullDhcpResponder.Probed(view, probing.Address, probing.Client, inUse, time.GetUtcNow())).Outcome);
            switch (verdict!.Next)
            {
                case ProbeNext.SendOffer:
                    probing.Reply.CopyTo(loop.Batch.SendBuffer(slot));
                    loop.Batch.Queue(slot, probing.Reply.Length, probing.ReplyAddress, probing.ReplyPort);
                    return true;
                case ProbeNext.Drop:
                    // Bound meanwhile (the client retried its DISCOVER and took the address): the answer was its own.
                    return false;
            }
            LeaseLog.AddressInUse(logger, probing.Address.ToString(), probing.Client.ToString(), (int)FullDhcpResponder.InUseQuarantine.TotalMinutes);
            // Decided again without the rate gate: this DISCOVER was admitted once.
            if (Handle(probing.Datagram, probing.SourceAddress, probing.SourcePort, probing.Arrival, probing.LocalPort, loop.Batch.SendBuffer(slot), admit: false) is not { } reply)
            {
                return false;
            }
            if (reply.Probe is not null && probing.Attempt + 1 >= MaximumProbes)
            {
                return false;
            }
            // The DISCOVER's dhcp-reply-delay was waited out before its first probe: not again.
            Dispatch(loop, reply with { Delay = TimeSpan.Zero }, slot, probing with { Attempt = probing.Attempt + 1 });
            return true;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            Log.HandlerFailed(logger, e, $"{probing.SourceAddress}:{probing.SourcePort}", probing.Arrival.Name);
            return false;
        }
    }
}

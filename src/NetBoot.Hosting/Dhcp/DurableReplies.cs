using System.Collections.Concurrent;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using NetBoot.Engine;
using NetBoot.Hosting.Telemetry;
using NetBoot.Hosting.Udp;
using NetBoot.Leases;
using NetBoot.Wire.Net;

namespace NetBoot.Hosting.Dhcp;

/// <summary>The replies of one receive batch that may leave only once their lease change is durable (ACKs: DESIGN, an
/// ACK is a promise). The receive loop copies them here; when the group commit that holds the batch's changes is done,
/// the store's writer thread sends them all with one <c>sendmmsg</c> (no thread-pool hop). A reply whose change failed
/// to commit is dropped and logged.</summary>
internal sealed class DurableReplies(Socket socket, ArrivalInterface arrival, ILogger logger, Status.BootTelemetry? telemetry = null) : IDisposable
{
    private readonly ConcurrentBag<Group> _free = [];
    private Group? _current;
    private int _inFlight;

    public bool HasWaiting => _current is { Count: > 0 };

    /// <summary>Copies a reply into the current group (at most one receive batch, so it always fits).</summary>
    public void Add(ReadOnlySpan<byte> reply, IPv4Address address, ushort port, Task durable)
    {
        var group = _current ??= _free.TryTake(out var free) ? free : new Group(this, new DatagramBatch(socket));
        var slot = group.Count++;
        reply.CopyTo(group.Sender.SendBuffer(slot));
        group.Entries[slot] = new Entry(reply.Length, address, port, durable);
    }

    /// <summary>Asks the store to commit and to send the current group right after.</summary>
    public void SendWhenDurable(ILeaseStore store)
    {
        if (_current is not { Count: > 0 } group)
        {
            return;
        }
        _current = null;
        Interlocked.Increment(ref _inFlight);
        store.CommitDeferred(group.Send);
    }

    /// <summary>Stopping: lets the groups whose commit is under way go out before the socket closes.</summary>
    public void WaitForInFlight(TimeSpan limit)
    {
        var deadline = Environment.TickCount64 + (long)limit.TotalMilliseconds;
        while (Volatile.Read(ref _inFlight) > 0 && Environment.TickCount64 < deadline)
        {
            Thread.Sleep(1);
        }
    }

    public void Dispose()
    {
        _current?.Sender.Dispose();
        while (_free.TryTake(out var group))
        {
            group.Sender.Dispose();
        }
    }

    private readonly record struct Entry(int Length, IPv4Address Address, ushort Port, Task Durable);

    private sealed class Group(DurableReplies owner, DatagramBatch sender)
    {
        public DatagramBatch Sender { get; } = sender;

        public Entry[] Entries { get; } = new Entry[DatagramBatch.Capacity];

        public int Count { get; set; }

        public void Send()
        {
            try
            {
                for (var i = 0; i < Count; i++)
                {
                    var entry = Entries[i];
                    Entries[i] = default;
                    try
                    {
                        // Complete here for the SQLite store; another store may still be writing.
                        entry.Durable.GetAwaiter().GetResult();
                    }
                    catch (Exception e) when (e is not OutOfMemoryException)
                    {
                        LeaseLog.NotDurable(owner.Logger, entry.Address.ToString(), e.Message);
                        owner.Telemetry?.DhcpDropped("lease_not_durable");
                        continue;
                    }
                    Sender.Queue(i, entry.Length, entry.Address, entry.Port);
                }
                Sender.Flush((index, error) =>
                    Log.SendFailed(owner.Logger, Sender.Destination(index), owner.Interface.Name, new SocketException(error).Message));
            }
            finally
            {
                Count = 0;
                owner._free.Add(this);
                Interlocked.Decrement(ref owner._inFlight);
            }
        }
    }

    private ILogger Logger => logger;

    private Status.BootTelemetry? Telemetry => telemetry;

    private ArrivalInterface Interface => arrival;
}

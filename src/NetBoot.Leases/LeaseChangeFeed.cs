using System.Threading.Channels;
using NetBoot.Engine.Leases;

namespace NetBoot.Leases;

/// <summary>The subscribers of a lease store (<see cref="ILeaseStore.Subscribe"/>): every durable change, in commit
/// order, to each reader (the lease-file writer, <c>dhcp-script</c>). Shared by the SQLite and PostgreSQL stores.</summary>
public sealed class LeaseChangeFeed
{
    private readonly List<Channel<LeaseChange>> _subscribers = [];

    public ChannelReader<LeaseChange> Subscribe()
    {
        var channel = Channel.CreateUnbounded<LeaseChange>(new UnboundedChannelOptions { SingleReader = true });
        lock (_subscribers)
        {
            _subscribers.Add(channel);
        }
        return channel.Reader;
    }

    public void Publish(IEnumerable<LeaseChange> changes)
    {
        ArgumentNullException.ThrowIfNull(changes);
        lock (_subscribers)
        {
            foreach (var change in changes)
            {
                foreach (var subscriber in _subscribers)
                {
                    subscriber.Writer.TryWrite(change);
                }
            }
        }
    }

    /// <summary>Ends every subscription (the store is closing).</summary>
    public void Complete()
    {
        lock (_subscribers)
        {
            foreach (var subscriber in _subscribers)
            {
                subscriber.Writer.TryComplete();
            }
        }
    }
}

namespace NetBoot.Engine.Limits;

/// <summary>A token bucket per key (<paramref name="ratePerSecond"/> refill, <paramref name="burst"/> capacity) in a
/// table of at most <paramref name="capacity"/> keys. Pure: the caller passes the time; not thread-safe.</summary>
/// <remarks>Memory stays bounded under a flood of new keys: a bucket that lost at most one token says little more than a
/// new one would, so when the table is full those keys are dropped (a flood of random keys, one packet each, is swept
/// away; a noisy key with an emptied bucket stays). A sweep runs at most every 100 ms; a key that finds the table still
/// full is not tracked until the next one (it passes; the caller's shared limit still applies to it).</remarks>
public sealed class TokenBucketTable<TKey>(double ratePerSecond, double burst, int capacity) where TKey : notnull
{
    private readonly Dictionary<TKey, Bucket> _buckets = [];
    private static readonly long SweepInterval = TimeSpan.TicksPerMillisecond * 100;
    private long _lastSweep = long.MinValue;

    public int Count => _buckets.Count;

    /// <summary>Takes one token for <paramref name="key"/> at <paramref name="now"/>; false when its bucket is empty.</summary>
    public bool TryTake(TKey key, DateTimeOffset now)
    {
        var ticks = now.UtcTicks;
        if (_buckets.TryGetValue(key, out var bucket))
        {
            var tokens = Refilled(bucket, ticks);
            if (tokens < 1)
            {
                _buckets[key] = new Bucket(tokens, ticks);
                return false;
            }
            _buckets[key] = new Bucket(tokens - 1, ticks);
            return true;
        }
        if (_buckets.Count >= capacity && !Sweep(ticks))
        {
            return true;
        }
        _buckets[key] = new Bucket(burst - 1, ticks);
        return true;
    }

    private double Refilled(Bucket bucket, long ticks) =>
        Math.Min(burst, bucket.Tokens + Math.Max(0, ticks - bucket.Stamp) * ratePerSecond / TimeSpan.TicksPerSecond);

    /// <summary>Drops the keys that spent at most one token; true when room was made.</summary>
    private bool Sweep(long ticks)
    {
        if (ticks - _lastSweep < SweepInterval)
        {
            return false;
        }
        _lastSweep = ticks;
        var idle = _buckets.Where(b => Refilled(b.Value, ticks) >= burst - 1).Select(b => b.Key).ToList();
        foreach (var key in idle)
        {
            _buckets.Remove(key);
        }
        if (_buckets.Count < capacity)
        {
            return true;
        }
        return false;
    }

    private readonly record struct Bucket(double Tokens, long Stamp);
}

/// <summary>One token bucket (see <see cref="TokenBucketTable{TKey}"/>).</summary>
public sealed class TokenBucket(double ratePerSecond, double burst)
{
    private double _tokens;
    private long _stamp = long.MinValue;

    public bool TryTake(DateTimeOffset now)
    {
        var ticks = now.UtcTicks;
        _tokens = _stamp == long.MinValue ? burst : Math.Min(burst, _tokens + Math.Max(0, ticks - _stamp) * ratePerSecond / TimeSpan.TicksPerSecond);
        _stamp = ticks;
        if (_tokens < 1)
        {
            return false;
        }
        _tokens -= 1;
        return true;
    }
}

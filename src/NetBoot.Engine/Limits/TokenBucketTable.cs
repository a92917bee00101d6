namespace NetBoot.Engine.Limits;

/// <summary>A token bucket per key (<paramref name="ratePerSecond"/> refill, <paramref name="burst"/> capacity) in a
/// table of at most <paramref name="capacity"/> keys. Pure: the caller passes the time; not thread-safe.</summary>
/// <remarks>Memory stays bounded under a flood of new keys: the table is an <see cref="LruTable{TKey, TValue}"/>, so a new
/// key takes the place of the key heard from least recently, in O(1). A noisy key is heard from all the time and so
/// stays tracked (its bucket empty) while a flood of random keys, one packet each, churns through the rest; a key that is
/// forgotten comes back with a full bucket, as a new key would (the caller's shared new-client limit still applies).</remarks>
public sealed class TokenBucketTable<TKey>(double ratePerSecond, double burst, int capacity) where TKey : notnull
{
    private readonly LruTable<TKey, Bucket> _buckets = new(capacity);

    public int Count => _buckets.Count;

    public int Capacity => _buckets.Capacity;

    /// <summary>Takes one token for <paramref name="key"/> at <paramref name="now"/>; false when its bucket is empty.</summary>
    public bool TryTake(TKey key, DateTimeOffset now)
    {
        var ticks = now.UtcTicks;
        var tokens = _buckets.TryGetValue(key, out var bucket) ? Refilled(bucket, ticks) : burst;
        if (tokens < 1)
        {
            _buckets.Set(key, new Bucket(tokens, ticks));
            return false;
        }
        _buckets.Set(key, new Bucket(tokens - 1, ticks));
        return true;
    }

    private double Refilled(Bucket bucket, long ticks) =>
        Math.Min(burst, bucket.Tokens + Math.Max(0, ticks - bucket.Stamp) * ratePerSecond / TimeSpan.TicksPerSecond);

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

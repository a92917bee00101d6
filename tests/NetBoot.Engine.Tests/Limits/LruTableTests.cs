using NetBoot.Engine.Limits;

namespace NetBoot.Engine.Tests.Limits;

public sealed class LruTableTests
{
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public void When_full_the_least_recently_set_entry_makes_room_and_is_handed_back()
    {
        var table = new LruTable<string, int>(3);
        table.Set("a", 1);
        table.Set("b", 2);
        table.Set("c", 3);
        table.Set("a", 10); // a is now the most recent: b is the oldest

        Assert.True(table.Set("d", 4, out var evicted));
        Assert.Equal(new KeyValuePair<string, int>("b", 2), evicted);
        Assert.Equal(["d", "a", "c"], table.NewestFirst().Select(e => e.Key));
        Assert.True(table.TryPeekOldest(out var oldest, out _));
        Assert.Equal("c", oldest);
        Assert.False(table.Set("a", 11, out _));
        Assert.Equal(11, table.TryGetValue("a", out var a) ? a : 0);
    }

    [Fact]
    public void Reading_does_not_make_an_entry_recent_and_removed_slots_are_reused()
    {
        var table = new LruTable<int, int>(2);
        table.Set(1, 1);
        table.Set(2, 2);
        Assert.True(table.TryGetValue(1, out _));
        table.Set(3, 3, out var evicted);
        Assert.Equal(1, evicted.Key);

        Assert.True(table.Remove(2));
        Assert.False(table.Remove(2));
        Assert.False(table.Set(4, 4, out _));
        Assert.Equal([4, 3], table.NewestFirst().Select(e => e.Key));
        Assert.Equal(2, table.Count);
    }

    [Fact]
    public void A_flood_of_200000_distinct_keys_only_churns_through_the_capacity_oldest_first()
    {
        var table = new LruTable<int, int>(1000);
        for (var key = 0; key < 200_000; key++)
        {
            var evicting = table.Set(key, key, out var evicted);
            Assert.Equal(key >= 1000, evicting);
            if (evicting)
            {
                Assert.Equal(key - 1000, evicted.Key);
            }
            Assert.InRange(table.Count, 1, 1000);
        }
        Assert.Equal(Enumerable.Range(199_000, 1000).Reverse(), table.NewestFirst().Select(e => e.Key));
    }

    [Fact]
    public void Token_buckets_stay_within_their_capacity_under_200000_distinct_keys()
    {
        var table = new TokenBucketTable<string>(5, 20, DhcpAdmission.ClientCapacity);
        for (var n = 0; n < 200_000; n++)
        {
            Assert.True(table.TryTake("mac:" + n, T0.AddMicroseconds(n * 50)));
            Assert.InRange(table.Count, 1, DhcpAdmission.ClientCapacity);
        }
        Assert.Equal(DhcpAdmission.ClientCapacity, table.Count);
    }

    [Fact]
    public void A_forgotten_key_comes_back_with_a_full_bucket_a_busy_one_is_not_forgotten()
    {
        var table = new TokenBucketTable<string>(1, 2, 2);
        Assert.True(table.TryTake("busy", T0));
        Assert.True(table.TryTake("busy", T0));
        Assert.False(table.TryTake("busy", T0));
        Assert.True(table.TryTake("other", T0));
        Assert.False(table.TryTake("busy", T0)); // heard from last: "other" is the oldest
        Assert.True(table.TryTake("third", T0)); // "other" goes
        Assert.False(table.TryTake("busy", T0));
        Assert.True(table.TryTake("fourth", T0)); // "third" goes
        Assert.True(table.TryTake("fifth", T0)); // now "busy" goes...
        Assert.True(table.TryTake("busy", T0)); // ...and comes back as a new key would
    }
}

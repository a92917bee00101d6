using NetBoot.Hosting.Tftp;

namespace NetBoot.Hosting.Tests.Tftp;

public sealed class TftpTimerQueueTests
{
    private sealed class Item(string name) : ITftpTimed
    {
        public string Name { get; } = name;

        public long ScheduledTicks { get; set; } = TftpTimerQueue<Item>.None;
    }

    private static List<string> TakeAll(TftpTimerQueue<Item> queue, long now)
    {
        var taken = new List<string>();
        while (queue.TryTakeDue(now, out var item))
        {
            taken.Add(item.Name);
        }
        return taken;
    }

    [Fact]
    public void Items_come_out_in_due_order_and_not_before_they_are_due()
    {
        var queue = new TftpTimerQueue<Item>();
        var (a, b, c) = (new Item("a"), new Item("b"), new Item("c"));
        queue.Schedule(b, 200);
        queue.Schedule(c, 300);
        queue.Schedule(a, 100);

        Assert.Equal(100, queue.NextDueTicks);
        Assert.Empty(TakeAll(queue, 99));
        Assert.Equal(["a", "b"], TakeAll(queue, 250));
        Assert.Equal(["c"], TakeAll(queue, 1000));
        Assert.Equal(TftpTimerQueue<Item>.None, queue.NextDueTicks);
    }

    [Fact]
    public void A_later_deadline_keeps_the_one_entry_and_the_item_comes_out_early_once()
    {
        var queue = new TftpTimerQueue<Item>();
        var item = new Item("ack");
        queue.Schedule(item, 100);
        // Thousands of ACKs move the deadline later: no heap operation each time.
        for (var due = 101; due < 5000; due++)
        {
            queue.Schedule(item, due);
        }
        Assert.Equal(1, queue.EntryCount);

        Assert.Equal(["ack"], TakeAll(queue, 100));
        Assert.Equal(TftpTimerQueue<Item>.None, item.ScheduledTicks);
        Assert.Equal(0, queue.EntryCount);
    }

    [Fact]
    public void An_earlier_deadline_adds_an_entry_and_the_replaced_one_is_skipped()
    {
        var queue = new TftpTimerQueue<Item>();
        var item = new Item("x");
        queue.Schedule(item, 500);
        queue.Schedule(item, 100);
        Assert.Equal(2, queue.EntryCount);

        Assert.Equal(["x"], TakeAll(queue, 100));
        Assert.Empty(TakeAll(queue, 1000));
        Assert.Equal(0, queue.EntryCount);
    }

    [Fact]
    public void A_cancelled_item_never_comes_out_and_its_entry_is_dropped()
    {
        var queue = new TftpTimerQueue<Item>();
        var (kept, cancelled) = (new Item("kept"), new Item("cancelled"));
        queue.Schedule(cancelled, 100);
        queue.Schedule(kept, 200);
        TftpTimerQueue<Item>.Cancel(cancelled);

        Assert.Equal(["kept"], TakeAll(queue, 1000));
        Assert.Equal(0, queue.EntryCount);
    }

    [Fact]
    public void A_cancelled_item_scheduled_again_comes_out_at_its_new_time()
    {
        var queue = new TftpTimerQueue<Item>();
        var item = new Item("again");
        queue.Schedule(item, 100);
        TftpTimerQueue<Item>.Cancel(item);
        queue.Schedule(item, 300);

        Assert.Empty(TakeAll(queue, 200));
        Assert.Equal(["again"], TakeAll(queue, 300));
    }
}

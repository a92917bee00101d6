using System.Net;
using NetBoot.Hosting.Http;

namespace NetBoot.Hosting.Tests.Http;

/// <summary>Admission by client address and in all, and which idle connection makes room when the table is full.</summary>
public sealed class HttpConnectionTableTests
{
    private static readonly IPAddress A = IPAddress.Parse("10.0.0.1");
    private static readonly IPAddress B = IPAddress.Parse("10.0.0.2");
    private static readonly IPAddress C = IPAddress.Parse("10.0.0.3");
    private static readonly IPAddress D = IPAddress.Parse("10.0.0.4");

    [Fact]
    public void An_address_holds_at_most_the_per_client_limit_while_others_are_admitted()
    {
        var table = new HttpConnectionTable(capacity: 100, perClient: 3);

        var admitted = Enumerable.Range(0, 10).Select(i => table.TryAdmit(A, out _, out _)).ToList();

        Assert.Equal(3, admitted.Count(a => a == HttpAdmission.Admitted));
        Assert.All(admitted.Skip(3), a => Assert.Equal(HttpAdmission.OverClientLimit, a));
        Assert.Equal(HttpAdmission.Admitted, table.TryAdmit(B, out _, out _));
        Assert.Equal((3, 1, 4), (table.CountFrom(A), table.CountFrom(B), table.Count));
    }

    [Fact]
    public void Releasing_gives_the_place_back_once_only()
    {
        var table = new HttpConnectionTable(capacity: 2, perClient: 1);
        table.TryAdmit(A, out var slot, out _);

        table.Release(slot!);
        table.Release(slot!);

        Assert.Equal((0, 0), (table.Count, table.CountFrom(A)));
        Assert.Equal(HttpAdmission.Admitted, table.TryAdmit(A, out _, out _));
        Assert.Equal(HttpAdmission.Admitted, table.TryAdmit(B, out _, out _));
        Assert.Equal(2, table.Count);
    }

    [Fact]
    public void A_full_table_closes_the_oldest_idle_connection_of_the_busiest_address_for_a_newcomer()
    {
        var table = new HttpConnectionTable(capacity: 4, perClient: 4);
        table.TryAdmit(B, out _, out _);
        table.TryAdmit(A, out var firstOfA, out _);
        table.TryAdmit(A, out _, out _);
        table.TryAdmit(A, out _, out _);

        var admission = table.TryAdmit(C, out var newcomer, out var evicted);

        Assert.Equal(HttpAdmission.Admitted, admission);
        Assert.NotNull(newcomer);
        Assert.Same(firstOfA, evicted);
        Assert.Equal((2, 1, 1, 4), (table.CountFrom(A), table.CountFrom(B), table.CountFrom(C), table.Count));
    }

    [Fact]
    public void The_busiest_address_is_found_even_when_its_connections_are_the_newest()
    {
        var table = new HttpConnectionTable(capacity: 100, perClient: 32);
        for (var i = 0; i < 70; i++)
        {
            table.TryAdmit(IPAddress.Parse($"10.3.0.{i + 1}"), out _, out _);
        }
        for (var i = 0; i < 30; i++)
        {
            table.TryAdmit(A, out _, out _);
        }

        Assert.Equal(HttpAdmission.Admitted, table.TryAdmit(B, out _, out var evicted));
        Assert.Equal(A, evicted!.Source);
        Assert.Equal(29, table.CountFrom(A));
    }

    [Fact]
    public void Connections_held_one_per_address_are_not_displaced_by_a_newcomer()
    {
        var table = new HttpConnectionTable(capacity: 3, perClient: 4);
        table.TryAdmit(A, out _, out _);
        table.TryAdmit(B, out _, out _);
        table.TryAdmit(C, out _, out _);

        Assert.Equal(HttpAdmission.Full, table.TryAdmit(D, out _, out var evicted));
        Assert.Null(evicted);
    }

    [Fact]
    public void An_address_cannot_displace_one_holding_only_one_more_than_itself()
    {
        var table = new HttpConnectionTable(capacity: 3, perClient: 4);
        table.TryAdmit(A, out _, out _);
        table.TryAdmit(A, out _, out _);
        table.TryAdmit(B, out _, out _);

        // B would go from 1 to 2 and A from 2 to 1: no fairer, only churn.
        Assert.Equal(HttpAdmission.Full, table.TryAdmit(B, out _, out _));
        Assert.Equal(HttpAdmission.Admitted, table.TryAdmit(C, out _, out var evicted));
        Assert.Equal(A, evicted!.Source);
    }

    [Fact]
    public void A_connection_answering_a_request_is_never_displaced()
    {
        var table = new HttpConnectionTable(capacity: 2, perClient: 4);
        table.TryAdmit(A, out var first, out _);
        table.TryAdmit(A, out var second, out _);
        table.MarkBusy(first!);
        table.MarkBusy(second!);

        Assert.Equal(HttpAdmission.Full, table.TryAdmit(B, out _, out _));

        table.MarkIdle(second!);
        Assert.Equal(HttpAdmission.Admitted, table.TryAdmit(B, out _, out var evicted));
        Assert.Same(second, evicted);
    }

    [Fact]
    public void A_keep_alive_connection_left_from_an_answered_request_makes_room_even_for_a_single_one()
    {
        var table = new HttpConnectionTable(capacity: 2, perClient: 4);
        table.TryAdmit(A, out var answered, out _);
        table.TryAdmit(B, out _, out _);
        table.MarkBusy(answered!);
        table.MarkIdle(answered!);

        Assert.Equal(HttpAdmission.Admitted, table.TryAdmit(C, out _, out var evicted));
        Assert.Same(answered, evicted);
    }

    [Fact]
    public void Room_made_from_the_newcomers_own_keep_alive_connection_keeps_its_count_exact()
    {
        var table = new HttpConnectionTable(capacity: 2, perClient: 4);
        table.TryAdmit(A, out var leftOver, out _);
        table.TryAdmit(B, out _, out _);
        table.MarkBusy(leftOver!);
        table.MarkIdle(leftOver!);

        Assert.Equal(HttpAdmission.Admitted, table.TryAdmit(A, out var again, out var evicted));
        Assert.Same(leftOver, evicted);
        Assert.Equal((1, 2), (table.CountFrom(A), table.Count));
        table.Release(evicted!);
        table.Release(again!);
        Assert.Equal(0, table.CountFrom(A));
    }

    [Fact]
    public void Evicted_connections_still_closing_are_bounded_by_the_closing_allowance()
    {
        var capacity = HttpConnectionTable.ClosingAllowance + 10;
        var table = new HttpConnectionTable(capacity, perClient: capacity);
        for (var i = 0; i < capacity; i++)
        {
            table.TryAdmit(A, out _, out _);
        }
        var evicted = new List<HttpConnectionSlot>();
        for (var i = 0; i < HttpConnectionTable.ClosingAllowance; i++)
        {
            Assert.Equal(HttpAdmission.Admitted, table.TryAdmit(IPAddress.Parse($"10.1.0.{i + 1}"), out _, out var victim));
            evicted.Add(victim!);
        }

        Assert.Equal(HttpAdmission.Full, table.TryAdmit(B, out _, out _));
        table.Release(evicted[0]);
        Assert.Equal(HttpAdmission.Admitted, table.TryAdmit(B, out _, out _));
        Assert.Equal(capacity, table.Count);
    }

    [Fact]
    public void Close_before_the_connection_is_attached_closes_it_on_attach()
    {
        var table = new HttpConnectionTable(capacity: 1, perClient: 1);
        table.TryAdmit(A, out var slot, out _);
        var closed = 0;

        slot!.Close();
        slot.AttachClose(() => closed++);
        slot.Close();

        Assert.Equal(2, closed);
    }

    [Fact]
    public void A_flood_from_many_addresses_leaves_room_for_a_newcomer_and_counts_stay_exact()
    {
        var table = new HttpConnectionTable(capacity: 300, perClient: 32);
        var slots = new List<HttpConnectionSlot>();
        for (var i = 0; i < 3000; i++)
        {
            if (table.TryAdmit(IPAddress.Parse($"10.2.{i % 100}.1"), out var slot, out var evicted) == HttpAdmission.Admitted)
            {
                slots.Add(slot!);
            }
            if (evicted is not null)
            {
                table.Release(evicted);
            }
        }

        Assert.Equal(300, table.Count);
        Assert.Equal(HttpAdmission.Admitted, table.TryAdmit(D, out _, out var room));
        Assert.NotNull(room);
        Assert.InRange(Enumerable.Range(0, 100).Max(i => table.CountFrom(IPAddress.Parse($"10.2.{i}.1"))), 3, 4);
    }
}

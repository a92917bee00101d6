using NetBoot.Configuration.Model;
using NetBoot.Hosting.Http;

namespace NetBoot.Hosting.Tests.Http;

/// <summary>The descriptor budget's arithmetic: reserve = open + 128 + 2 × tftp-max (TFTP on) + 32 closing;
/// capacity = min(http-max-connections, (limit − reserve) / 2), at least 16.</summary>
public sealed class HttpConnectionBudgetTests
{
    private static readonly TftpConfig Tftp50 = new() { IsEnabled = true, MaxTransfers = 50 };

    [Fact]
    public void A_generous_limit_leaves_the_configured_ceiling()
    {
        var budget = HttpConnectionBudget.Derive(new HttpConfig(), Tftp50, descriptorLimit: 524_288, openDescriptors: 150);

        Assert.Equal((HttpConfig.DefaultMaxConnections, HttpConfig.DefaultMaxConnectionsPerClient), (budget.Capacity, budget.PerClient));
        Assert.Equal(150 + 128 + 100 + 32, budget.Reserve);
        Assert.False(budget.IsLimitedByDescriptors);
    }

    [Fact]
    public void A_limit_of_1024_keeps_room_for_tftp_and_the_rest_and_two_descriptors_per_connection()
    {
        var budget = HttpConnectionBudget.Derive(new HttpConfig(), Tftp50, descriptorLimit: 1024, openDescriptors: 170);

        // (1024 − (170 + 128 + 100 + 32)) / 2 = 297
        Assert.Equal(297, budget.Capacity);
        Assert.True(budget.IsLimitedByDescriptors);
        Assert.True(2 * budget.Capacity + budget.Reserve <= 1024);
    }

    [Fact]
    public void Tftp_transfers_are_reserved_only_when_tftp_is_on()
    {
        var off = HttpConnectionBudget.Derive(new HttpConfig(), new TftpConfig { MaxTransfers = 50 }, 1024, 170);

        Assert.Equal(170 + 128 + 32, off.Reserve);
        Assert.Equal((1024 - 330) / 2, off.Capacity);
    }

    [Fact]
    public void The_per_client_limit_never_exceeds_the_total_and_zero_means_the_total()
    {
        Assert.Equal(297, HttpConnectionBudget.Derive(new HttpConfig { MaxConnectionsPerClient = 5000 }, Tftp50, 1024, 170).PerClient);
        Assert.Equal(297, HttpConnectionBudget.Derive(new HttpConfig { MaxConnectionsPerClient = 0 }, Tftp50, 1024, 170).PerClient);
        Assert.Equal(4, HttpConnectionBudget.Derive(new HttpConfig { MaxConnectionsPerClient = 4 }, Tftp50, 1024, 170).PerClient);
    }

    [Fact]
    public void No_ceiling_means_what_the_descriptors_allow_even_when_unlimited()
    {
        var budget = HttpConnectionBudget.Derive(new HttpConfig { MaxConnections = 0 }, Tftp50, long.MaxValue, 150);

        Assert.Equal(int.MaxValue, budget.Capacity);
        Assert.Equal(100_000, HttpConnectionBudget.Derive(new HttpConfig { MaxConnections = 0 }, Tftp50, 200_410, 150).Capacity);
    }

    [Fact]
    public void A_limit_too_low_for_the_reserve_keeps_a_minimum_and_says_so()
    {
        var budget = HttpConnectionBudget.Derive(new HttpConfig(), Tftp50, descriptorLimit: 256, openDescriptors: 170);

        Assert.Equal(HttpConnectionBudget.MinimumCapacity, budget.Capacity);
        Assert.True(budget.IsDescriptorLimitTooLow);
        Assert.False(HttpConnectionBudget.Derive(new HttpConfig(), Tftp50, 1024, 170).IsDescriptorLimitTooLow);
    }

    [Fact]
    public void A_configured_ceiling_below_the_minimum_is_kept()
    {
        var budget = HttpConnectionBudget.Derive(new HttpConfig { MaxConnections = 4, MaxConnectionsPerClient = 2 }, Tftp50, 1024, 170);

        Assert.Equal((4, 2), (budget.Capacity, budget.PerClient));
        Assert.False(budget.IsLimitedByDescriptors);
    }
}

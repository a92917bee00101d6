using NetBoot.Engine.Ra;

namespace NetBoot.Engine.Tests.Ra;

public sealed class RouterAdvertisementScheduleTests
{
    [Theory]
    [InlineData(0, 0)]
    [InlineData(65535, 5)]
    public void The_first_RA_goes_out_within_five_seconds(int random, int seconds)
    {
        Assert.Equal(TimeSpan.FromSeconds(seconds), RouterAdvertisementSchedule.FirstDelay((ushort)random));
    }

    [Theory]
    [InlineData(0, 5)]
    [InlineData(65535, 19)]
    public void During_the_first_minute_RAs_repeat_every_5_to_20_seconds(int random, int seconds)
    {
        Assert.Equal(TimeSpan.FromSeconds(seconds), RouterAdvertisementSchedule.NextDelay(TimeSpan.FromSeconds(59), TimeSpan.FromSeconds(600), (ushort)random));
    }

    [Theory]
    [InlineData(0, 450)]
    [InlineData(65535, 599)]
    public void After_the_first_minute_RAs_come_every_three_quarters_to_one_interval(int random, int seconds)
    {
        Assert.Equal(TimeSpan.FromSeconds(seconds), RouterAdvertisementSchedule.NextDelay(TimeSpan.FromSeconds(60), TimeSpan.FromSeconds(600), (ushort)random));
    }
}

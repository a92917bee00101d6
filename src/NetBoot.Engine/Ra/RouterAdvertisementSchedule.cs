namespace NetBoot.Engine.Ra;

/// <summary>When unsolicited RAs go out, as dnsmasq's ra_start_unsolicited and new_timeout (src/radv.c) time them, with
/// the random 16-bit draw passed in: the first within 0–5 s of start-up, then every 5–20 s for the first minute (in case
/// the first ones are lost), then every ¾…1 × MaxRtrAdvInterval (RFC 4861 §6.2.4 jitter).</summary>
public static class RouterAdvertisementSchedule
{
    /// <summary>dnsmasq: "re-do frequently for a minute or so".</summary>
    public static readonly TimeSpan FastPeriod = TimeSpan.FromSeconds(60);

    public static TimeSpan FirstDelay(ushort random) => TimeSpan.FromSeconds(random / 13000);

    /// <param name="sinceStart">Time since the service started advertising on the interface.</param>
    public static TimeSpan NextDelay(TimeSpan sinceStart, TimeSpan interval, ushort random)
    {
        if (sinceStart < FastPeriod)
        {
            return TimeSpan.FromSeconds(5 + (random / 4400));
        }
        var seconds = (uint)interval.TotalSeconds;
        return TimeSpan.FromSeconds((3 * seconds / 4) + ((seconds * (uint)random) >> 18));
    }
}

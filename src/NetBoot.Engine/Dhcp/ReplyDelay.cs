using NetBoot.Configuration.Model;

namespace NetBoot.Engine.Dhcp;

/// <summary><c>dhcp-reply-delay=[tag:x,]SECONDS</c> (dnsmasq <c>apply_delay</c>): how long to hold the first reply of an
/// exchange (the OFFER, a rapid-commit ACK, a proxy PXE reply) after its request arrived, for PXE firmware that misses
/// answers sent too soon. dnsmasq keeps the lines newest first (option.c prepends), so the last line whose tags
/// all hold wins; failing one, the last line without tags.</summary>
public static class ReplyDelay
{
    public static TimeSpan For(ServerConfig config, TagSet tags)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(tags);
        foreach (var (filter, delay) in config.ReplyDelays.Reverse())
        {
            if (tags.MatchesTagged(filter))
            {
                return delay;
            }
        }
        foreach (var (filter, delay) in config.ReplyDelays.Reverse())
        {
            if (filter.IsEmpty)
            {
                return delay;
            }
        }
        return TimeSpan.Zero;
    }
}

namespace NetBoot.Hosting.Ra;

/// <summary>How many Router Solicitations are answered per interface and second. dnsmasq answers every one; a host
/// on the link sending a flood (each RS ~16 bytes, each RA ~100) would then make NetBoot send ~6 times the traffic it
/// receives. Real hosts send at most 3 at start-up, 4 s apart (RFC 4861 §10 MAX_RTR_SOLICITATIONS), so a limit far
/// above that changes nothing for them; unsolicited RAs go on regardless.</summary>
internal sealed class SolicitationGate(TimeProvider time, int perSecond = SolicitationGate.DefaultPerSecond)
{
    public const int DefaultPerSecond = 20;

    private readonly Dictionary<int, (long Second, int Count)> _answered = [];
    private readonly Lock _gate = new();

    public int PerSecond => perSecond;

    /// <summary>True: answer this solicitation; false: the interface had its share this second.</summary>
    public bool TryAnswer(int interfaceIndex)
    {
        var second = time.GetUtcNow().ToUnixTimeSeconds();
        lock (_gate)
        {
            var (window, count) = _answered.TryGetValue(interfaceIndex, out var entry) && entry.Second == second ? entry : (second, 0);
            if (count >= perSecond)
            {
                return false;
            }
            _answered[interfaceIndex] = (window, count + 1);
            return true;
        }
    }
}

namespace NetBoot.Configuration.Model;

/// <summary><c>dhcp-rate-limit=&lt;per-client&gt;[,&lt;new-clients-per-interface&gt;]</c> or <c>dhcp-rate-limit=off</c>
/// (a NetBoot extension; dnsmasq has none). Requests per second, each with a burst of <see cref="BurstSeconds"/>
/// seconds' worth; 0 turns that limit off.</summary>
/// <remarks>Per client: by chaddr, on each listening socket, so one noisy machine cannot take the interface's budget.
/// New clients per interface: requests from clients with no lease (any state) and no <c>dhcp-host</c>, per interface and
/// port, so a starvation flood of random MACs is shed early while known hosts, renewals and other interfaces go on.</remarks>
public sealed record DhcpRateLimitConfig(int PerClient, int NewClientsPerInterface)
{
    /// <summary>5 requests/s per client (a PXE boot needs 3 or 4 in a row, firmware retries are seconds apart) and
    /// 2000 requests/s from new clients per interface (a site powering up a few thousand machines at once still gets
    /// them in seconds; well below what one core answers, so the budget sheds a flood before it costs much).</summary>
    public static DhcpRateLimitConfig Default { get; } = new(5, 2000);

    public static DhcpRateLimitConfig Off { get; } = new(0, 0);

    /// <summary>A bucket holds this many seconds of its rate, so short bursts pass untouched.</summary>
    public const int BurstSeconds = 4;

    public bool IsOff => PerClient == 0 && NewClientsPerInterface == 0;
}

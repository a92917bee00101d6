using NetBoot.Configuration.Model;

namespace NetBoot.Hosting.Http;

/// <summary>How many HTTP connections the server holds at once, in all and per client address: the configured
/// ceiling (<c>http-max-connections</c>), lowered so that HTTP can never take the file descriptors DHCP, port 4011 and
/// TFTP need. Pure arithmetic, decided once at start-up.</summary>
/// <param name="Capacity">Connections held at once, in all.</param>
/// <param name="PerClient">Connections one client address may hold.</param>
/// <param name="DescriptorLimit">The soft <c>RLIMIT_NOFILE</c> the budget was derived from.</param>
/// <param name="Reserve">Descriptors kept for everything but HTTP connections.</param>
/// <param name="IsLimitedByDescriptors">True when the descriptors, not the configured ceiling, set <see cref="Capacity"/>.</param>
internal sealed record HttpConnectionBudget(int Capacity, int PerClient, long DescriptorLimit, long Reserve, bool IsLimitedByDescriptors)
{
    /// <summary>Descriptors the process may still open after start-up: assemblies loaded late (the runtime keeps each
    /// open), the lease file rewritten beside the database, SQLite's journal, dashboard and metrics connections,
    /// sockets for DHCP on an interface that gains an address, ping checks, <c>dhcp-script</c> pipes.</summary>
    public const int Headroom = 128;

    /// <summary>Descriptors per TFTP transfer: its own UDP socket (its transfer ID) and the open file.</summary>
    public const int DescriptorsPerTransfer = 2;

    /// <summary>Descriptors per HTTP connection: the socket, and the file while one is being sent.</summary>
    public const int DescriptorsPerConnection = 2;

    /// <summary>Below this the boot port would be useless; when the descriptor limit is that low the budget keeps
    /// this many and start-up warns that the limit is too low.</summary>
    public const int MinimumCapacity = 16;

    /// <summary>The budget for a process whose soft descriptor limit is <paramref name="descriptorLimit"/> and which has
    /// <paramref name="openDescriptors"/> open once its listeners are bound:
    /// <code>
    /// reserve  = open + Headroom + 2 × tftp-max (when TFTP is on) + closing allowance
    /// capacity = min(http-max-connections, (limit − reserve) / 2), at least MinimumCapacity
    /// </code>
    /// The closing allowance (<see cref="HttpConnectionTable.ClosingAllowance"/>) covers idle connections closed to
    /// make room whose sockets are still being torn down.</summary>
    public static HttpConnectionBudget Derive(HttpConfig http, TftpConfig tftp, long descriptorLimit, int openDescriptors)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(tftp);
        var reserve = (long)openDescriptors + Headroom + (tftp.IsEnabled ? (long)DescriptorsPerTransfer * tftp.MaxTransfers : 0) + HttpConnectionTable.ClosingAllowance;
        var affordable = Math.Max(0, descriptorLimit - reserve) / DescriptorsPerConnection;
        var ceiling = http.MaxConnections == 0 ? int.MaxValue : http.MaxConnections;
        var capacity = (int)Math.Min(ceiling, Math.Max(affordable, MinimumCapacity));
        var perClient = http.MaxConnectionsPerClient == 0 ? capacity : Math.Min(http.MaxConnectionsPerClient, capacity);
        return new HttpConnectionBudget(capacity, perClient, descriptorLimit, reserve, affordable < ceiling);
    }

    /// <summary>True when even <see cref="MinimumCapacity"/> connections do not fit beside the reserve.</summary>
    public bool IsDescriptorLimitTooLow => DescriptorLimit - Reserve < (long)MinimumCapacity * DescriptorsPerConnection;
}

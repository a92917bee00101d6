using NetBoot.Configuration.Model;
using NetBoot.Engine.Leases;
using NetBoot.Wire.Dhcp;
using NetBoot.Wire.Net;

namespace NetBoot.Engine.Limits;

/// <summary>Whether a request is processed or shed before any decision, and why.</summary>
public enum Admission
{
    Admitted,
    /// <summary>This client (chaddr) sent more than its <c>dhcp-rate-limit</c> per-client budget.</summary>
    ClientOverLimit,
    /// <summary>A client NetBoot does not know (no lease, no dhcp-host) while the interface's new-client budget is spent.</summary>
    NewClientsOverLimit,
}

/// <summary>The <c>dhcp-rate-limit</c> gate of one listening socket (interface and port): a per-client bucket, then,
/// for clients with no lease and no <c>dhcp-host</c>, the interface's new-client bucket. Known clients never spend the
/// new-client budget, so a starvation flood of random MACs cannot crowd out static hosts and renewals. Pure (time is
/// passed in) and not thread-safe: one per socket, or behind a lock.</summary>
public sealed class DhcpAdmission
{
    /// <summary>Clients tracked per socket at most (about 100 bytes each).</summary>
    public const int ClientCapacity = 4096;

    private readonly TokenBucketTable<HardwareAddress>? _clients;
    private readonly TokenBucket? _newClients;

    public DhcpAdmission(DhcpRateLimitConfig limits, int clientCapacity = ClientCapacity)
    {
        ArgumentNullException.ThrowIfNull(limits);
        Limits = limits;
        if (limits.PerClient > 0)
        {
            _clients = new(limits.PerClient, limits.PerClient * DhcpRateLimitConfig.BurstSeconds, clientCapacity);
        }
        if (limits.NewClientsPerInterface > 0)
        {
            _newClients = new(limits.NewClientsPerInterface, limits.NewClientsPerInterface * DhcpRateLimitConfig.BurstSeconds);
        }
    }

    public DhcpRateLimitConfig Limits { get; }

    /// <summary>Clients currently tracked (for tests: bounded by the capacity).</summary>
    public int TrackedClients => _clients?.Count ?? 0;

    /// <summary><paramref name="isKnown"/>: see <see cref="IsKnown"/>.</summary>
    public Admission Admit(HardwareAddress client, bool isKnown, DateTimeOffset now)
    {
        if (_clients is not null && !_clients.TryTake(client, now))
        {
            return Admission.ClientOverLimit;
        }
        if (!isKnown && _newClients is not null && !_newClients.TryTake(now))
        {
            return Admission.NewClientsOverLimit;
        }
        return Admission.Admitted;
    }

    /// <summary>A client NetBoot already knows: it holds a lease in any state (bound, offered, expired, so renewals and
    /// the REQUEST after an OFFER pass) or a <c>dhcp-host</c> names its hardware address or client identifier.</summary>
    public static bool IsKnown(DhcpMessage message, ServerConfig config, ILeaseView? leases)
    {
        ArgumentNullException.ThrowIfNull(message);
        ArgumentNullException.ThrowIfNull(config);
        if (leases?.ByClient(ClientKey.Of(message)) is not null)
        {
            return true;
        }
        if (config.Hosts.IsDefaultOrEmpty)
        {
            return false;
        }
        var hasClientId = message.Options.TryGet(DhcpOptionCode.ClientIdentifier, out var clientId) && clientId.Length > 0;
        var address = message.ClientHardwareAddress.Bytes;
        foreach (var host in config.Hosts)
        {
            if (hasClientId && host.ClientIds.Any(id => id.AsSpan().SequenceEqual(clientId.AsSpan())))
            {
                return true;
            }
            foreach (var pattern in host.HardwareAddresses)
            {
                if (pattern.Length == address.Length && Matches(pattern.AsSpan(), address.AsSpan()))
                {
                    return true;
                }
            }
        }
        return false;
    }

    private static bool Matches(ReadOnlySpan<byte?> pattern, ReadOnlySpan<byte> bytes)
    {
        for (var i = 0; i < pattern.Length; i++)
        {
            if (pattern[i] is { } b && b != bytes[i])
            {
                return false;
            }
        }
        return true;
    }
}

using NetBoot.Configuration.Model;
using NetBoot.Engine.Leases;
using NetBoot.Wire.Dhcp;
using NetBoot.Wire.Net;

namespace NetBoot.Engine.Limits;

/// <summary>Whether a request is processed or shed before any decision, and why.</summary>
public enum Admission
{
    Admitted,
    /// <summary>This client (its hardware address, or its client identifier) sent more than its <c>dhcp-rate-limit</c>
    /// per-client budget.</summary>
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
    /// <summary>Clients tracked per socket at most (about 100 bytes each; up to about 1 KiB for a 255-byte client
    /// identifier). Beyond it the client heard from least recently is forgotten (<see cref="LruTable{TKey, TValue}"/>).</summary>
    public const int ClientCapacity = 4096;

    private readonly TokenBucketTable<ClientKey>? _clients;
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

    /// <summary>A client known only by its hardware address (tests, and callers without option 61).</summary>
    public Admission Admit(HardwareAddress client, bool isKnown, DateTimeOffset now) => Admit(new ClientIdentity(client, []), isKnown, now);

    /// <summary>Charges the request to every identity it could be matched by (docs/client-identity.md): its hardware
    /// address whatever <c>htype</c> it claims (so cycling <c>htype</c> does not multiply the budget), and its client
    /// identifier when it sends one (so cycling <c>chaddr</c> behind a copied identifier does not either). Both buckets
    /// must have a token. <paramref name="isKnown"/>: see <see cref="IsKnown"/>.</summary>
    public Admission Admit(ClientIdentity client, bool isKnown, DateTimeOffset now)
    {
        var (first, second) = Keys(client);
        return Admit(first, second, isKnown, now);
    }

    /// <summary>The buckets a DHCPv4 request is charged to: its hardware address (whatever its <c>htype</c>), and its
    /// client identifier when it sends one.</summary>
    public static (ClientKey First, ClientKey? Second) Keys(ClientIdentity client) =>
        (HardwareBucket(client.Hardware), client.HasClientId ? client.ClientIdKey : null);

    /// <summary>Charges the request to <paramref name="first"/> and, when given, <paramref name="second"/>: the client
    /// identities it could be matched by (DHCPv4: hardware address and client identifier; DHCPv6: DUID and source
    /// address), so cycling one of them does not multiply the budget. Both buckets must have a token.</summary>
    public Admission Admit(ClientKey first, ClientKey? second, bool isKnown, DateTimeOffset now)
    {
        if (_clients is not null)
        {
            var byFirst = _clients.TryTake(first, now);
            var bySecond = second is not { } key || _clients.TryTake(key, now);
            if (!byFirst || !bySecond)
            {
                return Admission.ClientOverLimit;
            }
        }
        if (!isKnown && _newClients is not null && !_newClients.TryTake(now))
        {
            return Admission.NewClientsOverLimit;
        }
        return Admission.Admitted;
    }

    /// <summary>The rate bucket of a hardware address: its bytes, not its type.</summary>
    private static ClientKey HardwareBucket(HardwareAddress hardware) => new("mac:" + Convert.ToHexStringLower(hardware.Bytes.AsSpan()));

    /// <summary>A client NetBoot already knows: it holds a lease in any state (bound, offered, expired, so renewals and
    /// the REQUEST after an OFFER pass), found by the lease rules (<see cref="ILeaseView.Find"/>), or a <c>dhcp-host</c>
    /// names it (by client identifier, or by hardware address of the same <c>htype</c>).</summary>
    public static bool IsKnown(DhcpMessage message, ServerConfig config, ILeaseView? leases)
    {
        ArgumentNullException.ThrowIfNull(message);
        ArgumentNullException.ThrowIfNull(config);
        var identity = ClientIdentity.Of(message, config.Protocol.IgnoreClientId);
        if (leases?.Find(identity) is not null)
        {
            return true;
        }
        if (config.Hosts.IsDefaultOrEmpty)
        {
            return false;
        }
        return Dhcp.ClientClassifier.FindHost(identity.Hardware, identity.ClientId.AsSpan(), config.Hosts, static _ => true) is not null;
    }
}

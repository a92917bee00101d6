using System.Collections.Immutable;
using NetBoot.Configuration.Model;
using NetBoot.Engine.Leases;
using NetBoot.Wire.Dhcp;
using NetBoot.Wire.Net;

namespace NetBoot.Engine.Dhcp;

/// <summary>Everything one full-DHCP decision reads: the request, the configuration, the owned ranges the client may use,
/// its <c>dhcp-host</c>, its identity, the lease view and the time.</summary>
public sealed record LeaseExchange(
    DhcpRequest Request,
    ServerConfig Config,
    Classification Classification,
    ImmutableArray<RangeContext> OwnedRanges,
    DhcpHostConfig? Host,
    ILeaseView Leases,
    DateTimeOffset Now)
{
    /// <summary>RFC 2131 §4.3.1: the server identifier is the address of the interface the request came in on.</summary>
    public IPv4Address Local => Request.Interface.Address;

    public DhcpMessage Message => Request.Message;

    /// <summary>Who the request says it is (<c>htype</c> + <c>chaddr</c>, option 61).</summary>
    public ClientIdentity Identity { get; } = ClientIdentity.Of(Request.Message, Config.Protocol.IgnoreClientId);

    private Lease? _currentLease;
    private bool _currentLeaseFound;
    private ClientIdentity? _storedIdentity;
    private ClientKey? _client;
    private AllocationContext? _allocation;

    /// <summary>The request's own lease, found by dnsmasq's rules (<see cref="ILeaseView.Find"/>): by client identifier,
    /// else by hardware address when the lease or the request has none.</summary>
    public Lease? CurrentLease
    {
        get
        {
            if (!_currentLeaseFound)
            {
                _currentLease = Leases.Find(Identity);
                _currentLeaseFound = true;
            }
            return _currentLease;
        }
    }

    /// <summary>The identity a lease granted now is stored under. Under <c>dhcp-host=…,id:*</c>, without the client
    /// identifier (dnsmasq <c>CONFIG_NOCLID</c>), so every boot stage finds the lease by its hardware address. A request
    /// without one keeps the one its lease has (dnsmasq <c>lease_set_hwaddr</c> never clears it).</summary>
    public ClientIdentity StoredIdentity => _storedIdentity ??= Host is { IgnoresClientId: true } ? Identity.WithoutClientId()
        : !Identity.HasClientId && CurrentLease is { ClientId.IsDefaultOrEmpty: false } lease ? Identity with { ClientId = lease.ClientId }
        : Identity;

    /// <summary>The key of the lease this request holds or will hold.</summary>
    public ClientKey Client => _client ??= StoredIdentity.Key;

    public AllocationContext Allocation => _allocation ??= new(Leases, Client, Now, Config, Local) { OwnAddress = CurrentLease?.Address, PoolFull = PoolFull };

    /// <summary>The host's notes of full ranges (an input, as the lease view).</summary>
    public PoolFullNotes PoolFull { get; init; } = PoolFullNotes.None;

    /// <summary>The <c>dhcp-host</c> address, when it lies on one of the client's networks (dnsmasq: else the host is
    /// <c>known-othernet</c> and its address is not used).</summary>
    public IPv4Address? HostAddress =>
        Host?.Address is { } address && OwnedRanges.Any(r => r.Contains(address)) ? address : null;

    /// <summary>The range whose network holds <paramref name="address"/>: one whose bounds include it first.</summary>
    public RangeContext? RangeOf(IPv4Address address) =>
        OwnedRanges.FirstOrDefault(r => r.Range.Start <= address && address <= r.Range.End && r.Contains(address))
        ?? OwnedRanges.FirstOrDefault(r => r.Contains(address));

    public bool IsOnOwnedNetwork(IPv4Address address) => OwnedRanges.Any(r => r.Contains(address));

    /// <summary>Whether this client may have <paramref name="address"/> now (RFC 2131 §4.3.2: the address is valid for
    /// the client's network and not allocated to another client).</summary>
    public bool MayHave(IPv4Address address)
    {
        if (RangeOf(address) is not { } range)
        {
            return false;
        }
        if (HostAddress is { } fixedAddress && address == fixedAddress)
        {
            return !HeldByAnother(address);
        }
        var inPool = range.Range.Mode == DhcpRangeMode.Dynamic && range.Range.Start <= address && address <= range.Range.End;
        var alreadyOurs = CurrentLease is { } lease && lease.Address == address;
        return (inPool || alreadyOurs) && Allocation.IsFree(address, range);
    }

    /// <summary>Held now by a lease that is neither this request's own nor one it may take over.</summary>
    public bool HeldByAnother(IPv4Address address) =>
        Leases.ByAddress(address) is { } lease && lease.IsActiveAt(Now) && !IsOwn(lease) && !MayTakeOver(lease);

    private bool IsOwn(Lease lease) => CurrentLease is { } own && own.Address == lease.Address;

    /// <summary>A reservation by MAC belongs to the machine (dnsmasq: "abandoning lease to … of …"): the lease on the
    /// <c>dhcp-host</c> address held by another identity of one of its configured hardware addresses (exact, same
    /// <c>htype</c>) moves to this request instead of refusing it. That other identity is an earlier boot stage of the
    /// same machine, or the other NIC of a host with several MACs (one holder at a time).</summary>
    public bool MayTakeOver(Lease lease) =>
        lease.State != LeaseState.Declined && Host is { } host && host.Address == lease.Address && HostAddress == lease.Address
        && host.HardwareAddresses.Any(p => p.MatchesExactly(lease.HardwareAddress));

    /// <summary>The lease a write of <paramref name="address"/> for this request replaces, besides any lease under the
    /// same key: its own lease when stored under another key (its identity gained a client identifier, or it moves), and
    /// a lease of another identity of the same machine on the address (a take-over).</summary>
    public System.Collections.Immutable.ImmutableArray<Lease> Replaced(IPv4Address address)
    {
        var replaced = System.Collections.Immutable.ImmutableArray.CreateBuilder<Lease>();
        var key = Client;
        if (CurrentLease is { } own && own.Client != key)
        {
            replaced.Add(own);
        }
        if (Leases.ByAddress(address) is { } held && held.Client != key && !IsOwn(held) && MayTakeOver(held))
        {
            replaced.Add(held);
        }
        return replaced.ToImmutable();
    }

    /// <summary><c>dhcp-lease-max</c>: a client without a lease may not get one when the table is full.</summary>
    public bool IsAtLeaseLimit => CurrentLease is null && Leases.ActiveCount(Now) >= Config.LeaseMax;

    /// <summary>The lease time: <c>dhcp-host</c>'s, else the range's (null = infinite); a shorter time asked for in
    /// option 51 is granted (never under dnsmasq's 120 s minimum).</summary>
    public TimeSpan? LeaseTimeFor(RangeContext range)
    {
        TimeSpan? granted = Host is { IsInfinite: true } ? null : Host?.LeaseTime ?? range.Range.LeaseTime;
        if (Message.Options.TryGetUInt32(DhcpOptionCode.IPAddressLeaseTime, out var asked))
        {
            var requested = TimeSpan.FromSeconds(Math.Max(asked, FullDhcpResponder.MinimumLeaseTime.TotalSeconds));
            if (granted is null ? asked != uint.MaxValue : requested < granted)
            {
                granted = requested;
            }
        }
        return granted;
    }

    public DateTimeOffset ExpiryFor(TimeSpan? leaseTime) => leaseTime is { } t ? Now + t : DateTimeOffset.MaxValue;

    public Lease LeaseOn(IPv4Address address, DateTimeOffset expires, LeaseState state)
    {
        var identity = StoredIdentity;
        return new Lease(address, identity.Key, identity.Hardware, identity.ClientId, HostName, expires, state);
    }

    /// <summary>The host name this client's lease records and its reply names (<see cref="ClientNames.LeaseName"/>).</summary>
    public string? HostName => ClientNames.LeaseName(Host, Message.Options, Message.ClientHardwareAddress, Classification.Tags, Config.Protocol);

    /// <summary>RFC 2131 §4.3.1 option 54: this server's address on the arrival network, unless a relay asks for its own
    /// address (RFC 5107 sub-option 11) or <c>dhcp-proxy</c> names the relay (dnsmasq <c>override</c>), so that the
    /// client's renewals come back through the relay and carry its option 82 again.</summary>
    public IPv4Address ServerIdentifier => ServerIdentifierOverride ?? Local;

    /// <summary>The relay's address in place of this server's (RFC 5107 sub-option 11 first, then <c>dhcp-proxy</c>).</summary>
    public IPv4Address? ServerIdentifierOverride
    {
        get
        {
            if (RelayAgentInformation.ServerIdentifierOverrideOf(Message.Options) is { IsZero: false } asked)
            {
                return asked;
            }
            var relay = Message.RelayAgentAddress;
            var protocol = Config.Protocol;
            return !relay.IsZero && protocol.OverrideServerIdentifier && (protocol.OverrideRelays.IsEmpty || protocol.OverrideRelays.Contains(relay)) ? relay : null;
        }
    }

    /// <summary>Whether binding <paramref name="address"/> continues a bound lease (<c>dhcp-script old</c>) rather than
    /// starting one (<c>add</c>): the client's own, or the one it takes over from another identity of the machine.</summary>
    public bool IsRenewalOf(IPv4Address address) =>
        Leases.ByAddress(address) is { State: LeaseState.Bound } held && held.IsActiveAt(Now) && (IsOwn(held) || MayTakeOver(held));

    /// <summary>The write that gives <paramref name="lease"/> to this request, with the leases it replaces.</summary>
    public LeaseUpsert Upsert(Lease lease, LeaseEvent leaseEvent) => new(lease, leaseEvent)
    {
        Replaces = Replaced(lease.Address),
        Previous = leaseEvent == LeaseEvent.Old ? Leases.ByAddress(lease.Address) : null,
    };
}

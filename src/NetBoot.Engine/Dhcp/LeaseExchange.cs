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

    public ClientKey Client { get; } = ClientKey.Of(Request.Message);

    public Lease? CurrentLease => Leases.ByClient(Client);

    public AllocationContext Allocation => new(Leases, Client, Now, Config, Local);

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
        if (HostAddress is { } fixedAddress)
        {
            return address == fixedAddress && !HeldByAnother(address);
        }
        var inPool = range.Range.Mode == DhcpRangeMode.Dynamic && range.Range.Start <= address && address <= range.Range.End;
        var alreadyOurs = CurrentLease is { } lease && lease.Address == address;
        return (inPool || alreadyOurs) && Allocation.IsFree(address, range);
    }

    public bool HeldByAnother(IPv4Address address) => Leases.ByAddress(address) is { } lease && lease.BlocksOthersAt(Now, Client);

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
        var clientId = Message.Options.TryGet(DhcpOptionCode.ClientIdentifier, out var id) ? id : [];
        var hostName = Host?.HostName ?? (Message.Options.TryGetString(DhcpOptionCode.HostName, out var name) ? ClientHostName(name) : null);
        return new Lease(address, Client, Message.ClientHardwareAddress, clientId, hostName, expires, state);
    }

    /// <summary>dnsmasq keeps a client's option 12 only when it is a legal host name (<see cref="HostNameRules"/>), and
    /// then only its host part; anything else is dropped rather than cleaned up (a name cleaned of its illegal characters
    /// would be a name the client never gave).</summary>
    public static string? ClientHostName(string name) =>
        HostNameRules.IsLegal(name) ? HostNameRules.HostPart(name) : null;
}

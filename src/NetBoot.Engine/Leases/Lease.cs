using System.Collections.Immutable;
using NetBoot.Wire.Dhcp;
using NetBoot.Wire.Net;

namespace NetBoot.Engine.Leases;

/// <summary>How a client is known (RFC 2131 §4.2): by its client identifier (option 61) when it sends one, else by
/// <c>htype</c> + <c>chaddr</c>. The text form is stable and is what the lease store keys on.</summary>
public readonly record struct ClientKey(string Value)
{
    /// <summary>The key a request's lease is stored under (<see cref="ClientIdentity.Key"/>). Finding a request's lease
    /// takes more than this key: see <see cref="ILeaseView.Find"/>.</summary>
    public static ClientKey Of(DhcpMessage message) => ClientIdentity.Of(message).Key;

    /// <summary>The key of a lease held by a hardware address with no client identifier.</summary>
    public static ClientKey ForHardware(HardwareAddress hardware) =>
        new($"hw:{hardware.HardwareType:x2}" + Convert.ToHexStringLower(hardware.Bytes.AsSpan()));

    /// <summary>The owner of a declined address during its quarantine.</summary>
    public static ClientKey Declined(IPv4Address address) => new("declined:" + address);

    public override string ToString() => Value;
}

public enum LeaseState
{
    /// <summary>Held for the client between DHCPOFFER and its DHCPREQUEST (RFC 2131 §4.3.1 "reserve").</summary>
    Offered,
    /// <summary>Acknowledged: the client may use the address until <see cref="Lease.Expires"/>.</summary>
    Bound,
    /// <summary>DHCPDECLINE: in use by some other host; quarantined until <see cref="Lease.Expires"/>.</summary>
    Declined,
}

/// <summary>One address and who holds it until when.</summary>
/// <param name="Expires"><see cref="DateTimeOffset.MaxValue"/> for an infinite lease.</param>
/// <param name="ClientId">Option 61 as sent (empty when the client sent none).</param>
public sealed record Lease(
    IPv4Address Address,
    ClientKey Client,
    HardwareAddress HardwareAddress,
    ImmutableArray<byte> ClientId,
    string? HostName,
    DateTimeOffset Expires,
    LeaseState State)
{
    public bool IsInfinite => Expires == DateTimeOffset.MaxValue;

    public bool IsActiveAt(DateTimeOffset now) => Expires > now;

    /// <summary>Holds the address at <paramref name="now"/> against anyone but <paramref name="client"/>.</summary>
    public bool BlocksOthersAt(DateTimeOffset now, ClientKey client) => IsActiveAt(now) && Client != client;

    /// <summary>The identity this lease was granted to.</summary>
    public ClientIdentity Identity => new(HardwareAddress, ClientId.IsDefault ? [] : ClientId);
}

using System.Collections.Immutable;
using NetBoot.Wire.Dhcp;
using NetBoot.Wire.Net;

namespace NetBoot.Engine.Leases;

/// <summary>Who a DHCP request says it is: its hardware address (<c>htype</c> + <c>chaddr</c> cut to <c>hlen</c>) and
/// its client identifier (option 61, empty when it sent none). One machine boots through several identities (PXE ROM,
/// iPXE, GRUB, initramfs, the booted system); the rules that tie them to one lease are dnsmasq's, in
/// docs/client-identity.md, and every per-client structure (leases, reservations, rate limits, trackers) follows them.</summary>
public readonly record struct ClientIdentity(HardwareAddress Hardware, ImmutableArray<byte> ClientId)
{
    /// <summary>RFC 2131 §2: <c>chaddr</c> is 16 bytes; a longer <c>hlen</c> names bytes that are not there.</summary>
    public const int MaximumHardwareLength = 16;

    /// <param name="ignoreClientId"><c>dhcp-ignore-clid</c>: option 61 is not read (dnsmasq <c>OPT_IGNORE_CLID</c>), so
    /// the client is its hardware address alone.</param>
    public static ClientIdentity Of(DhcpMessage message, bool ignoreClientId = false)
    {
        ArgumentNullException.ThrowIfNull(message);
        var clientId = !ignoreClientId && message.Options.TryGet(DhcpOptionCode.ClientIdentifier, out var id) && id.Length > 0 ? id : [];
        return new ClientIdentity(message.ClientHardwareAddress, clientId);
    }

    public bool HasClientId => !ClientId.IsDefaultOrEmpty;

    /// <summary>The lease key this identity stores under: <c>id:</c> + option 61 when it has one, else <c>hw:</c> +
    /// <c>htype</c> + <c>chaddr</c>. At most one lease carries a given key.</summary>
    public ClientKey Key => HasClientId ? ClientIdKey : HardwareKey;

    /// <summary>The key of a lease stored under this client identifier.</summary>
    public ClientKey ClientIdKey => new("id:" + Convert.ToHexStringLower(ClientId.AsSpan()));

    /// <summary>The key of a lease stored under this hardware address without a client identifier.</summary>
    public ClientKey HardwareKey => ClientKey.ForHardware(Hardware);

    /// <summary>This identity without its client identifier (<c>dhcp-host=…,id:*</c>, <c>dhcp-ignore-clid</c>).</summary>
    public ClientIdentity WithoutClientId() => this with { ClientId = [] };

    /// <summary>Whether a request with this <c>htype</c>/<c>hlen</c> can be told apart from others (dnsmasq drops
    /// <c>hlen</c> over 16 and <c>htype</c> 0 with an address; NetBoot also drops <c>hlen</c> 0, whose leases, lease-file
    /// lines and script calls would carry an empty MAC). Null when it can; else why not.</summary>
    public static string? Malformation(byte hardwareType, byte hardwareLength) => (hardwareType, hardwareLength) switch
    {
        (_, 0) => "hlen 0: no hardware address",
        (_, > MaximumHardwareLength) => $"hlen {hardwareLength} is over 16",
        (0, _) => "htype 0 with a hardware address",
        _ => null,
    };

    /// <summary>dnsmasq <c>lease_find_by_client</c>: may <paramref name="lease"/> be this identity's by hardware address?
    /// Only when the lease or the request has no client identifier, with the same <c>htype</c> and address.</summary>
    public bool MatchesByHardware(Lease lease) =>
        (!HasClientId || lease.ClientId.IsDefaultOrEmpty) && Hardware.Length > 0 && lease.HardwareAddress == Hardware;

    /// <summary>The request's own lease under dnsmasq's rules: by client identifier when it sends one; failing that,
    /// by hardware address when the lease or the request has no client identifier.</summary>
    public bool Owns(Lease lease) =>
        (HasClientId && !lease.ClientId.IsDefaultOrEmpty && lease.ClientId.AsSpan().SequenceEqual(ClientId.AsSpan()))
        || MatchesByHardware(lease);
}

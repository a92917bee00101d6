using System.Collections.Immutable;
using NetBoot.Wire.Net;

namespace NetBoot.Configuration.Model;

/// <summary>A <c>dhcp-host</c> hardware address: an ARP hardware type and the address bytes, a null byte being a
/// <c>*</c> wildcard.</summary>
/// <param name="HardwareType">The <c>htype</c> a request must carry. A plain <c>aa:bb:…</c> is Ethernet (1); dnsmasq's
/// <c>NN-aa:bb:…</c> names another type. dnsmasq itself lets a plain MAC match any <c>htype</c>; NetBoot does not, so
/// that a request copying a reserved MAC with another hardware type cannot take the reserved address
/// (docs/client-identity.md).</param>
public sealed record HardwareAddressPattern(byte HardwareType, ImmutableArray<byte?> Bytes)
{
    /// <summary>ARP hardware type 1 (RFC 1700): what a plain MAC in a configuration means.</summary>
    public const byte Ethernet = 1;

    public int Length => Bytes.Length;

    /// <summary>True when some byte is a <c>*</c>.</summary>
    public bool HasWildcard => Bytes.Any(b => b is null);

    /// <summary>Same type, same length, and every byte equal where the pattern names one.</summary>
    public bool Matches(HardwareAddress address)
    {
        if (address.HardwareType != HardwareType || address.Length != Bytes.Length)
        {
            return false;
        }
        var bytes = address.Bytes.AsSpan();
        for (var i = 0; i < bytes.Length; i++)
        {
            if (Bytes[i] is { } b && b != bytes[i])
            {
                return false;
            }
        }
        return true;
    }

    /// <summary>dnsmasq <c>config_has_mac</c>: an exact (wildcard-free) match. Only such an address makes a lease the
    /// machine's own, so that another of its identities may take the lease over.</summary>
    public bool MatchesExactly(HardwareAddress address) => !HasWildcard && Matches(address);

    public override string ToString()
    {
        var text = string.Join(':', Bytes.Select(b => b is { } v ? v.ToString("x2", System.Globalization.CultureInfo.InvariantCulture) : "*"));
        return HardwareType == Ethernet ? text : $"{HardwareType:x2}-{text}";
    }
}

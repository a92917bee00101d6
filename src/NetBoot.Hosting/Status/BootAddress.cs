using System.Net;
using NetBoot.Wire.Net;

namespace NetBoot.Hosting.Status;

/// <summary>An address a booting client is known by, IPv4 or IPv6, as one comparable value: an IPv4 address is held in
/// its IPv4-mapped form (<c>::ffff:a.b.c.d</c>, RFC 4291 §2.5.5.2), so the tracker keeps one address index for both
/// families and a dual-stack socket's mapped source is the same client as the IPv4 one.</summary>
public readonly record struct BootAddress(IPv6Address Value)
{
    private static readonly UInt128 MappedPrefix = (UInt128)0xFFFF << 32;
    private static readonly UInt128 MappedMask = ~(UInt128)0xFFFF_FFFF;

    public bool IsIPv4 => (Value.Value & MappedMask) == MappedPrefix;

    /// <summary>0.0.0.0 or ::: no address (an unset <c>ciaddr</c>, an unspecified source).</summary>
    public bool IsZero => Value.IsZero || (IsIPv4 && (uint)Value.Value == 0);

    public IPv4Address IPv4 => new((uint)Value.Value);

    public static implicit operator BootAddress(IPv4Address address) => new(new IPv6Address(MappedPrefix | address.Value));

    public static implicit operator BootAddress(IPv6Address address) => new(address);

    public static BootAddress FromIPv4(IPv4Address address) => address;

    public static BootAddress FromIPv6(IPv6Address address) => address;

    /// <summary>A socket's peer address, IPv4 or IPv6 (a mapped IPv4 address reads as IPv4).</summary>
    public static BootAddress FromIPAddress(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        return address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork
            ? IPv4Address.FromIPAddress(address)
            : IPv6Address.FromIPAddress(address);
    }

    public override string ToString() => IsIPv4 ? IPv4.ToString() : Value.ToString();
}

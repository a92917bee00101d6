using System.Collections.Immutable;
using NetBoot.Wire.Net;

namespace NetBoot.Wire.Pxe;

/// <summary>One raw sub-option of option 43, kept in wire order: order and repeats matter
/// (dnsmasq emits sub-option 6 twice when the administrator adds one; EDK2 takes the last, iPXE the first).</summary>
public readonly record struct PxeSubOption(PxeSubOptionCode Code, ImmutableArray<byte> Data)
{
    public bool Equals(PxeSubOption other) => Code == other.Code && Data.AsSpan().SequenceEqual(other.Data.AsSpan());

    public override int GetHashCode() => HashCode.Combine(Code, Data.Length);
}

/// <summary>Sub-option 71: boot server type and layer. Layer bit 15 asks for BIS credentials.</summary>
public readonly record struct PxeBootItem(ushort Type, ushort Layer)
{
    public bool WantsBootIntegrityServices => (Layer & 0x8000) != 0;
}

/// <summary>One entry of sub-option 9: <c>type(2) | len(1) | description</c>.</summary>
public sealed record PxeMenuEntry(ushort Type, string Description);

/// <summary>One entry of sub-option 8: <c>type(2) | count(1) | addresses</c>.</summary>
public sealed record PxeBootServer(ushort Type, ImmutableArray<IPv4Address> Addresses);

/// <summary>Sub-option 10: <c>timeout(1) | prompt</c>. Timeout 255 waits forever, 0 boots the first item at once.</summary>
public sealed record PxeMenuPrompt(byte Timeout, string Text);

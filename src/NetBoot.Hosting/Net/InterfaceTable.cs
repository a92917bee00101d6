using System.Buffers.Binary;
using System.Collections.Immutable;
using System.Net.NetworkInformation;
using System.Runtime.InteropServices;
using NetBoot.Wire.Net;

namespace NetBoot.Hosting.Net;

/// <summary>The kernel's interfaces as getifaddrs(3) reports them, in the calling thread's network namespace: every
/// interface (its link-layer entry), up or down, with its flags and its IPv4 and IPv6 addresses.
/// <para>Why not <see cref="NetworkInterface.GetAllNetworkInterfaces"/>: on Linux its <c>OperationalStatus</c> is
/// <c>/sys/class/net/X/operstate</c>, which stays "down" (or "unknown") for up to a second after <c>ip link set X up</c>
/// (the kernel's link watch reports carrier in a deferred work item), so an interface brought up a moment ago was skipped;
/// and <c>/sys</c> shows the network namespace it was mounted in, not necessarily the caller's. Whether an interface is
/// usable is decided here, as dnsmasq decides it, on <c>IFF_UP</c> and on its addresses.</para></summary>
internal static unsafe partial class InterfaceTable
{
    private const ushort FamilyInet = 2;
    private const ushort FamilyInet6 = 10;
    private const ushort FamilyPacket = 17;
    private const uint FlagUp = 0x1;
    private const uint FlagLoopback = 0x8;
    /// <summary>linux/if.h: IFF_LOWER_UP, the carrier (netlink reports it; the old ioctl flags did not).</summary>
    private const uint FlagLowerUp = 0x10000;
    /// <summary>linux/sockios.h: SIOCGIFMTU.</summary>
    private const uint GetMtu = 0x8921;
    /// <summary><c>struct ifreq</c>: the name (16 bytes), then a union whose <c>ifr_mtu</c> is an int.</summary>
    private const int InterfaceRequestSize = 40;

    /// <summary><c>struct ifaddrs</c> (LP64).</summary>
    [StructLayout(LayoutKind.Sequential)]
    private struct InterfaceAddressEntry
    {
        public InterfaceAddressEntry* Next;
        public byte* Name;
        public uint Flags;
        public byte* Address;
        public byte* Netmask;
        public byte* BroadcastOrDestination;
        public void* Data;
    }

    private sealed class Builder(string name)
    {
        public string Name { get; } = name;
        public int Index { get; set; }
        public uint Flags { get; set; }
        public ImmutableArray<(IPv4Address Address, IPv4Address Netmask)>.Builder Addresses { get; } = ImmutableArray.CreateBuilder<(IPv4Address, IPv4Address)>();
        public ImmutableArray<(IPv6Address Address, int PrefixLength)>.Builder IPv6Addresses { get; } = ImmutableArray.CreateBuilder<(IPv6Address, int)>();
    }

    /// <summary>Every interface, in the kernel's order. Throws <see cref="NetworkInformationException"/> when the kernel
    /// cannot be asked (no netlink in a sandbox).</summary>
    public static ImmutableArray<HostInterface> Read()
    {
        if (getifaddrs(out var list) != 0)
        {
            throw new NetworkInformationException(Marshal.GetLastPInvokeError());
        }
        // In the kernel's order; found by name (an interface has an entry per address).
        var builders = new List<Builder>();
        var byName = new Dictionary<string, Builder>(StringComparer.Ordinal);
        try
        {
            for (var entry = list; entry != null; entry = entry->Next)
            {
                Add(builders, byName, entry);
            }
        }
        finally
        {
            freeifaddrs(list);
        }
        var result = ImmutableArray.CreateBuilder<HostInterface>(builders.Count);
        foreach (var nic in builders)
        {
            var index = nic.Index > 0 ? nic.Index : (int)if_nametoindex(nic.Name);
            if (index <= 0)
            {
                // Gone between the two calls: the next reading will not list it either.
                continue;
            }
            result.Add(new HostInterface(nic.Name, index, Mtu(nic.Name), (nic.Flags & FlagLoopback) != 0, nic.Addresses.ToImmutable(),
                IsUp: (nic.Flags & FlagUp) != 0, HasCarrier: (nic.Flags & FlagLowerUp) != 0, IPv6Addresses: nic.IPv6Addresses.ToImmutable()));
        }
        return result.ToImmutable();
    }

    private static void Add(List<Builder> builders, Dictionary<string, Builder> byName, InterfaceAddressEntry* entry)
    {
        if (entry->Name == null)
        {
            return;
        }
        var name = BaseName(Marshal.PtrToStringUTF8((nint)entry->Name) ?? "");
        if (name.Length == 0)
        {
            return;
        }
        if (!byName.TryGetValue(name, out var nic))
        {
            nic = new Builder(name);
            byName.Add(name, nic);
            builders.Add(nic);
        }
        // Every entry of one device carries the device's flags.
        nic.Flags |= entry->Flags;
        if (entry->Address == null)
        {
            return;
        }
        var family = *(ushort*)entry->Address;
        if (family == FamilyPacket)
        {
            // struct sockaddr_ll: family (2), protocol (2), ifindex (4).
            nic.Index = *(int*)(entry->Address + 4);
        }
        else if (family == FamilyInet)
        {
            // struct sockaddr_in: family (2), port (2), address (4, network order).
            var address = IPv4Address.FromBytes(new ReadOnlySpan<byte>(entry->Address + 4, 4));
            var netmask = entry->Netmask == null ? IPv4Address.Broadcast : IPv4Address.FromBytes(new ReadOnlySpan<byte>(entry->Netmask + 4, 4));
            nic.Addresses.Add((address, netmask));
        }
        else if (family == FamilyInet6)
        {
            // struct sockaddr_in6: family (2), port (2), flowinfo (4), address (16, network order), scope id (4).
            var address = IPv6Address.FromBytes(new ReadOnlySpan<byte>(entry->Address + 8, IPv6Address.Length));
            var prefixLength = entry->Netmask == null ? 128 : PrefixLength(new ReadOnlySpan<byte>(entry->Netmask + 8, IPv6Address.Length));
            nic.IPv6Addresses.Add((address, prefixLength));
        }
    }

    /// <summary>The number of leading one bits of an IPv6 netmask.</summary>
    private static int PrefixLength(ReadOnlySpan<byte> netmask)
    {
        var bits = 0;
        foreach (var b in netmask)
        {
            bits += System.Numerics.BitOperations.PopCount(b);
        }
        return bits;
    }

    /// <summary>glibc names an IPv4 address by its label (<c>eth0:1</c> for an alias); the device is the part before the
    /// colon (the kernel never allows a colon in a device name).</summary>
    internal static string BaseName(string label)
    {
        var colon = label.IndexOf(':', StringComparison.Ordinal);
        return colon < 0 ? label : label[..colon];
    }

    /// <summary>The MTU by SIOCGIFMTU on a throw-away socket (in this namespace); 0 when it cannot be read.</summary>
    private static int Mtu(string name)
    {
        var socket = socket_(FamilyInet, 2 /* SOCK_DGRAM */, 0);
        if (socket < 0)
        {
            return 0;
        }
        try
        {
            var request = stackalloc byte[InterfaceRequestSize];
            new Span<byte>(request, InterfaceRequestSize).Clear();
            var nameBytes = System.Text.Encoding.ASCII.GetBytes(name);
            if (nameBytes.Length > 15)
            {
                return 0;
            }
            nameBytes.CopyTo(new Span<byte>(request, 16));
            return ioctl(socket, GetMtu, request) == 0 ? BinaryPrimitives.ReadInt32LittleEndian(new ReadOnlySpan<byte>(request + 16, 4)) : 0;
        }
        finally
        {
            _ = close(socket);
        }
    }

#pragma warning disable CA5392 // libc is loaded by name from the system's directories.
    [LibraryImport("libc", SetLastError = true)]
    private static partial int getifaddrs(out InterfaceAddressEntry* list);

    [LibraryImport("libc")]
    private static partial void freeifaddrs(InterfaceAddressEntry* list);

    [LibraryImport("libc", StringMarshalling = StringMarshalling.Utf8)]
    private static partial uint if_nametoindex(string name);

    [LibraryImport("libc", EntryPoint = "socket", SetLastError = true)]
    private static partial int socket_(int domain, int type, int protocol);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int ioctl(int descriptor, nuint request, byte* argument);

    [LibraryImport("libc")]
    private static partial int close(int descriptor);
#pragma warning restore CA5392
}

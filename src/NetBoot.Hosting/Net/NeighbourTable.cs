using System.Buffers;
using System.Runtime.InteropServices;
using NetBoot.Wire.Net;

namespace NetBoot.Hosting.Net;

/// <summary>The kernel's IPv6 neighbour table, asked over rtnetlink (there is no /proc file for it), for
/// <c>tftp-unique-root=mac</c>: dnsmasq (find_mac, netlink.c) reads the neighbour table for either family. A TFTP client
/// over IPv6 has just resolved the server's address, and its Neighbor Solicitation carried its own link-layer address,
/// so the server's kernel holds an entry for it (RFC 4861 §7.2.3, state STALE). One socket per question, closed after
/// it: the lookup happens once per read request, and nothing is kept between them.</summary>
internal static unsafe partial class NeighbourTable
{
    private const int FamilyNetlink = 16;
    private const byte FamilyInet6 = 10;
    private const int SocketRaw = 3;
    private const int SocketCloseOnExec = 0x80000;
    private const int NetlinkRoute = 0;
    private const int SocketLevel = 1;
    private const int ReceiveTimeoutOption = 20;

    /// <summary>One datagram of a dump: the kernel fills up to about a page per datagram; a larger buffer never truncates.</summary>
    private const int DatagramSize = 32 * 1024;

    /// <summary>The kernel is asked on the TFTP listener's path: one that stops answering costs this much per wait.</summary>
    private static readonly TimeSpan ReceiveTimeout = TimeSpan.FromMilliseconds(250);

    /// <summary>At most this much of the table is read (some 50 000 entries); past it the client gets no MAC.</summary>
    private const int MaximumBytes = 4 * 1024 * 1024;

    /// <summary>The link-layer address the kernel holds for <paramref name="address"/> on the interface with index
    /// <paramref name="interfaceIndex"/>, or null (no usable entry, or the kernel could not be asked). The interface
    /// matters: the same link-local address may be a neighbour on two links. With index 0 (arrival interface unknown)
    /// the first entry found on any interface is taken.</summary>
    public static HardwareAddress? Lookup(IPv6Address address, int interfaceIndex) =>
        TryLookup(address, interfaceIndex, out var linkAddress) ? linkAddress : null;

    /// <summary>As <see cref="Lookup"/>; false when the kernel gave no complete answer (no netlink, an error, a timeout,
    /// the byte limit), true when it did, with or without an entry.</summary>
    internal static bool TryLookup(IPv6Address address, int interfaceIndex, out HardwareAddress? linkAddress)
    {
        linkAddress = null;
        if (!OperatingSystem.IsLinux())
        {
            return false;
        }
        var descriptor = socket(FamilyNetlink, SocketRaw | SocketCloseOnExec, NetlinkRoute);
        if (descriptor < 0)
        {
            return false;
        }
        var buffer = ArrayPool<byte>.Shared.Rent(DatagramSize);
        try
        {
            return Query(descriptor, address, interfaceIndex, buffer, out linkAddress);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
            _ = close(descriptor);
        }
    }

    private static bool Query(int descriptor, IPv6Address address, int interfaceIndex, byte[] buffer, out HardwareAddress? linkAddress)
    {
        linkAddress = null;
        // struct timeval: seconds (8), microseconds (8).
        var timeout = stackalloc long[2] { 0, (long)ReceiveTimeout.TotalMicroseconds };
        if (setsockopt(descriptor, SocketLevel, ReceiveTimeoutOption, timeout, 16) != 0)
        {
            return false;
        }
        // The one entry when the interface is known: a dump costs the whole table per request (400 µs at 600 entries,
        // 9 µs for a get), and a network booting many machines has that many; nor is a dump atomic (the kernel resumes
        // it by position in a hash table all namespaces share, so an entry can be passed over while others change).
        // Kernels before 5.0 refuse the single get: then the dump.
        return interfaceIndex > 0 && Get(descriptor, address, interfaceIndex, buffer, out linkAddress)
            || Dump(descriptor, address, interfaceIndex, buffer, out linkAddress);
    }

    /// <summary>True when the kernel answered the single get, with the entry or that it has none.</summary>
    private static bool Get(int descriptor, IPv6Address address, int interfaceIndex, byte[] buffer, out HardwareAddress? linkAddress)
    {
        linkAddress = null;
        var request = stackalloc byte[NeighbourDump.GetRequestSize];
        NeighbourDump.WriteGetRequest(new Span<byte>(request, NeighbourDump.GetRequestSize), address, interfaceIndex, sequence: 1);
        if (send(descriptor, request, NeighbourDump.GetRequestSize, 0) != NeighbourDump.GetRequestSize)
        {
            return false;
        }
        var length = Receive(descriptor, buffer);
        if (length <= 0)
        {
            return false;
        }
        Span<byte> wanted = stackalloc byte[IPv6Address.Length];
        address.WriteTo(wanted);
        switch (NeighbourDump.Scan(buffer.AsSpan(0, length), FamilyInet6, wanted, interfaceIndex, out var found))
        {
            case NeighbourDumpStatus.Found:
                linkAddress = found;
                return true;
            case NeighbourDumpStatus.More:
                // The entry, but without a usable link-layer address (incomplete, failed): the answer is "none".
            case NeighbourDumpStatus.Absent:
                return true;
            default:
                return false;
        }
    }

    /// <summary>True when the kernel sent its whole table (or the part up to the entry).</summary>
    private static bool Dump(int descriptor, IPv6Address address, int interfaceIndex, byte[] buffer, out HardwareAddress? linkAddress)
    {
        linkAddress = null;
        var request = stackalloc byte[NeighbourDump.RequestSize];
        NeighbourDump.WriteRequest(new Span<byte>(request, NeighbourDump.RequestSize), FamilyInet6, sequence: 2);
        // Unbound and unaddressed: netlink delivers to the kernel (port id 0).
        if (send(descriptor, request, NeighbourDump.RequestSize, 0) != NeighbourDump.RequestSize)
        {
            return false;
        }
        Span<byte> wanted = stackalloc byte[IPv6Address.Length];
        address.WriteTo(wanted);
        for (var total = 0; total < MaximumBytes;)
        {
            var length = Receive(descriptor, buffer);
            if (length <= 0)
            {
                return false;
            }
            total += length;
            switch (NeighbourDump.Scan(buffer.AsSpan(0, length), FamilyInet6, wanted, interfaceIndex, out var found))
            {
                case NeighbourDumpStatus.Found:
                    linkAddress = found;
                    return true;
                case NeighbourDumpStatus.Done:
                    return true;
                case NeighbourDumpStatus.Absent or NeighbourDumpStatus.Failed:
                    return false;
            }
        }
        return false;
    }

    /// <summary>One datagram into <paramref name="buffer"/>; 0 or less on a timeout (EAGAIN) or an error: no answer is
    /// no MAC.</summary>
    private static int Receive(int descriptor, byte[] buffer)
    {
        fixed (byte* data = buffer)
        {
            return (int)recv(descriptor, data, DatagramSize, 0);
        }
    }

#pragma warning disable CA5392 // libc is loaded by name from the system's directories.
    [LibraryImport("libc", SetLastError = true)]
    private static partial int socket(int domain, int type, int protocol);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int setsockopt(int descriptor, int level, int name, void* value, int length);

    [LibraryImport("libc", SetLastError = true)]
    private static partial nint send(int descriptor, byte* buffer, nuint length, int flags);

    [LibraryImport("libc", SetLastError = true)]
    private static partial nint recv(int descriptor, byte* buffer, nuint length, int flags);

    [LibraryImport("libc")]
    private static partial int close(int descriptor);
#pragma warning restore CA5392
}

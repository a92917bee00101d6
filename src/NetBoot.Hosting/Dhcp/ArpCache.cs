using System.Buffers.Binary;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text;
using NetBoot.Wire.Net;

namespace NetBoot.Hosting.Dhcp;

/// <summary>Puts a client's hardware address in the kernel's ARP cache before a unicast reply to an address the client
/// does not answer ARP for yet (RFC 2131 §4.1; dnsmasq does the same with SIOCSARP).</summary>
internal static class ArpCache
{
    /// <summary>linux/sockios.h.</summary>
    private const uint SetArpEntry = 0x8955;

    /// <summary>linux/if_arp.h: ATF_COM, the entry is complete.</summary>
    private const int Complete = 0x02;

    private const int AddressFamilyInet = 2;

    /// <summary><c>struct arpreq</c>: arp_pa (16), arp_ha (16), arp_flags (4), arp_netmask (16), arp_dev (16).</summary>
    private const int RequestSize = 68;

    /// <summary>Returns false (and the errno) when the kernel refused; the caller then broadcasts.</summary>
    public static bool TrySet(Socket socket, string interfaceName, IPv4Address address, byte hardwareType, ReadOnlySpan<byte> hardwareAddress, out int error)
    {
        error = 0;
        if (hardwareAddress.Length > 14 || interfaceName.Length > 15 || !OperatingSystem.IsLinux())
        {
            return false;
        }
        var request = new byte[RequestSize];
        // Host byte order (little-endian on every Linux .NET runs on) for the kernel's own fields.
        // arp_pa: struct sockaddr_in (family, port, address)
        BinaryPrimitives.WriteUInt16LittleEndian(request.AsSpan(0), AddressFamilyInet);
        address.WriteTo(request.AsSpan(4, 4));
        // arp_ha: struct sockaddr with sa_family = ARPHRD type (1 = Ethernet)
        BinaryPrimitives.WriteUInt16LittleEndian(request.AsSpan(16), hardwareType);
        hardwareAddress.CopyTo(request.AsSpan(18));
        BinaryPrimitives.WriteInt32LittleEndian(request.AsSpan(32), Complete);
        Encoding.ASCII.GetBytes(interfaceName, request.AsSpan(52));
        if (ioctl((int)socket.Handle, SetArpEntry, request) == 0)
        {
            return true;
        }
        error = Marshal.GetLastPInvokeError();
        return false;
    }

    // DllImport rather than LibraryImport: the latter needs AllowUnsafeBlocks in the project; a byte[] is blittable.
#pragma warning disable SYSLIB1054, CA5392
    [DllImport("libc", EntryPoint = "ioctl", SetLastError = true)]
    private static extern int ioctl(int fd, nuint request, byte[] argument);
#pragma warning restore SYSLIB1054, CA5392
}

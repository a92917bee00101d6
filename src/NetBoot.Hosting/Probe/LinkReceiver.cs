using System.Buffers.Binary;
using System.Runtime.InteropServices;
using NetBoot.Wire.Capture;

namespace NetBoot.Hosting.Probe;

/// <summary>Receives the IPv4 packets of one interface below the IP layer (an AF_PACKET socket, as DHCP clients and PXE
/// firmware do), so that answers to a probe are seen on an interface that has no IPv4 address: there the kernel's reverse
/// path filter (<c>rp_filter</c>, on by default on most distributions) drops a broadcast from a server it has no route
/// back to before any UDP socket sees it. Needs CAP_NET_RAW; <see cref="TryOpen"/> says when that is missing.</summary>
internal sealed unsafe partial class LinkReceiver : IDisposable
{
    private const int FamilyPacket = 17;
    private const int SocketDatagram = 2;
    private const int SocketCloseOnExec = 0x80000;
    private const ushort EtherTypeIPv4 = 0x0800;
    private const short PollIn = 0x001;
    /// <summary><c>struct sockaddr_ll</c>: family (2), protocol (2, network order), ifindex (4), hatype (2), pkttype (1),
    /// halen (1), addr (8).</summary>
    private const int LinkAddressSize = 20;

    private readonly int _descriptor;
    private readonly byte[] _buffer = new byte[2048];

    private LinkReceiver(int descriptor) => _descriptor = descriptor;

    /// <summary>A receiver bound to the interface with kernel index <paramref name="interfaceIndex"/>, or null (and the
    /// errno) when the kernel refuses (no CAP_NET_RAW).</summary>
    public static LinkReceiver? TryOpen(int interfaceIndex, out int error)
    {
        var protocol = BinaryPrimitives.ReverseEndianness(EtherTypeIPv4);
        var descriptor = socket(FamilyPacket, SocketDatagram | SocketCloseOnExec, protocol);
        if (descriptor < 0)
        {
            error = Marshal.GetLastPInvokeError();
            return null;
        }
        var address = stackalloc byte[LinkAddressSize];
        new Span<byte>(address, LinkAddressSize).Clear();
        *(ushort*)address = FamilyPacket;
        *(ushort*)(address + 2) = protocol;
        *(int*)(address + 4) = interfaceIndex;
        if (bind(descriptor, address, LinkAddressSize) != 0)
        {
            error = Marshal.GetLastPInvokeError();
            _ = close(descriptor);
            return null;
        }
        error = 0;
        return new LinkReceiver(descriptor);
    }

    /// <summary>The next UDP datagram to <paramref name="port"/> that arrives within <paramref name="timeout"/>, or null.
    /// Blocks the calling thread (the probe is a command-line tool; it calls this on a thread of its own).</summary>
    public UdpDatagram? Receive(ushort port, TimeSpan timeout)
    {
        var deadline = Environment.TickCount64 + (long)timeout.TotalMilliseconds;
        // struct pollfd: fd (4), events (2), revents (2).
        var poll = stackalloc byte[8];
        while (true)
        {
            var remaining = deadline - Environment.TickCount64;
            if (remaining <= 0)
            {
                return null;
            }
            *(int*)poll = _descriptor;
            *(short*)(poll + 4) = PollIn;
            *(short*)(poll + 6) = 0;
            var ready = poll_(poll, 1, (int)Math.Min(remaining, int.MaxValue));
            if (ready <= 0)
            {
                continue;
            }
            nint length;
            fixed (byte* buffer = _buffer)
            {
                length = recv(_descriptor, buffer, (nuint)_buffer.Length, 0);
            }
            if (length <= 0)
            {
                continue;
            }
            // The packet as the IP layer would get it: its header first (SOCK_DGRAM strips the link header).
            var frame = new CaptureFrame(0, DateTimeOffset.UtcNow, CaptureLinkType.IPv4, _buffer.AsSpan(0, (int)length).ToArray(), (int)length);
            if (UdpDatagramExtractor.TryExtract(frame, out var datagram, out _) && datagram.DestinationPort == port)
            {
                return datagram;
            }
        }
    }

    public void Dispose() => _ = close(_descriptor);

#pragma warning disable CA5392 // libc is loaded by name from the system's directories.
    [LibraryImport("libc", SetLastError = true)]
    private static partial int socket(int domain, int type, int protocol);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int bind(int descriptor, byte* address, int length);

    [LibraryImport("libc", EntryPoint = "poll", SetLastError = true)]
    private static partial int poll_(byte* descriptors, nuint count, int timeoutMilliseconds);

    [LibraryImport("libc", SetLastError = true)]
    private static partial nint recv(int descriptor, byte* buffer, nuint length, int flags);

    [LibraryImport("libc")]
    private static partial int close(int descriptor);
#pragma warning restore CA5392
}
